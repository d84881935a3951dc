// The anonymous count of first-layer showings, and where and how long after it showed each
// decision is taken (the stats' fairness audit). No identifier, no cookie, nothing stored: a
// POST with no body, which is a simple request (no preflight).

let shownAt = 0;

/** Count the showing; `onGpc` runs when the gateway saw a Sec-GPC header the page cannot see. */
export function countImpression(base, site, onGpc) {
  shownAt = performance.now();
  // In a task of its own: starting a request costs the main thread a few milliseconds.
  setTimeout(() => fetch(base + '/api/v1/sites/' + encodeURIComponent(site) + '/impressions',
    { method: 'POST', credentials: 'omit', keepalive: true })
    .then((r) => { if (r.headers.get('IQ-GPC')) onGpc(); }).catch(() => {}));
}

/** The `ui` of a decision body: the layer it was taken on, and the time since the banner showed. */
export function uiOf(layer) {
  return { layer: layer || 'api', ms: Math.max(0, Math.round(performance.now() - shownAt)) };
}
