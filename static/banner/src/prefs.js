// The preferences layer: a modal dialog (role=dialog, aria-modal, labelled) that traps focus,
// closes on Escape without recording anything, and gives focus back to what opened it.

import { h, btn, closer, focusables } from './dom.js';
import { optional, acceptKey } from './state.js';

let current = null;

const toggle = (id, name, label, checked, locked, attrs) => h('div', { class: 'iq-row' },
  h('label', { for: id }, label),
  h('input', Object.assign({ type: 'checkbox', role: 'switch', id, name, checked: locked || checked, disabled: locked }, attrs)));

/** A purpose's switch, then one switch per vendor: the purpose's turns its vendors on or off. */
function purposeBlock(ctl, p, checked) {
  const t = ctl.t;
  const plural = new Intl.PluralRules(ctl.config.lang);
  const id = 'iq-p-' + p.id;
  const locked = !optional(p);
  const vendors = p.vendors.filter((v) => v.id);
  const block = h('div', { class: 'iq-purpose' },
    toggle(id, p.id, p.label, checked, locked, { 'aria-describedby': id + '-d' }),
    locked && h('p', { class: 'iq-small' }, t('required_label')),
    h('p', { id: id + '-d' }, p.description),
    vendors.length > 0 && h('div', { class: 'iq-vendors', role: 'group', 'aria-label': p.label },
      vendors.map((v) => [toggle('iq-v-' + v.id, 'v:' + v.id, v.name,
        checked && ctl.vendors()[v.id] !== false, locked, { 'data-p': p.id }),
      h('p', { class: 'iq-small' }, [v.country, v.transfer].concat(v.cookies.map((c) => c.name + ' (' +
        (c.duration_days ? c.duration_days + ' ' + t(plural.select(c.duration_days) === 'one' ? 'day' : 'days')
          : t('session')) + ')')).filter(Boolean).join(' · '))])));
  block.addEventListener('change', (e) => {
    const all = block.querySelectorAll('[data-p]');
    if (e.target.name === p.id) all.forEach((i) => { i.checked = e.target.checked; });
    else block.querySelector('[name="' + p.id + '"]').checked = [].some.call(all, (i) => i.checked);
  });
  return block;
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
    const picked = {};
    dialog.querySelectorAll('input[role=switch]').forEach((i) => {
      if (i.name.slice(0, 2) === 'v:') picked[i.name.slice(2)] = i.checked;
      else custom[i.name] = i.checked;
    });
    ctl.decide(action, custom, 'preferences', picked);
    close(true);
  };
  const dialog = h('div', {
    class: 'iq-modal', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'iq-pt', 'aria-describedby': 'iq-pd',
  },
  closer(t('close_preferences'), () => close(false)),
  h('h2', { id: 'iq-pt' }, t('preferences_title')),
  // The body scrolls; the actions stay in view below it.
  h('div', { class: 'iq-body' },
    h('p', { id: 'iq-pd' }, t('preferences_text')),
    ctl.gpc && h('p', { class: 'iq-gpc' }, t('gpc_notice')),
    // The gateway could not be reached: refusing still works at once, and is recorded later.
    (ctl.offline || (ctl.decision() || {}).pending) && h('p', { class: 'iq-gpc' }, t('unreachable')),
    // First, where the action bar can never cover it.
    ctl.grantsAny() && h('p', null, btn(t('withdraw'), decide('withdraw'), ' iq-alt')),
    config.purposes.map((p) => purposeBlock(ctl, p, !!choices[p.id])),
    receiptLink(ctl)),
  h('div', { class: 'iq-btns' },
    btn(t(acceptKey(config, ctl.gpc)), decide('accept_all')),
    btn(t('reject_all'), decide('reject_all')),
    btn(t('save'), decide('custom'), ' iq-alt')));
  const overlay = h('div', { class: 'iq iq-overlay', lang: config.lang }, dialog);

  function onKey(e) {
    if (e.key === 'Escape') {
      e.preventDefault();
      close(false);
    } else if (e.key === 'Tab') {
      // From the last element (the first with Shift) or from outside, round to the other end.
      const items = focusables(dialog);
      const ends = e.shiftKey ? [items[0], items[items.length - 1]] : [items[items.length - 1], items[0]];
      if (!dialog.contains(document.activeElement) || document.activeElement === ends[0]) {
        e.preventDefault();
        ends[1].focus();
      }
    }
  }
  document.addEventListener('keydown', onKey, true);
  document.body.appendChild(overlay);
  current = overlay;
  const firstSwitch = dialog.querySelector('input[role=switch]:not([disabled])');
  (firstSwitch || focusables(dialog)[0]).focus();
}
