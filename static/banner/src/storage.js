// The one cookie the banner sets: iq_consent, written only once a receipt exists; and the
// deletion of the declared cookies of withdrawn purposes.

const NAME = 'iq_consent';

function setCookie(name, value, maxAge, domain) {
  document.cookie = name + '=' + value + '; Max-Age=' + maxAge + '; Path=/; SameSite=Lax' +
    (domain ? '; Domain=' + domain : '') + (location.protocol === 'https:' ? '; Secure' : '');
}

/** The stored decision (base64url JSON holding the receipt token), or null. */
export function readDecision() {
  const m = document.cookie.match(/(?:^|; )iq_consent=([^;]+)/);
  if (!m) return null;
  try {
    return JSON.parse(decodeURIComponent(escape(atob(m[1].replace(/-/g, '+').replace(/_/g, '/')))));
  } catch (e) {
    return null;
  }
}

export function writeDecision(decision, maxAgeDays) {
  const json = unescape(encodeURIComponent(JSON.stringify(decision)));
  setCookie(NAME, btoa(json).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''), maxAgeDays * 86400);
}

/** Delete every cookie matching a declared {name, domain} (names may end with a * wildcard). */
export function deleteCookies(declared) {
  const present = document.cookie.split(/; */).map((c) => c.split('=')[0]);
  const host = location.hostname;
  declared.forEach((c) => {
    const re = new RegExp('^' + c.name.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$');
    present.filter((n) => re.test(n)).forEach((n) => {
      ['', c.domain, host, '.' + host].forEach((d) => setCookie(n, '', 0, d));
    });
  });
}
