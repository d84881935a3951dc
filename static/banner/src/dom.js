// The DOM helpers (h() runs on IE11 too): h('p', {class: 'iq-small', onclick: fn}, 'Text', child, [more]); btn(...).

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

/** A button of class iq-btn (`cls` adds classes), or `cls` alone when it starts with "iq-x". */
export const btn = (label, onclick, cls, attrs) => h('button', Object.assign({
  type: 'button', class: /^iq-x/.test(cls) ? cls : 'iq-btn' + (cls || ''), onclick,
}, attrs), label);

/** The × button of a layer: `label` names it. */
export const closer = (label, onclick) => btn('×', onclick, 'iq-x', { 'aria-label': label });

function add(el, children) {
  children.forEach((c) => {
    if (Array.isArray(c)) add(el, c);
    else if (c != null && c !== false) el.appendChild(c.nodeType ? c : document.createTextNode(c));
  });
}

/** Elements that can take keyboard focus inside `root`, in order. */
export function focusables(root) {
  return [].filter.call(root.querySelectorAll('button,a[href],input,summary,[tabindex="0"]'),
    (el) => !el.disabled && el.offsetParent !== null);
}
