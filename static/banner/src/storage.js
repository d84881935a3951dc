// The one cookie the banner sets: iq_consent, written only once a receipt exists; and the
// deletion of the declared cookies of withdrawn purposes.

function setCookie(name, value, maxAge, domain) {
  document.cookie = name + '=' + value + '; Max-Age=' + maxAge + '; Path=/; SameSite=Lax' +
    (domain ? '; Domain=' + domain : '') + (location.protocol === 'https:' ? '; Secure' : '');
}

/** The names of the cookies the page can read. */
export const cookieNames = () => document.cookie.split(/; */).map((c) => c.split('=')[0]).filter(Boolean);

/** Whether cookie `name` matches a declared name (which may hold * wildcards). */
export const matches = (declared, name) =>
  new RegExp('^' + declared.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$').test(name);

/**
 * The stored decision (base64url JSON holding the receipt token), or null. A first visit (no
 * cookie) is answered without throwing: an exception's stack trace costs milliseconds before the
 * banner shows.
 */
export function readDecision() {
  const m = document.cookie.match(/(?:^|; )iq_consent=([^;]+)/);
  try {
    return m && JSON.parse(decodeURIComponent(escape(atob(m[1].replace(/-/g, '+').replace(/_/g, '/')))));
  } catch (e) {
    return null;
  }
}

/** Store `decision` until its expires_at (one without it, e.g. {}, deletes the cookie). */
export function writeDecision(decision) {
  const json = unescape(encodeURIComponent(JSON.stringify(decision)));
  setCookie('iq_consent', btoa(json).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
    Math.round((Date.parse(decision.expires_at) - Date.now()) / 1000) || 0);
}

/**
 * Delete every present cookie matching a declared {name, domain} (names may hold * wildcards):
 * host-only, on the current host and each of its parent domains, and on an explicit domain.
 */
export function deleteCookies(declared) {
  const labels = location.hostname.split('.');
  const domains = labels.map((l, i) => labels.slice(i).join('.'));
  domains[labels.length - 1] = '';
  declared.forEach((c) => {
    cookieNames().filter((n) => matches(c.name, n)).forEach((n) => {
      domains.concat(c.domain === 'first_party' ? [] : [c.domain]).forEach((d) => setCookie(n, '', 0, d));
    });
  });
}
