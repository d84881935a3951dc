// A site's own contact form marked data-iq-contact, sent through the gateway with the visitor's
// receipt token. The fields a browser fills itself are those whose kind, in the site's contact
// declaration (GET /api/v1/sites/<site>/contact), is datetime (when the visitor arrived) or
// url_list (the page); each is added only once its declared purpose is granted. A country field
// is the gateway's to fill: nothing typed or added here is sent for it.

import { h } from './dom.js';
import { post } from './api.js';

// The arrival time, formatted only when a form needs it: a script's first Date costs about 0.4 ms.
const loaded = performance.timeOrigin || Date.now();
const AUTOMATIC = { datetime: () => new Date(loaded).toISOString(), url_list: () => location.pathname, country: () => null };
let declared;

/** The site's declared contact fields (cached; an empty list when they cannot be read). */
function declaredFields(ctl) {
  if (!declared) {
    declared = fetch(ctl.base + '/api/v1/sites/' + encodeURIComponent(ctl.site) + '/contact?lang=' + ((ctl.config || {}).lang || ''),
      { credentials: 'omit' })
      .then((r) => (r.ok ? r.json() : Promise.reject(r)))
      .then((json) => json.fields || [], () => { declared = null; return []; });
  }
  return declared;
}

function markInvalid(form, name, message) {
  const input = form.elements[name];
  if (!input || !input.setAttribute) return;
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', 'iq-err-' + name);
  input.insertAdjacentElement('afterend', h('span', { id: 'iq-err-' + name, class: 'iq-error', 'data-iq-error': true }, message));
  input.focus();
}

/** Fetch the declaration early when the page has a form[data-iq-contact]. */
export const prefetchContact = declaredFields;

/** Send a submitted form[data-iq-contact]; ctl gives {base, site, t, decision(), has(p)}. */
export function submitContact(ctl, form) {
  const fields = {};
  const files = [];
  new FormData(form).forEach((value, name) => {
    if (typeof value === 'string' && value.trim() !== '') fields[name] = value.trim();
    else if (typeof value !== 'string' && value.size > 0) files.push([name, value]);
  });
  declaredFields(ctl).then((specs) => send(ctl, form, fields, specs, files));
}

function send(ctl, form, fields, specs, files) {
  specs.forEach((spec) => {
    const fill = AUTOMATIC[spec.kind];
    if (!fill) return;
    delete fields[spec.name];
    const value = ctl.has(spec.purpose) && fill();
    if (value) fields[spec.name] = value;
  });
  const decision = ctl.decision();
  const body = { fields, consent_token: decision ? decision.token : undefined };
  // With files: multipart/form-data, one part per field, the files and the token.
  let data = body;
  if (files.length) {
    data = new FormData();
    Object.keys(fields).forEach((name) => data.append(name, fields[name]));
    files.forEach((pair) => data.append(pair[0], pair[1], pair[1].name));
    if (decision) data.append('consent_token', decision.token);
  }
  form.querySelectorAll('[data-iq-error]').forEach((el) => el.remove());
  form.querySelectorAll('[aria-invalid]').forEach((el) => {
    el.removeAttribute('aria-invalid');
    el.removeAttribute('aria-describedby');
  });
  const status = form.querySelector('[data-iq-contact-status]') ||
    form.appendChild(h('p', { 'data-iq-contact-status': true, role: 'status' }));
  const t = ctl.t;
  status.textContent = t('saving');
  post(ctl.base + '/api/v1/sites/' + ctl.site + '/contact', data).then((r) => {
    const json = r.body;
    // Named by their declared labels, in the page's language (the API's reasons are codes).
    const label = (name) => (specs.filter((f) => f.name === name)[0] || { label: name }).label;
    const dropped = (json.dropped || []).map((d) => label(d.field));
    // In the page's language, from the declared texts: the API's own messages are English.
    const invalid = json.field && t('contact_invalid', { field: label(json.field) });
    status.textContent = r.status === 201
      ? t('contact_sent') + (dropped.length ? ' ' + t('contact_dropped') + ' ' + dropped.join(', ') : '')
      : invalid || t('contact_error');
    if (r.status === 201) form.reset();
    else if (invalid) markInvalid(form, json.field, invalid);
    if (ctl.dodge) ctl.dodge();
  }, () => { status.textContent = t('contact_error'); });
}
