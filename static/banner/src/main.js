// consent.js: the entry point. Consent Mode's default goes first; IE11 gets its notice and nothing
// else; everyone else gets the controller below, which keeps the decision and drives the UI.

import { consentDefault, consentUpdate } from './gcm.js';
import { isIE11, showIE11Notice } from './ie11.js';
import { fetchConfig, post, postWithRetry } from './api.js';
import { pageLanguage, translator } from './i18n.js';
import { readDecision, writeDecision, deleteCookies, cookieNames, matches } from './storage.js';
import {
  choicesFor, interim, withdrawn, grantsMore, grantsOptional, needsBanner, cookiesOf, vendorList, vendorsFor,
} from './state.js';
import { applyGating, watchLateElements } from './gating.js';
import { createUI } from './ui.js';
import { countImpression, uiOf } from './impression.js';
import css from './styles.css';
import { h } from './dom.js';

consentDefault();

// The per-site script carries its configuration (both languages) before this code: no request.
const embedded = window.__iqConsentConfig;
const script = document.currentScript || document.querySelector('script[data-site]');
const site = embedded ? embedded.site : script.getAttribute('data-site');
const base = script.src.match(/^https?:\/\/[^/]+/)[0];
const configFor = (lang, fresh) => (embedded && !fresh
  ? Promise.resolve(embedded.configs[lang] || embedded.configs[Object.keys(embedded.configs)[0]])
  : fetchConfig(base, site, lang, fresh));

// The preferences layer and the contact forms: inside the per-site script (window.__iqExtra, set
// before this code runs), fetched by the generic script when first needed (EXTRA_FILE: its
// content-hashed name, set by the build).
let extraLoad = null;
function extra() {
  return extraLoad || (extraLoad = window.__iqExtra ? Promise.resolve(window.__iqExtra) : new Promise((ok, ko) => {
    document.head.appendChild(h('script', {
      src: base + '/banner/v1/' + EXTRA_FILE, nonce: script.nonce, onload: () => ok(window.__iqExtra),
      onerror: () => {
        extraLoad = null;
        ko();
      },
    }));
  }));
}

// A page with a nonce-based Content-Security-Policy gives its nonce to this script's tag.
const addStyles = () => document.head.appendChild(h('style', { nonce: script.nonce }, css));

function domReady() {
  return new Promise((resolve) => {
    if (document.readyState !== 'loading') resolve();
    else document.addEventListener('DOMContentLoaded', () => resolve());
  });
}

/** The banner may show as soon as <body> exists; the gated elements need the whole document. */
function bodyReady() {
  return document.body ? Promise.resolve() : new Promise((resolve) => {
    const watch = new MutationObserver(() => {
      if (document.body) {
        watch.disconnect();
        resolve();
      }
    });
    watch.observe(document.documentElement, { childList: true });
  });
}

function emit(name, detail) {
  document.dispatchEvent(new CustomEvent('iqconsent:' + name, { detail }));
}

/** Call each `{call: "a.b", args}` of a vendor's on_withdraw: a function on window, never eval. */
function run(calls) {
  (calls || []).forEach((c) => {
    let self = window;
    let fn = window;
    c.call.split('.').forEach((k) => {
      self = fn;
      fn = fn == null ? fn : fn[k];
    });
    try {
      if (typeof fn === 'function') fn.apply(self, c.args || []);
    } catch (e) { /* the vendor's own failure must not stop the withdrawal */ }
  });
}

function start() {
  const lang = pageLanguage(script);
  // The one request the first layer waits for goes out first (document.cookie reads may block).
  const configLoad = configFor(lang);
  const gpc = navigator.globalPrivacyControl === true;
  let config = null;
  let decision = null;
  // What is in effect: c, purpose -> bool; v, vendor id -> bool.
  let state = { c: {}, v: {} };
  let seq = 0;
  let ui = null;
  let t = null;
  const copy = () => (decision ? JSON.parse(JSON.stringify(decision)) : null);

  const ctl = {
    base, site, gpc,
    decision: () => decision,
    choices: () => state.c,
    vendors: () => state.v,
    has: (p) => !!state.c[p],
    grantsAny: () => grantsOptional(config, state.c),
    // A site with its own footer controls may hide the floating pill.
    noFab: () => script.getAttribute('data-iq-fab') === 'off' &&
      !!document.querySelector('[data-iq-open]') && !!document.querySelector('[data-iq-withdraw]'),
    decide,
    extra,
  };

  /** The vendor switches the visitor turned off, within the purposes granted now. */
  function kept() {
    const out = {};
    vendorList(config).forEach((e) => { if (state.c[e.p.id]) out[e.v.id] = state.v[e.v.id]; });
    return out;
  }

  /** A placeholder's button: its purpose, and only its own vendor when it names one. */
  function allow(purpose, vendor) {
    const c = Object.assign({}, state.c);
    const v = kept();
    vendorList(config).forEach((e) => { if (e.p.id === purpose && !c[purpose]) v[e.v.id] = !vendor; });
    c[purpose] = true;
    if (vendor) v[vendor] = true;
    decide('custom', c, 'placeholder', v);
  }

  /**
   * Make `next` ({c, v}) what is in effect: what was withdrawn gets its vendors' opt-out calls and
   * loses its declared cookies; the page's gated elements follow.
   */
  function effect(next) {
    const gone = withdrawn(state.c, next.c);
    const goneV = withdrawn(state.v, next.v);
    vendorList(config).forEach((e) => { if (goneV.indexOf(e.v.id) >= 0) run(e.v.on_withdraw); });
    state = next;
    if (gone.length || goneV.length) deleteCookies(cookiesOf(config, gone, goneV));
    applyGating(config, state, t, allow);
  }

  const url = base + '/api/v1/sites/' + site + '/consents';
  // Reload so that no tag that already ran keeps running under what was taken back.
  const reload = (stops) => stops && config.reload_on_withdraw !== false && location.reload();

  /** Keep the decision a 201 states in iq_consent; `stay`: the first layer stays (placeholder). */
  function store(r, stay) {
    decision = Object.assign(r.body, { lang: config.lang, p: stay || undefined, r: decision ? decision.r : undefined });
    writeDecision(decision);
  }

  function decide(action, custom, layer, picked) {
    if (!config) return ready.then(() => decide(action, custom, layer, picked));
    // The receipt the visitor holds proves who they are; their id alone never would.
    const prev = (decision || {}).token;
    if (action === 'withdraw' && !prev) action = 'reject_all';
    const next = choicesFor(config, action === 'withdraw' ? 'reject_all' : action, ctl.gpc, custom);
    const nextV = vendorsFor(config, next, action === 'custom' ? picked || kept() : null);
    const waits = grantsMore(state.c, next) || grantsMore(state.v, nextV);
    const stops = withdrawn(state.c, next).length + withdrawn(state.v, nextV).length > 0;
    // A placeholder grants one thing: the first layer stays until a real choice is made there.
    const stay = layer === 'placeholder' && (!decision || decision.p);
    // A refusal takes effect at once; a grant only once the gateway has returned its receipt.
    effect({ c: interim(state.c, next), v: interim(state.v, nextV) });
    if (!waits) consentUpdate(config, state);
    if (!stay) ui.hideBanner();
    ui.status(t('saving'), true);
    const body = {
      action, choices: action === 'custom' ? next : {}, vendors: action === 'custom' ? nextV : {}, policy_version: config.policy_version,
      config_hash: config.config_hash, lang: config.lang, gpc: ctl.gpc, ui: uiOf(layer), previous_token: prev,
    };
    const mine = ++seq;
    const done = (r) => {
      if (mine !== seq) return;
      if (r.status !== 201) return refused(r, action, custom, layer, picked);
      ctl.offline = false;
      store(r, stay);
      effect({ c: decision.choices, v: vendorsFor(config, decision.choices, decision.vendors) });
      if (waits) consentUpdate(config, state);
      ui.refresh();
      ui.status(action === 'withdraw' ? t('withdrawn') : '');
      emit('change', copy());
      if (!reload(stops)) report();
    };
    if (waits) return postWithRetry(url, body, () => ui.status(t('error'), true)).then(done, () => { if (mine === seq) failed(); });
    // A refusal never depends on the network: it is stored at once as pending, with the time the
    // visitor chose, and sent again on the next pages until the gateway records it.
    body.decided_at = new Date().toISOString();
    decision = Object.assign({}, decision, {
      action, choices: next, vendors: nextV, policy_version: config.policy_version, config_hash: config.config_hash,
      consent_hash: config.consent_hash, lang: config.lang, gpc: ctl.gpc, p: undefined,
      expires_at: new Date(Date.now() + config.consent_max_age_days * 864e5).toISOString(),
      pending: { action, choices: body.choices, vendors: body.vendors, at: body.decided_at, previous_token: prev, ui: body.ui },
    });
    writeDecision(decision);
    ui.refresh();
    emit('change', copy());
    const later = () => {
      if (mine !== seq) return;
      ctl.offline = true;
      ui.status(t('pending'));
      if (!reload(stops)) flush();
    };
    return post(url, body).then((r) => (r.status >= 500 || r.status === 429 ? later() : done(r)), later);
  }

  /** Send the stored pending refusal again (a page after it was chosen) until it is recorded. */
  function flush() {
    const d = decision;
    const q = d && d.pending;
    if (!q) return;
    postWithRetry(url, {
      action: q.action, choices: q.choices, vendors: q.vendors, policy_version: d.policy_version,
      config_hash: d.config_hash, lang: d.lang, gpc: d.gpc, decided_at: q.at, previous_token: q.previous_token, ui: q.ui,
    }, () => {}).then((r) => {
      if (decision !== d) return;
      if (r.status === 201) {
        store(r);
        ui.refresh();
      } else if (q.previous_token && r.body.field === 'previous_token') {
        // A receipt the gateway no longer knows: the refusal stands for a new visitor.
        q.previous_token = undefined;
        if (q.action === 'withdraw') q.action = 'reject_all';
        flush();
      } else {
        // Refused for good (the banner changed meanwhile): nothing is granted without a
        // decision, and the visitor is asked again.
        decision = null;
        writeDecision({});
        ui.showBanner();
      }
    }, () => {});
  }

  /**
   * 409: the banner changed under the visitor; fetch it anew and ask again. A stored receipt the
   * gateway no longer accepts (purged, or signed with a retired key): decide afresh, as a new
   * visitor (a withdrawal becomes a refusal). Other 4xx: say so, in the page's language.
   */
  function refused(r, action, custom, layer, picked) {
    if (r.status === 400 && decision && r.body.field === 'previous_token') {
      decision = null;
      return decide(action, custom, layer, picked);
    }
    if (r.status === 409) {
      return configFor(lang, true).then((fresh) => {
        load(fresh);
        document.getElementById('iq-consent').remove();
        ui = createUI(ctl);
        ui.showBanner();
      });
    }
    ui.status(t('refused'), true);
    if (!decision) ui.showBanner();
  }

  /**
   * Once a decision exists: the first-party cookie names that no declared cookie matches, sent
   * (names only) at most once a day; the day is kept in the iq_consent cookie.
   */
  function report() {
    const day = new Date().toISOString().slice(0, 10);
    if (!decision || decision.r === day) return;
    const known = cookiesOf(config).map((c) => c.name).concat('iq_consent');
    const names = cookieNames().filter((n) => !known.some((k) => matches(k, n))).slice(0, 50);
    if (!names.length) return;
    decision.r = day;
    writeDecision(decision);
    post(base + '/api/v1/sites/' + site + '/undeclared-cookies', { names }).catch(() => {});
  }

  function load(fresh) {
    config = ctl.config = fresh;
    ctl.gpc = gpc || config.gpc === true;
    t = ctl.t = translator(config.texts);
  }

  function failed() {
    ctl.offline = true;
    ui.status(t('failed'));
    if (!decision) ui.showBanner();
  }

  const ready = Promise.all([configLoad, bodyReady()]).then((res) => {
    // Read here, not from the top level: Chromium notes where document.cookie is read (with
    // DevTools attached, as in the timing bench), and V8 then reparses every function on the stack
    // for its source positions; from the top level, that is the whole script (3-10 ms).
    const stored = readDecision();
    load(res[0]);
    addStyles();
    ui = createUI(ctl);
    const refuse = choicesFor(config, 'reject_all');
    // Gating waits for the whole document; a decision taken meanwhile updates `state`.
    state = { c: refuse, v: vendorsFor(config, refuse) };
    if (!needsBanner(stored, config, Date.now())) {
      decision = stored;
      state = { c: stored.choices, v: vendorsFor(config, stored.choices, stored.vendors) };
      consentUpdate(config, state);
      // After the page where it was taken, the floating control starts folded.
      ctl.folded = true;
    }
    // showBanner refreshes the rest itself: a second whole-page scan would only delay it.
    if (!decision || decision.p) {
      ui.showBanner();
      countImpression(base, site, () => {
        // A Sec-GPC header the page cannot see: the gateway honours it, the banner says so.
        ctl.gpc = true;
        if (!decision || decision.p) ui.showBanner();
      });
    } else {
      ui.refresh();
    }
    return domReady().then(() => {
      effect(state);
      ui.refresh();
      watchLateElements(() => effect(state));
    }).then(() => {
      if (document.querySelector('form[data-iq-contact]')) extra().then((x) => x.prefetchContact(ctl), () => {});
      document.addEventListener('submit', (e) => {
        const form = e.target;
        if (!form.hasAttribute || !form.hasAttribute('data-iq-contact')) return;
        e.preventDefault();
        extra().then((x) => x.submitContact(ctl, form), () => ui.status(t('contact_error')));
      });
      document.addEventListener('click', (e) => {
        const el = e.target.closest && e.target.closest('[data-iq-open],[data-iq-withdraw]');
        if (!el) return;
        e.preventDefault();
        if (el.hasAttribute('data-iq-open')) ui.open(el);
        else decide('withdraw', undefined, 'first');
      });
      flush();
      report();
      emit('ready', copy());
    });
  });

  window.IQConsent = {
    get: copy,
    has: (p) => !!state.c[p],
    open: () => ready.then(() => ui.open()),
    acceptAll: () => decide('accept_all'),
    rejectAll: () => decide('reject_all'),
    set: (picked) => decide('custom', Object.assign({}, state.c, picked)),
    withdraw: () => decide('withdraw'),
    on: (name, fn) => document.addEventListener('iqconsent:' + name, (e) => fn(e.detail)),
    ready,
  };
}

if (isIE11(navigator.userAgent)) {
  addStyles();
  showIE11Notice(base + '/api/v1/sites/' + site + '/banner?lang=fr');
} else {
  start();
}
