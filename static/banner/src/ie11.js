// Internet Explorer 11: the group's French notice, and nothing else. Nothing is granted: the gated
// tags stay inert, Consent Mode stays at its denied default. What runs here is ES5 and DOM APIs
// IE11 has (h() included).

import { h } from './dom.js';

export function isIE11(ua) {
  return /Trident\/7\./.test(ua);
}

export function showIE11Notice(configUrl) {
  var xhr = new XMLHttpRequest();
  xhr.open('GET', configUrl);
  xhr.onload = function () {
    var t;
    try { t = JSON.parse(xhr.responseText).texts; } catch (e) { return; }
    if (!t) return;
    var box = h('section', { id: 'iq-ie11', class: 'iq iq-banner', lang: 'fr', 'aria-labelledby': 'iq-ie11-t' },
      h('h2', { id: 'iq-ie11-t' }, t.ie11_title), h('p', null, t.ie11_text),
      h('button', { type: 'button', class: 'iq-btn', onclick: function () { box.parentNode.removeChild(box); } }, t.ie11_button));
    var show = function () { document.body.insertBefore(box, document.body.firstChild); };
    if (document.body) show();
    else document.addEventListener('DOMContentLoaded', show);
  };
  xhr.send();
}
