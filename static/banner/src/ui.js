// The visible parts outside the preferences dialog: the first layer (a non-modal region that does
// not trap focus), the floating "manage cookies" control and a polite status line.

import { h } from './dom.js';
import { optional } from './state.js';
import { openPreferences } from './prefs.js';

/**
 * Build the UI for `ctl` ({config, t, base, gpc, decision(), choices(), decide(action, custom)}).
 * Returns {showBanner, hideBanner, refresh, open, status}.
 */
export function createUI(ctl) {
  const config = ctl.config;
  const t = ctl.t;
  const tx = config.texts;
  let banner = null;
  let fab = null;
  const statusLine = h('p', { class: 'iq-status', role: 'status' });
  const root = h('div', { id: 'iq-consent', class: 'iq', lang: config.lang }, statusLine);
  document.body.insertBefore(root, document.body.firstChild);

  const open = (opener) => openPreferences(ctl, opener || document.activeElement, () => {
    const target = banner ? banner.querySelector('.iq-alt') : fab && fab.querySelector('button');
    if (target) target.focus();
  });
  const act = (action, layer) => () => ctl.decide(action, undefined, layer || 'first');
  const button = (label, onclick, cls) => h('button', { type: 'button', class: 'iq-btn' + (cls || ''), onclick }, label);

  function showBanner() {
    if (banner) banner.remove();
    banner = h('section', { class: 'iq-banner', 'aria-labelledby': 'iq-title' },
      h('button', { type: 'button', class: 'iq-x', 'aria-label': t('close'), title: t('close'), onclick: act('reject_all', 'close') }, '×'),
      h('h2', { id: 'iq-title' }, t('banner_title')),
      h('p', null, t('banner_text')),
      h('ul', null, config.purposes.filter(optional).map((p) => h('li', null, p.label))),
      ctl.gpc && h('p', { class: 'iq-gpc' }, t('gpc_notice')),
      h('p', { class: 'iq-small' }, t('close_notice')),
      h('p', { class: 'iq-links' },
        h('a', { href: tx.cookie_policy_url }, t('policy_link')), ' · ',
        h('a', { href: ctl.base + tx.privacy_centre_path }, t('privacy_centre_link'))),
      h('div', { class: 'iq-btns' },
        button(t('accept_all'), act('accept_all')),
        button(t('reject_all'), act('reject_all')),
        button(t('customize'), (e) => open(e.currentTarget), ' iq-alt')));
    root.insertBefore(banner, statusLine);
    refresh();
  }

  /** Hide the first layer; focus that was in it moves to the floating control. */
  function hideBanner() {
    const hadFocus = banner && banner.contains(document.activeElement);
    if (banner) banner.remove();
    banner = null;
    refresh();
    if (hadFocus) fab.firstChild.focus();
  }

  /** The floating control, on every page once a decision exists: manage, and one-click withdraw. */
  function refresh() {
    if (banner) {
      if (fab) fab.remove();
      fab = null;
      return;
    }
    if (!fab) {
      fab = h('div', { class: 'iq-fab', role: 'region', 'aria-label': t('banner_label') },
        button(t('manage'), (e) => open(e.currentTarget)));
      root.insertBefore(fab, statusLine);
    }
    const withdraw = fab.querySelector('.iq-alt');
    if (ctl.grantsAny() && !withdraw) fab.appendChild(button(t('withdraw'), act('withdraw'), ' iq-alt'));
    if (!ctl.grantsAny() && withdraw) {
      const hadFocus = document.activeElement === withdraw;
      withdraw.remove();
      if (hadFocus) fab.firstChild.focus();
    }
  }

  let timer;
  function status(text, keep) {
    statusLine.textContent = text || '';
    clearTimeout(timer);
    if (text && !keep) timer = setTimeout(() => { statusLine.textContent = ''; }, 6000);
  }

  return { showBanner, hideBanner, refresh, open, status, shown: () => !!banner };
}
