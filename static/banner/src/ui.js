// The visible parts outside the preferences dialog: the first layer (a non-modal region that does
// not trap focus), the floating "manage cookies" control and a polite status line.

import { h, btn as button, closer } from './dom.js';
import { optional, vendorList, acceptKey } from './state.js';

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

  // The preferences come with the per-site script, or are fetched; if they cannot be, the first
  // layer (which refuses in one click, recorded later) opens instead, saying so.
  const open = (opener) => ctl.extra().then((x) => x.openPreferences(ctl, opener || document.activeElement, () => {
    const target = banner ? banner.querySelector('.iq-alt') : fab && fab.querySelector('button');
    if (target) target.focus();
  }), () => {
    ctl.offline = true;
    showBanner();
  });
  const act = (action, layer) => () => ctl.decide(action, undefined, layer || 'first');

  function showBanner() {
    if (banner) banner.remove();
    const offered = vendorList(config).filter((e) => optional(e.p));
    const partners = {};
    const countries = {};
    offered.forEach((e) => {
      partners[e.v.id] = 1;
      if (e.v.outside_eea) countries[e.v.country] = 1;
    });
    const abroad = Object.keys(countries);
    // Phones show each purpose's name only; what does not fit scrolls, with a fade and a cue.
    // "More" brings the line under the fade to the top: nothing is skipped.
    const more = h('div', { class: 'iq-more' }, button(t('more'), () =>
      body.scrollBy(0, more.getBoundingClientRect().top - body.getBoundingClientRect().top - 16), ' iq-alt'));
    const body = h('div', { class: 'iq-body', tabindex: 0 },
      h('h2', { id: 'iq-title' }, t('banner_title')),
      h('p', null, t('banner_text')),
      h('ul', null, config.purposes.filter(optional).map((p) =>
        h('li', null, h('strong', null, p.label), h('span', null, ' — ', p.description.split('. ')[0])))),
      offered.length > 0 && h('p', null, t('partners', { count: Object.keys(partners).length }), ' ',
        h('a', { href: config.partners_url }, t('partner_list'))),
      abroad.length > 0 && h('p', null, t('transfer_notice', { countries: abroad.join(', ') })),
      ctl.gpc && h('p', { class: 'iq-gpc' }, t('gpc_notice')),
      ctl.offline && h('p', { class: 'iq-gpc' }, t('unreachable')),
      h('p', { class: 'iq-small' }, t('close_notice'), ' ',
        h('a', { href: tx.cookie_policy_url }, t('policy_link')), ' · ',
        h('a', { href: ctl.base + tx.privacy_centre_path }, t('privacy_centre_link'))),
      more);
    banner = h('section', { class: 'iq-banner', 'aria-labelledby': 'iq-title' },
      closer(t('close'), act('reject_all', 'close')),
      body,
      h('div', { class: 'iq-btns' },
        button(t(acceptKey(config, ctl.gpc)), act('accept_all')),
        button(t('reject_all'), act('reject_all')),
        button(t('customize'), (e) => open(e.currentTarget), ' iq-alt')));
    root.insertBefore(banner, statusLine);
    const cue = () => banner.classList.toggle('iq-over', body.scrollHeight - body.scrollTop - body.clientHeight > 4);
    body.addEventListener('scroll', cue);
    // At the next frame, which lays the page out anyway: reading the sizes now would force a
    // layout before the banner is even in the DOM's first paint.
    requestAnimationFrame(cue);
    refresh();
  }

  /** Hide the first layer; focus that was in it moves to the floating control. */
  function hideBanner() {
    const hadFocus = banner && banner.contains(document.activeElement);
    if (banner) banner.remove();
    banner = null;
    refresh();
    if (hadFocus && fab) fab.firstChild.focus();
  }

  /**
   * The floating control, on every page once a decision exists: manage, and one-click withdraw
   * whenever something is granted; it folds into one small button. The page's own
   * [data-iq-withdraw] elements are hidden while nothing is granted.
   */
  function refresh() {
    const grants = ctl.grantsAny();
    document.querySelectorAll('[data-iq-withdraw]').forEach((el) => {
      el.hidden = el.disabled = !grants;
    });
    if (banner || ctl.noFab()) {
      if (fab) fab.remove();
      fab = null;
      return;
    }
    if (!fab) {
      // After the page where the decision was taken it starts folded: one small labelled button.
      // Not through a synthetic click: the page's own click listeners (analytics) would count it.
      const setFold = (folded) => {
        fab.classList.toggle('iq-folded', folded);
        fold.setAttribute('aria-expanded', !folded);
        fold.textContent = folded ? t('banner_label') : '‹';
      };
      const fold = button('', () => setFold(!fab.classList.contains('iq-folded')), ' iq-alt iq-fold',
        { 'aria-label': t('banner_label') });
      fab = h('div', { class: 'iq-fab iq-' + (config.fab_position || 'bottom-left'), role: 'region', 'aria-label': t('banner_label') },
        button(t('manage'), (e) => open(e.currentTarget)), fold);
      setFold(!!ctl.folded);
      root.insertBefore(fab, statusLine);
      dodge();
    }
    const withdraw = fab.querySelector('.iq-wd');
    if (grants && !withdraw) fab.insertBefore(button(t('withdraw'), act('withdraw'), ' iq-alt iq-wd'), fab.lastChild);
    if (!grants && withdraw) {
      const hadFocus = document.activeElement === withdraw;
      withdraw.remove();
      if (hadFocus) fab.firstChild.focus();
    }
  }

  /**
   * The floating control never covers the focused field or a status message of the page (a
   * form's "sent" line): it moves to the top of the screen while it would.
   */
  function dodge() {
    if (!fab) return;
    fab.classList.remove('iq-up');
    const r = fab.getBoundingClientRect();
    const seen = [].filter.call(document.querySelectorAll('[role=status],[role=alert],[aria-live]'), (el) => el.textContent.trim());
    const a = document.activeElement;
    if (a && a !== document.body) seen.push(a);
    fab.classList.toggle('iq-up', seen.some((el) => {
      const b = !root.contains(el) && el.getBoundingClientRect();
      return b && b.bottom > r.top && b.top < r.bottom && b.right > r.left && b.left < r.right;
    }));
  }
  ctl.dodge = dodge;
  ['focusin', 'scroll'].forEach((e) => window.addEventListener(e, dodge, true));

  let timer;
  function status(text, keep) {
    statusLine.textContent = text || '';
    clearTimeout(timer);
    if (text && !keep) timer = setTimeout(() => { statusLine.textContent = ''; }, 6000);
  }

  return { showBanner, hideBanner, refresh, open, status };
}
