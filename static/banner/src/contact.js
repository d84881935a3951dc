// A site's own contact form marked data-iq-contact, sent through the gateway with the visitor's
// receipt token. The fields a browser fills itself are those whose kind, in the site's contact
// declaration (GET /api/v1/sites/<site>/contact), is datetime (when the visitor arrived) or
// url_list (the page); each is added only once its declared purpose is granted. A country field
// is the gateway's to fill: nothing typed or added here is sent for it.

import { h } from './dom.js';
import { postForm, postJSON } from './api.js';

const loaded = new Date(performance.timeOrigin || Date.now()).toISOString();
const AUTOMATIC = { datetime: () => loaded, url_list: () => location.pathname, country: () => null };
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

function statusOf(form) {
  let el = form.querySelector('[data-iq-contact-status]');
  if (!el) {
    el = h('p', { 'data-iq-contact-status': true, role: 'status' });
    form.appendChild(el);
  }
  return el;
}

function markInvalid(form, name, message) {
  const input = form.elements[name];
  if (!input || !input.setAttribute) return;
  const id = 'iq-err-' + name;
  input.setAttribute('aria-invalid', 'true');
  input.setAttribute('aria-describedby', id);
  input.insertAdjacentElement('afterend', h('span', { id, class: 'iq-error', 'data-iq-error': true }, message));
  input.focus();
}

/** Listen for submits of form[data-iq-contact]; ctl gives {base, site, t, decision(), has(p)}. */
export function bindContactForms(ctl) {
  if (document.querySelector('form[data-iq-contact]')) declaredFields(ctl);
  document.addEventListener('submit', (e) => {
    const form = e.target;
    if (!form.hasAttribute || !form.hasAttribute('data-iq-contact')) return;
    e.preventDefault();
    const fields = {};
    const files = [];
    new FormData(form).forEach((value, name) => {
      if (typeof value === 'string' && value.trim() !== '') fields[name] = value.trim();
      else if (typeof value !== 'string' && value.size > 0) files.push([name, value]);
    });
    declaredFields(ctl).then((specs) => send(ctl, form, fields, specs, files));
  });
}

/** The body as multipart/form-data (one part per field, files included) when files were chosen. */
function multipart(body, files) {
  const data = new FormData();
  Object.keys(body.fields).forEach((name) => data.append(name, body.fields[name]));
  files.forEach((pair) => data.append(pair[0], pair[1], pair[1].name));
  if (body.consent_token) data.append('consent_token', body.consent_token);
  return data;
}

function send(ctl, form, fields, specs, files) {
  specs.forEach((spec) => {
    const fill = AUTOMATIC[spec.kind];
    if (!fill) return;
    delete fields[spec.name];
    const value = ctl.has(spec.purpose) && fill();
    if (value) fields[spec.name] = value;
  });
  const body = { fields };
  const decision = ctl.decision();
  if (decision) body.consent_token = decision.token;
  form.querySelectorAll('[data-iq-error]').forEach((el) => el.remove());
  form.querySelectorAll('[aria-invalid]').forEach((el) => {
    el.removeAttribute('aria-invalid');
    el.removeAttribute('aria-describedby');
  });
  const status = statusOf(form);
  const t = ctl.t;
  status.textContent = t('saving');
  const url = ctl.base + '/api/v1/sites/' + ctl.site + '/contact';
  (files.length ? postForm(url, multipart(body, files)) : postJSON(url, body)).then((r) => {
    const json = r.body;
    if (r.status === 201) {
      const dropped = (json.dropped || []).map((d) => d.field + ' (' + d.reason + ')');
      status.textContent = t('contact_sent') + (dropped.length ? ' ' + t('contact_dropped') + ' ' + dropped.join(', ') : '');
      form.reset();
    } else {
      status.textContent = json.message || t('contact_error');
      if (json.field) markInvalid(form, json.field, json.message);
    }
  }, () => { status.textContent = t('contact_error'); });
}
