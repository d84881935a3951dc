// The decision model, kept apart from the DOM: what each action grants, what takes effect before
// the receipt, and whether the visitor must be asked again.

/** A purpose the visitor may refuse (consent-based and not required). */
export const optional = (p) => !p.required && p.legal_basis === 'consent';

/**
 * The full choices an action leads to. Under GPC, "accept all" keeps gpc_sensitive purposes
 * denied (as the gateway does); only an explicit custom opt-in grants them.
 */
export function choicesFor(config, action, gpc, custom) {
  const out = {};
  config.purposes.forEach((p) => {
    out[p.id] = !optional(p) || (action === 'accept_all' ? !(gpc && p.gpc_sensitive)
      : action === 'custom' ? !!(custom && custom[p.id]) : false);
  });
  return out;
}

/** What may take effect before the receipt: only what both the old and the new choices grant. */
export function interim(before, next) {
  const out = {};
  Object.keys(next).forEach((id) => { out[id] = !!(before && before[id]) && next[id]; });
  return out;
}

/** Purposes granted in `before` and not in `after`. */
export function withdrawn(before, after) {
  return Object.keys(before || {}).filter((id) => before[id] && !after[id]);
}

/** Whether `next` grants something `before` did not (so it must wait for the receipt). */
export function grantsMore(before, next) {
  return Object.keys(next).some((id) => next[id] && !(before && before[id]));
}

/** The accept button's text key: under GPC, "accept all" keeps the signal's purposes refused. */
export const acceptKey = (config, gpc) =>
  (gpc && config.purposes.some((p) => optional(p) && p.gpc_sensitive) ? 'accept_all_gpc' : 'accept_all');

export function grantsOptional(config, choices) {
  return config.purposes.some((p) => optional(p) && choices && choices[p.id]);
}

/**
 * Ask again when there is no decision (recorded, or a refusal still pending), when it expired, or
 * when what consent covers (`consent_hash`: purposes, vendors, legal bases, policy version)
 * changed since; never for a change of wording alone.
 */
export function needsBanner(stored, config, now) {
  return !stored || !(stored.token || stored.pending) || stored.policy_version !== config.policy_version ||
    stored.consent_hash !== config.consent_hash || !(Date.parse(stored.expires_at) > now);
}

/** Every declared vendor with an id, with its purpose: [{v, p}]. */
export function vendorList(config) {
  const out = [];
  config.purposes.forEach((p) => p.vendors.forEach((v) => { if (v.id) out.push({ v, p }); }));
  return out;
}

/**
 * The vendor choices sent with a decision: a vendor is granted when its purpose is and the
 * visitor did not switch it off (`picked[id] === false`).
 */
export function vendorsFor(config, choices, picked) {
  const out = {};
  vendorList(config).forEach((e) => { out[e.v.id] = !!choices[e.p.id] && !(picked && picked[e.v.id] === false); });
  return out;
}

/** The declared cookies of `purposes` (all of them without `purposes`) and of `vendors`. */
export function cookiesOf(config, purposes, vendors) {
  const out = [];
  config.purposes.forEach((p) => p.vendors.forEach((v) => {
    if (!purposes || purposes.indexOf(p.id) >= 0 || (vendors || []).indexOf(v.id) >= 0) out.push.apply(out, v.cookies);
  }));
  return out;
}
