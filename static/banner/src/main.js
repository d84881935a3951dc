// consent.js: the entry point. Consent Mode's default goes first; IE11 gets its notice and nothing
// else; everyone else gets the controller below, which keeps the decision and drives the UI.

import { consentDefault, consentUpdate } from './gcm.js';
import { isIE11, showIE11Notice } from './ie11.js';
import { fetchConfig, postWithRetry } from './api.js';
import { pageLanguage, translator } from './i18n.js';
import { readDecision, writeDecision, deleteCookies } from './storage.js';
import {
  choicesFor, interim, withdrawn, grantsMore, grantsOptional, needsBanner, cookiesOf,
} from './state.js';
import { applyGating, watchLateElements } from './gating.js';
import { createUI } from './ui.js';
import { bindContactForms } from './contact.js';
import { countImpression, uiOf } from './impression.js';
import css from './styles.css';

consentDefault();

const script = document.currentScript || document.querySelector('script[data-site]');
const site = script.getAttribute('data-site');
const base = script.src.match(/^https?:\/\/[^/]+/)[0];

function addStyles() {
  const style = document.createElement('style');
  style.id = 'iq-consent-css';
  // A page with a nonce-based Content-Security-Policy gives its nonce to this script's tag.
  if (script.nonce) style.nonce = script.nonce;
  style.appendChild(document.createTextNode(css));
  document.head.appendChild(style);
}

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

function start() {
  const lang = pageLanguage(script);
  // The one request the first layer waits for goes out first (document.cookie reads may block).
  const configLoad = fetchConfig(base, site, lang);
  const gpc = navigator.globalPrivacyControl === true;
  let config = null;
  let decision = null;
  let choices = {};
  let seq = 0;
  let ui = null;
  let t = null;
  const copy = () => (decision ? JSON.parse(JSON.stringify(decision)) : null);

  const ctl = {
    base, site, gpc,
    decision: () => decision,
    choices: () => choices,
    has: (p) => !!choices[p],
    grantsAny: () => grantsOptional(config, choices),
    decide,
  };

  function grant(purpose) {
    const out = Object.assign({}, choices);
    out[purpose] = true;
    return out;
  }

  /** Make `next` the effective choices: delete cookies of what was withdrawn, (un)gate. */
  function effect(next) {
    const gone = withdrawn(choices, next);
    choices = next;
    if (gone.length) deleteCookies(cookiesOf(config, gone));
    applyGating(config, choices, t, (purpose) => decide('custom', grant(purpose), 'placeholder'));
  }

  function decide(action, custom, layer) {
    if (!config) return ready.then(() => decide(action, custom, layer));
    if (action === 'withdraw' && !decision) action = 'reject_all';
    const next = choicesFor(config, action === 'withdraw' ? 'reject_all' : action, ctl.gpc, custom);
    const waits = grantsMore(choices, next);
    // A refusal takes effect at once; a grant only once the gateway has returned its receipt.
    effect(interim(choices, next));
    if (!waits) consentUpdate(config, choices);
    ui.hideBanner();
    ui.status(t('saving'), true);
    const body = {
      action, choices: action === 'custom' ? next : {}, policy_version: config.policy_version,
      config_hash: config.config_hash, lang: config.lang, gpc: ctl.gpc, ui: uiOf(layer),
    };
    // The receipt the visitor holds proves who they are; their id alone never would.
    if (decision) body.previous_token = decision.token;
    const mine = ++seq;
    return postWithRetry(base + '/api/v1/sites/' + site + '/consents', body, () => ui.status(t('error'), true))
      .then((r) => {
        if (mine !== seq) return;
        if (r.status !== 201) return refused(r, action, custom);
        const iq = (r.body.receipt && r.body.receipt.iqera) || {};
        decision = {
          receipt_id: r.body.receipt_id, visitor_id: r.body.visitor_id, token: r.body.token,
          action, choices: iq.choices || next, policy_version: config.policy_version,
          config_hash: config.config_hash, lang: config.lang, gpc: ctl.gpc, expires_at: r.body.expires_at,
        };
        writeDecision(decision, config.consent_max_age_days);
        effect(decision.choices);
        if (waits) consentUpdate(config, choices);
        ui.refresh();
        ui.status(action === 'withdraw' ? t('withdrawn') : '');
        emit('change', copy());
      }, () => { if (mine === seq) failed(); });
  }

  /**
   * 409: the banner changed under the visitor; fetch it anew and ask again. A stored receipt the
   * gateway no longer accepts (purged, or signed with a retired key): decide afresh, as a new
   * visitor (a withdrawal becomes a refusal). Other 4xx: say so.
   */
  function refused(r, action, custom) {
    if (r.status === 400 && decision && r.body && r.body.field === 'previous_token') {
      decision = null;
      return decide(action, custom);
    }
    if (r.status === 409) {
      return fetchConfig(base, site, lang, true).then((fresh) => {
        load(fresh);
        document.getElementById('iq-consent').remove();
        ui = createUI(ctl);
        ui.showBanner();
      });
    }
    ui.status((r.body && r.body.message) || t('error'), true);
    if (!decision) ui.showBanner();
  }

  function load(fresh) {
    config = ctl.config = fresh;
    ctl.gpc = gpc || config.gpc === true;
    t = ctl.t = translator(config.texts);
  }

  function failed() {
    ui.status(t('error'), false);
    if (!decision) ui.showBanner();
  }

  const stored = readDecision();
  const ready = Promise.all([configLoad, bodyReady()]).then((res) => {
    load(res[0]);
    // A decision given in another language is checked against that language's banner.
    const shown = stored && stored.lang !== config.lang
      ? fetchConfig(base, site, stored.lang).then((c) => c.config_hash, () => '')
      : Promise.resolve(config.config_hash);
    return shown.then((hash) => {
      addStyles();
      ui = createUI(ctl);
      let initial = choicesFor(config, 'reject_all');
      if (!needsBanner(stored, config, hash, Date.now())) {
        decision = stored;
        initial = stored.choices;
        consentUpdate(config, initial);
      } else {
        ui.showBanner();
        countImpression(base, site);
      }
      ui.refresh();
      // Gating waits for the whole document; a decision taken meanwhile has updated `choices`.
      choices = initial;
      return domReady().then(() => {
        effect(choices);
        watchLateElements(() => effect(choices));
      });
    }).then(() => {
      bindContactForms(ctl);
      document.addEventListener('click', (e) => {
        const opener = e.target.closest && e.target.closest('[data-iq-open]');
        if (opener) {
          e.preventDefault();
          ui.open(opener);
        }
      });
      emit('ready', copy());
    });
  });

  window.IQConsent = {
    get: copy,
    has: (p) => !!choices[p],
    open: () => ready.then(() => ui.open()),
    acceptAll: () => decide('accept_all'),
    rejectAll: () => decide('reject_all'),
    set: (picked) => decide('custom', Object.assign({}, choices, picked)),
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
