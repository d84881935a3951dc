// The preferences layer: a modal dialog (role=dialog, aria-modal, labelled) that traps focus,
// closes on Escape without recording anything, and gives focus back to what opened it.

import { h, focusables } from './dom.js';
import { optional } from './state.js';

let current = null;

function cookieTable(t, purpose) {
  const rows = [];
  purpose.vendors.forEach((v) => v.cookies.forEach((c) => rows.push(h('tr', null,
    h('td', null, c.name), h('td', null, v.name),
    h('td', null, c.duration_days ? c.duration_days + ' ' + t('days') : t('session'))))));
  if (!rows.length) return null;
  return h('details', null, h('summary', null, t('vendors') + ' (' + rows.length + ')'),
    h('table', null,
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('cookie_name')),
        h('th', { scope: 'col' }, t('provider')), h('th', { scope: 'col' }, t('duration')))),
      h('tbody', null, rows)));
}

function purposeBlock(ctl, p, checked) {
  const t = ctl.t;
  const id = 'iq-p-' + p.id;
  const locked = !optional(p);
  return h('div', { class: 'iq-purpose' },
    h('div', { class: 'iq-row' },
      h('label', { for: id }, p.label),
      locked && h('span', { class: 'iq-small' }, t('required_label')),
      h('input', {
        type: 'checkbox', role: 'switch', id, name: p.id, checked: locked || checked, disabled: locked,
        'aria-describedby': id + '-d',
      })),
    h('p', { id: id + '-d' }, p.description, locked ? ' ' + t('required_reason') : ''),
    cookieTable(t, p));
}

/** The stored decision's receipt page on the gateway (what was chosen, its JWS, withdrawal). */
function receiptLink(ctl) {
  const d = ctl.decision();
  return d && h('p', null, h('a', {
    href: ctl.base + ctl.config.texts.privacy_centre_path + 'receipts/' + d.token + '?lang=' + ctl.config.lang,
  }, ctl.t('receipt_link')));
}

/** Open the dialog; `onGone` moves focus somewhere sensible if `opener` has disappeared. */
export function openPreferences(ctl, opener, onGone) {
  if (current) return;
  const t = ctl.t;
  const config = ctl.config;
  const choices = ctl.choices();
  const close = (recorded) => {
    document.removeEventListener('keydown', onKey, true);
    overlay.remove();
    current = null;
    if (!recorded && opener && opener.isConnected) opener.focus();
    else onGone();
  };
  const decide = (action) => () => {
    const custom = {};
    dialog.querySelectorAll('input[role=switch]').forEach((i) => { custom[i.name] = i.checked; });
    ctl.decide(action, custom, 'preferences');
    close(true);
  };
  const btn = (label, onclick, cls) => h('button', { type: 'button', class: 'iq-btn' + (cls || ''), onclick }, label);
  const dialog = h('div', {
    class: 'iq-modal', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'iq-pt', 'aria-describedby': 'iq-pd',
  },
  h('button', { type: 'button', class: 'iq-x', 'aria-label': t('close_preferences'), title: t('close_preferences'), onclick: () => close(false) }, '×'),
  h('h2', { id: 'iq-pt' }, t('preferences_title')),
  h('p', { id: 'iq-pd' }, t('preferences_text')),
  ctl.gpc && h('p', { class: 'iq-gpc' }, t('gpc_notice')),
  config.purposes.map((p) => purposeBlock(ctl, p, !!choices[p.id])),
  h('div', { class: 'iq-btns' },
    btn(t('accept_all'), decide('accept_all')),
    btn(t('reject_all'), decide('reject_all')),
    btn(t('save'), decide('custom'), ' iq-alt')),
  ctl.grantsAny() && h('p', null, btn(t('withdraw'), decide('withdraw'), ' iq-alt')),
  receiptLink(ctl));
  const overlay = h('div', { class: 'iq iq-overlay', lang: config.lang }, dialog);

  function onKey(e) {
    if (e.key === 'Escape') {
      e.preventDefault();
      close(false);
    } else if (e.key === 'Tab') {
      const items = focusables(dialog);
      const first = items[0];
      const last = items[items.length - 1];
      if (!dialog.contains(document.activeElement)) {
        e.preventDefault();
        first.focus();
      } else if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
    }
  }
  document.addEventListener('keydown', onKey, true);
  document.body.appendChild(overlay);
  current = overlay;
  const firstSwitch = dialog.querySelector('input[role=switch]:not([disabled])');
  (firstSwitch || focusables(dialog)[0]).focus();
}
