// A site's own contact form marked data-iq-contact, sent through the gateway with the visitor's
// receipt token. connection_time and pages_visited are added only under audience_measurement.

import { h } from './dom.js';
import { postJSON } from './api.js';

const loaded = new Date(performance.timeOrigin || Date.now()).toISOString();

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
  document.addEventListener('submit', (e) => {
    const form = e.target;
    if (!form.hasAttribute || !form.hasAttribute('data-iq-contact')) return;
    e.preventDefault();
    const fields = {};
    new FormData(form).forEach((value, name) => {
      if (typeof value === 'string' && value.trim() !== '') fields[name] = value.trim();
    });
    ['connection_time', 'pages_visited', 'location'].forEach((n) => { delete fields[n]; });
    if (ctl.has('audience_measurement')) {
      fields.connection_time = loaded;
      fields.pages_visited = location.pathname;
    }
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
    postJSON(ctl.base + '/api/v1/sites/' + ctl.site + '/contact', body).then((r) => {
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
  });
}
