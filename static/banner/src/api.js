// The calls to the gateway, at the script's own origin. Posts are simple requests (no CORS
// preflight): a string body goes as text/plain JSON, a FormData as multipart/form-data. Network
// failures and 5xx/429 are retried with backoff.

export function fetchConfig(base, site, lang, fresh) {
  return fetch(base + '/api/v1/sites/' + encodeURIComponent(site) + '/banner?lang=' + lang,
    { credentials: 'omit', cache: fresh ? 'no-cache' : 'default' })
    .then((r) => (r.ok ? r.json() : Promise.reject(new Error('banner config ' + r.status))));
}

/** POST `body` (an object, sent as JSON text, or a FormData); resolves to {status, body}. */
export function post(url, body) {
  return fetch(url, {
    method: 'POST', credentials: 'omit', body: body instanceof FormData ? body : JSON.stringify(body),
  }).then((r) => r.json().catch(() => ({})).then((json) => ({ status: r.status, body: json })));
}

/** POST with exponential backoff (0.5 s, 1 s, 2 s, 4 s, 8 s); onRetry(n) before each new try. */
export function postWithRetry(url, body, onRetry) {
  return new Promise((resolve, reject) => {
    let tries = 0;
    const retry = (err) => {
      if (++tries > 5) return reject(err);
      onRetry(tries);
      setTimeout(go, 250 * Math.pow(2, tries));
    };
    const go = () => post(url, body).then((r) => (r.status >= 500 || r.status === 429 ? retry(r) : resolve(r)), retry);
    go();
  });
}
