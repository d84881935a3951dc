// Activation of the site's gated elements: <script type="text/plain" data-consent> (inline or
// data-src, in document order, other attributes kept) and <iframe data-consent data-src>, which
// shows an accessible placeholder until its purpose is granted.

import { h } from './dom.js';

// Created on first use: module top levels also run on IE11, which has no Promise.
let queue = null;

/** data-consent may name several purposes ("a b"): all of them must be granted. */
const allowed = (el, choices) => el.getAttribute('data-consent').split(/\s+/).every((id) => choices[id]);

function activateScripts(choices) {
  document.querySelectorAll('script[type="text/plain"][data-consent]').forEach((old) => {
    if (!allowed(old, choices)) return;
    old.type = 'text/iq-queued';
    // One after the other, each external script loaded before the next one runs: document order.
    queue = (queue || Promise.resolve()).then(() => new Promise((done) => {
      const s = document.createElement('script');
      [].forEach.call(old.attributes, (a) => {
        if (!/^(type|data-src|data-type)$/.test(a.name)) s.setAttribute(a.name, a.value);
      });
      // The nonce, hidden from getAttribute once parsed, lets the page's CSP run the tag; only the
      // element's own: the banner never lends its nonce to markup it did not write.
      if (old.nonce) s.nonce = old.nonce;
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

/** The iframe's size from its attributes (no forced layout), else as laid out: no layout shift. */
function size(frame, dim, laidOut) {
  const given = frame.getAttribute(dim);
  if (given) return /\d$/.test(given) ? given + 'px' : given;
  return (laidOut() || (dim === 'width' ? 320 : 180)) + 'px';
}

function placeholder(frame, purpose, t, onAllow) {
  const ph = h('div', { class: 'iq iq-ph', role: 'group', 'aria-label': purpose.label },
    h('p', null, t('placeholder', { purpose: purpose.label })),
    h('button', { type: 'button', class: 'iq-btn', onclick: () => onAllow(purpose.id) },
      t('placeholder_button', { purpose: purpose.label })));
  // Through the CSSOM, which a Content-Security-Policy allows (a style attribute it would block).
  ph.style.width = size(frame, 'width', () => frame.offsetWidth);
  ph.style.height = size(frame, 'height', () => frame.offsetHeight);
  return ph;
}

function gateFrames(config, choices, t, onAllow) {
  document.querySelectorAll('iframe[data-consent]').forEach((frame) => {
    const ph = frame.iqPlaceholder;
    if (allowed(frame, choices)) {
      const hadFocus = ph && ph.contains(document.activeElement);
      if (ph) ph.remove();
      frame.iqPlaceholder = null;
      frame.hidden = false;
      if (frame.getAttribute('src') !== frame.getAttribute('data-src')) frame.src = frame.getAttribute('data-src');
      if (hadFocus) frame.focus();
      return;
    }
    if (ph) return;
    const id = frame.getAttribute('data-consent').split(/\s+/).filter((p) => !choices[p])[0];
    const purpose = config.purposes.filter((p) => p.id === id)[0] || { id, label: id };
    frame.iqPlaceholder = placeholder(frame, purpose, t, onAllow);
    frame.parentNode.insertBefore(frame.iqPlaceholder, frame);
    // Unload content that was running under a purpose now withdrawn.
    if (frame.getAttribute('src')) frame.src = 'about:blank';
    frame.hidden = true;
  });
}

/** Call `reapply` when the page adds gated elements later (tag managers, single-page apps). */
export function watchLateElements(reapply) {
  let pending = false;
  new MutationObserver((records) => {
    if (pending) return;
    const late = records.some((r) => [].some.call(r.addedNodes, (n) => n.nodeType === 1 &&
      (n.hasAttribute('data-consent') || !!n.querySelector('[data-consent]'))));
    if (!late) return;
    pending = true;
    Promise.resolve().then(() => {
      pending = false;
      reapply();
    });
  }).observe(document.body, { childList: true, subtree: true });
}

/** Bring the page's gated elements in line with `choices` (a map purpose -> bool). */
export function applyGating(config, choices, t, onAllow) {
  gateFrames(config, choices, t, onAllow);
  activateScripts(choices);
}
