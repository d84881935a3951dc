// Google Consent Mode v2: the default (everything denied) before anything else, then updates.
// ES5 only: this module also runs on the IE11 path.

var TYPES = ['ad_storage', 'ad_user_data', 'ad_personalization', 'analytics_storage',
  'functionality_storage', 'personalization_storage', 'security_storage'];

function gtag() {
  // Exactly what Google's snippet does: push the arguments object, not an array.
  (window.dataLayer = window.dataLayer || []).push(arguments);
}

function states(granted, types) {
  var out = {};
  types.forEach(function (t) { out[t] = granted[t] ? 'granted' : 'denied'; });
  return out;
}

/** Push gtag('consent','default',{all denied, wait_for_update}). Must run first. */
export function consentDefault() {
  var out = states({}, TYPES);
  out.wait_for_update = 500;
  gtag('consent', 'default', out);
}

/**
 * Push gtag('consent','update',{...}) for `s` ({c: purpose -> bool, v: vendor -> bool}): a type is
 * granted only when a granted vendor needs it (its own `gcm`, else its purpose's); a purpose with
 * no vendor grants its own `gcm`.
 */
export function consentUpdate(config, s) {
  var granted = {};
  config.purposes.forEach(function (p) {
    if (!s.c[p.id]) return;
    (p.vendors.length ? p.vendors : [{ gcm: p.gcm }]).forEach(function (v) {
      if (s.v[v.id] !== false) (v.gcm || p.gcm).forEach(function (t) { granted[t] = 1; });
    });
  });
  gtag('consent', 'update', states(granted, TYPES));
}
