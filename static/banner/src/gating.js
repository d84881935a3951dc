// Activation of the site's gated elements: <script type="text/plain" data-consent> (inline or
// data-src, in document order, other attributes kept) and <iframe data-consent data-src>, which
// shows an accessible placeholder until its purpose is granted. data-vendor="ID" narrows an
// element to one declared vendor: it needs that vendor too, and its placeholder grants only it.
// An iframe may carry a plain-HTML fallback in `srcdoc` (shown when the banner cannot load); the
// banner replaces it with its placeholder, and the real `src` once granted.

import { h, btn } from './dom.js';

// Created on first use: module top levels also run on IE11, which has no Promise.
let queue = null;

/** data-consent may name several purposes ("a b"): all of them must be granted, and the vendor. */
const allowed = (el, s) => el.getAttribute('data-consent').split(/\s+/).every((id) => s.c[id]) &&
  s.v[el.getAttribute('data-vendor')] !== false;

function activateScripts(s) {
  document.querySelectorAll('script[type="text/plain"][data-consent]').forEach((old) => {
    if (!allowed(old, s)) return;
    old.type = 'text/iq-queued';
    // One after the other, each external script loaded before the next one runs: document order.
    queue = (queue || Promise.resolve()).then(() => new Promise((done) => {
      const s = document.createElement('script');
      [].forEach.call(old.attributes, (a) => {
        if (!/^(type|data-src|data-type)$/.test(a.name)) s.setAttribute(a.name, a.value);
      });
      // The nonce, hidden from getAttribute once parsed, lets the page's CSP run the tag; only the
      // element's own: the banner never lends its nonce to markup it did not write.
      s.nonce = old.nonce;
      if (old.getAttribute('data-type')) s.type = old.getAttribute('data-type');
      const src = old.getAttribute('data-src');
      if (src) {
        s.onload = s.onerror = done;
        s.src = src;
      } else {
        s.text = old.text;
      }
      old.parentNode.replaceChild(s, old);
      if (!src) done();
    }));
  });
}

/** A CSS length from an iframe's width/height attribute (a bare number is in pixels). */
const px = (v) => (/\d$/.test(v) ? v + 'px' : v);

function placeholder(frame, purpose, vendor, t, onAllow) {
  const name = vendor ? vendor.name : purpose.label;
  // What allowing implies: who receives data, where, under which safeguard; or see it on the
  // vendor's own site instead.
  const ph = h('div', { class: 'iq iq-ph', role: 'group', 'aria-label': name },
    h('p', null, vendor ? t('vendor_blocked', { vendor: name }) : t('placeholder', { purpose: name })),
    vendor && h('p', { class: 'iq-small' }, t('vendor_notice', { vendor: vendor.provider, country: vendor.country }),
      vendor.transfer && ' ' + vendor.transfer),
    btn(t(vendor ? 'vendor_allow' : 'placeholder_button', { purpose: name, vendor: name }),
      () => onAllow(purpose.id, vendor && vendor.id)),
    vendor && h('a', { href: frame.getAttribute('data-src'), target: '_blank', rel: 'noopener' },
      t('vendor_open_link', { vendor: name })));
  // The frame's own size (laid out only when it has no attributes): no layout shift. Through the
  // CSSOM, which a Content-Security-Policy allows (a style attribute it would block).
  ph.style.width = px(frame.getAttribute('width') || frame.offsetWidth || 320);
  ph.style.height = px(frame.getAttribute('height') || frame.offsetHeight || 180);
  return ph;
}

function gateFrames(config, s, t, onAllow) {
  document.querySelectorAll('iframe[data-consent]').forEach((frame) => {
    const ph = frame.iqPlaceholder;
    if (allowed(frame, s)) {
      const hadFocus = ph && ph.contains(document.activeElement);
      if (ph) ph.remove();
      frame.iqPlaceholder = null;
      frame.hidden = false;
      frame.removeAttribute('srcdoc');
      if (frame.getAttribute('src') !== frame.getAttribute('data-src')) frame.src = frame.getAttribute('data-src');
      if (hadFocus) frame.focus();
      return;
    }
    if (ph) return;
    const id = frame.getAttribute('data-consent').split(/\s+/).filter((p) => !s.c[p])[0];
    const vid = frame.getAttribute('data-vendor');
    let purpose = { id, label: id };
    let vendor = null;
    config.purposes.forEach((p) => {
      if (p.id === id) purpose = p;
      p.vendors.forEach((v) => {
        if (v.id && v.id === vid) {
          vendor = v;
          if (!id) purpose = p;
        }
      });
    });
    frame.iqPlaceholder = placeholder(frame, purpose, vendor, t, onAllow);
    frame.parentNode.insertBefore(frame.iqPlaceholder, frame);
    // Unload content that was running under a purpose now withdrawn, and the fallback.
    frame.removeAttribute('srcdoc');
    if (frame.getAttribute('src')) frame.src = 'about:blank';
    frame.hidden = true;
  });
}

/** Call `reapply` when the page adds gated elements later (tag managers, single-page apps). */
export function watchLateElements(reapply) {
  // One call per batch of mutations: the observer already groups them.
  new MutationObserver((records) => {
    if (records.some((r) => [].some.call(r.addedNodes, (n) => n.nodeType === 1 &&
      (n.hasAttribute('data-consent') || !!n.querySelector('[data-consent]'))))) reapply();
  }).observe(document.body, { childList: true, subtree: true });
}

/** Bring the page's gated elements in line with `s` ({c: purpose -> bool, v: vendor -> bool}). */
export function applyGating(config, s, t, onAllow) {
  gateFrames(config, s, t, onAllow);
  activateScripts(s);
}
