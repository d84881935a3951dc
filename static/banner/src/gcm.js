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

/** Push gtag('consent','update',{...}): a type is granted only if every purpose mapping it is. */
export function consentUpdate(config, choices) {
  var granted = {};
  var types = TYPES.slice();
  config.purposes.forEach(function (p) {
    p.gcm.forEach(function (t) {
      if (types.indexOf(t) < 0) types.push(t);
      granted[t] = (granted[t] === undefined || granted[t]) && !!choices[p.id];
    });
  });
  gtag('consent', 'update', states(granted, types));
}
