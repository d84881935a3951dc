// The one DOM helper: h('button', {class: 'iq-btn', onclick: fn}, 'Text', child, [more]).

export function h(tag, attrs) {
  const el = document.createElement(tag);
  Object.keys(attrs || {}).forEach((k) => {
    const v = attrs[k];
    if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
    else if (v != null && v !== false) el.setAttribute(k, v === true ? '' : v);
  });
  add(el, [].slice.call(arguments, 2));
  return el;
}

function add(el, children) {
  children.forEach((c) => {
    if (Array.isArray(c)) add(el, c);
    else if (c != null && c !== false) el.append(c);
  });
}

/** Elements that can take keyboard focus inside `root`, in order. */
export function focusables(root) {
  return [].filter.call(root.querySelectorAll('button,a[href],input,summary,[tabindex="0"]'),
    (el) => !el.disabled && el.offsetParent !== null);
}
