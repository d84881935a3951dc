"""A site page on ANOTHER origin than the gateway (http://localhost:47810, the fixture site
`vendorsite`) carrying the real snippets of the eight declared vendors, gated with data-consent /
data-vendor. Nothing reaches the internet: the page itself and every vendor request are answered by
Playwright's request interception, and every vendor request is recorded.

The vendor libraries are small stand-ins that behave like the real ones where the tests look:
they send their hits (page view on load, engagement on click) as image requests to the vendor's
host, set their first-party cookies, and honour their documented opt-out call (Consent Mode
`analytics_storage`, Matomo `forgetConsentGiven`, `fbq('consent', 'revoke')`, HubSpot
`revokeCookieConsent`). LinkedIn Insight has no opt-out call: only the page's reload stops it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from urllib.parse import urlparse

from playwright.sync_api import Page, Route

ORIGIN = "http://localhost:47810"
SITE = "vendorsite"

# URL fragment -> vendor id; the first match names a request's vendor.
VENDOR_OF = [
    ("tid=GTM-", "google_tag_manager"), ("googletagmanager.com/gtm", "google_tag_manager"),
    ("googletagmanager.com/gtag", "google_analytics"), ("google-analytics.com", "google_analytics"),
    ("matomo", "matomo"), ("facebook", "meta_pixel"), ("linkedin", "linkedin_insight"),
    ("licdn", "linkedin_insight"), ("hsforms", "hubspot_forms"), ("hubspot", "hubspot_forms"),
    ("youtube", "youtube"), ("google.com/maps", "google_maps"),
]
VENDORS = {"google_analytics", "google_tag_manager", "matomo", "meta_pixel", "linkedin_insight",
           "hubspot_forms", "youtube", "google_maps"}

HIT = "function hit(u) { new Image().src = u + (u.indexOf('?') < 0 ? '?' : '&') + 'r=' + Math.random(); }"
GA_GRANTED = """function granted() { var s = 'denied';
  (window.dataLayer || []).forEach(function (a) { if (a[0] === 'consent' && a[2] && a[2].analytics_storage) s = a[2].analytics_storage; });
  return s === 'granted'; }"""
STUBS = {
    "googletagmanager.com/gtag/js": HIT + GA_GRANTED + """
      function send(en) { if (granted()) { hit('https://www.google-analytics.com/g/collect?v=2&tid=G-TEST1&en=' + en);
        document.cookie = '_ga=GA1.1.1; path=/; max-age=3600'; document.cookie = '_ga_TEST1=GS1.1; path=/; max-age=3600'; } }
      send('page_view'); document.addEventListener('click', function () { send('user_engagement'); });""",
    # GTM's conversion linker writes Google Ads' first-party _gcl_au once ad_storage is granted.
    "googletagmanager.com/gtm.js": HIT + GA_GRANTED + """
      function send() { if (granted()) hit('https://www.google-analytics.com/g/collect?v=2&tid=GTM-TEST1'); }
      function ads() { var s = 'denied';
        (window.dataLayer || []).forEach(function (a) { if (a[0] === 'consent' && a[2] && a[2].ad_storage) s = a[2].ad_storage; });
        if (s === 'granted') document.cookie = '_gcl_au=1.1.123456.789; path=/; max-age=7776000'; }
      send(); ads(); document.addEventListener('click', function () { send(); ads(); });""",
    "matomo.js": HIT + """
      var queue = window._paq || [], url = '', forgot = false;
      function send() { if (forgot) return; hit(url + '?idsite=1&rec=1');
        document.cookie = '_pk_id.1.a1b2=0123456789abcdef; path=/; max-age=3600';
        document.cookie = '_pk_ses.1.a1b2=1; path=/; max-age=1800'; }
      function run(c) { if (c[0] === 'setTrackerUrl') url = c[1]; if (c[0] === 'forgetConsentGiven') forgot = true;
        if (c[0] === 'enableHeartBeatTimer') setInterval(function () { if (!forgot) hit(url + '?idsite=1&ping=' + Date.now()); }, 200); }
      queue.forEach(run); window._paq = {push: function () { [].forEach.call(arguments, run); }};
      send(); document.addEventListener('click', send);""",
    "fbevents.js": HIT + """
      var f = window.fbq, revoked = false;
      function send(ev) { if (!revoked) hit('https://www.facebook.com/tr?id=123456789&ev=' + ev); }
      f.callMethod = function (a, b) { if (a === 'consent') revoked = b === 'revoke'; else if (a === 'track') send(b); };
      var q = f.queue.slice(); f.queue.length = 0; q.forEach(function (a) { f.callMethod.apply(f, a); });
      document.cookie = '_fbp=fb.1.123.456; path=/; max-age=3600';
      document.addEventListener('click', function () { window.fbq('track', 'ViewContent'); });""",
    "insight.min.js": HIT + "hit('https://px.ads.linkedin.com/collect/?pid=1234567&fmt=gif');",
    "hsforms.net/forms/embed/v2.js": HIT + """
      var revoked = false, queue = window._hsq || [];
      function run(c) { if (c[0] === 'revokeCookieConsent') revoked = true; }
      queue.forEach(run); window._hsq = {push: function () { [].forEach.call(arguments, run); }};
      function track() { if (!revoked) hit('https://track.hubspot.com/__pt.gif?k=1'); }
      window.hbspt = {forms: {create: function (o) {
        var form = document.createElement('form'); form.className = 'hs-form';
        form.innerHTML = '<label for="hs-email">E-mail</label> <input id="hs-email" type="email"> <button type="submit">Envoyer</button>';
        document.querySelector(o.target).appendChild(form);
        hit('https://forms.hsforms.com/embed/v3/form/' + o.portalId + '/' + o.formId);
        document.cookie = 'hubspotutk=abc123; path=/; max-age=3600'; track(); }}};
      document.addEventListener('click', track);""",
}
FRAME = "<!doctype html><html lang=\"fr\"><title>{title}</title><p>{title}</p></html>"


def fallback(title: str, href: str, label: str) -> str:
    """The plain-HTML fallback an embed carries in `srcdoc` for when the banner cannot load."""
    return (f"<p style='font:16px/1.4 sans-serif;margin:1em'>{title} : "
            f"<a href='{href}' target='_blank' rel='noopener'>{label}</a></p>")


PAGE = """<!doctype html>
<html lang="{lang}">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Site partenaires — iQera</title>
  <style>
    body {{ font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1b1b1f; }}
    header, main {{ padding: 1rem 1.5rem; max-width: 60rem; margin: 0 auto; }}
    footer {{ background: #14181f; color: #f1f3f4; padding: 1.5rem; }}
    footer a, footer button {{ color: #fff; background: none; border: 1px solid #fff; padding: .4em .8em; font: inherit; }}
    iframe {{ border: 0; max-width: 100%; display: block; }}
  </style>
  {script}
  <script>
    window.dataLayer = window.dataLayer || [];
    function gtag() {{ dataLayer.push(arguments); }}
    gtag('js', new Date());
    gtag('config', 'G-TEST1');
  </script>
  <script type="text/plain" data-consent="audience_measurement" data-vendor="google_analytics"
          data-src="https://www.googletagmanager.com/gtag/js?id=G-TEST1" async></script>
  <script type="text/plain" data-consent="audience_measurement" data-vendor="google_tag_manager">
    (function(w,d,s,l,i){{w[l]=w[l]||[];w[l].push({{'gtm.start':new Date().getTime(),event:'gtm.js'}});var f=d.getElementsByTagName(s)[0],j=d.createElement(s),dl=l!='dataLayer'?'&l='+l:'';j.async=true;j.src='https://www.googletagmanager.com/gtm.js?id='+i+dl;f.parentNode.insertBefore(j,f);}})(window,document,'script','dataLayer','GTM-TEST1');
  </script>
  <script type="text/plain" data-consent="audience_measurement" data-vendor="matomo">
    var _paq = window._paq = window._paq || [];
    _paq.push(['trackPageView']);
    _paq.push(['enableLinkTracking']);
    (function() {{
      var u="https://iqera.matomo.cloud/";
      _paq.push(['setTrackerUrl', u+'matomo.php']);
      _paq.push(['setSiteId', '1']);
      var d=document, g=d.createElement('script'), s=d.getElementsByTagName('script')[0];
      g.async=true; g.src='https://cdn.matomo.cloud/iqera.matomo.cloud/matomo.js'; s.parentNode.insertBefore(g,s);
    }})();
  </script>
  <script type="text/plain" data-consent="marketing" data-vendor="meta_pixel">
    !function(f,b,e,v,n,t,s){{if(f.fbq)return;n=f.fbq=function(){{n.callMethod?
    n.callMethod.apply(n,arguments):n.queue.push(arguments)}};if(!f._fbq)f._fbq=n;n.push=n;n.loaded=!0;n.version='2.0';
    n.queue=[];t=b.createElement(e);t.async=!0;t.src=v;s=b.getElementsByTagName(e)[0];
    s.parentNode.insertBefore(t,s)}}(window, document,'script','https://connect.facebook.net/en_US/fbevents.js');
    fbq('init', '123456789');
    fbq('track', 'PageView');
  </script>
  <script type="text/plain" data-consent="marketing" data-vendor="linkedin_insight">
    _linkedin_partner_id = "1234567";
    window._linkedin_data_partner_ids = window._linkedin_data_partner_ids || [];
    window._linkedin_data_partner_ids.push(_linkedin_partner_id);
    (function(l) {{ if (!l){{window.lintrk = function(a,b){{window.lintrk.q.push([a,b])}}; window.lintrk.q=[]}}
    var s = document.getElementsByTagName("script")[0]; var b = document.createElement("script");
    b.type = "text/javascript";b.async = true; b.src = "https://snap.licdn.com/li.lms-analytics/insight.min.js";
    s.parentNode.insertBefore(b, s);}})(window.lintrk);
  </script>
</head>
<body>
  <header><p><strong>Site partenaires</strong> — Groupe iQera</p></header>
  <main>
    <h1>Votre dossier, traité avec soin</h1>
    <p>iQera gère et recouvre des créances pour le compte de banques, d'assureurs et d'opérateurs.
       Nos conseillers vous aident à trouver une solution adaptée à votre situation.</p>
    <h2>Nous écrire</h2>
    <div id="hubspot-form"></div>
    <script type="text/plain" data-consent="marketing" data-vendor="hubspot_forms"
            data-src="https://js.hsforms.net/forms/embed/v2.js"></script>
    <script type="text/plain" data-consent="marketing" data-vendor="hubspot_forms">
      hbspt.forms.create({{region: "eu1", portalId: "1234567", formId: "0000-form", target: "#hubspot-form"}});
    </script>
    <h2>Nos équipes en vidéo</h2>
    <iframe data-consent="third_party_media" data-vendor="youtube" width="560" height="315"
            data-src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ" title="Présentation du Groupe iQera"
            srcdoc="{youtube_fallback}"></iframe>
    <h2>Nous trouver</h2>
    <iframe data-consent="third_party_media" data-vendor="google_maps" width="560" height="300"
            data-src="https://www.google.com/maps/embed?pb=!1m18!1m12" title="Plan d'accès à nos bureaux"
            srcdoc="{maps_fallback}"></iframe>
    <p>Pour toute question, nos conseillers sont joignables du lundi au samedi.</p>
  </main>
  <footer>
    <p>© iQera — <a href="/mentions">Mentions légales</a></p>
    <p><button type="button" data-iq-open>Paramètres des cookies</button>
       <button type="button" data-iq-withdraw>Retirer mon consentement aux cookies</button></p>
  </footer>
</body>
</html>
"""


@dataclass
class VendorPage:
    """The page on http://localhost:47810 and what it sent where."""

    page: Page
    gateway: str
    hits: list[str] = field(default_factory=list)
    gateway_requests: list[str] = field(default_factory=list)
    undeclared: list[dict] = field(default_factory=list)
    script_blocked: bool = False

    def html(self, *, generic: bool = False, lang: str = "fr", fab: str | None = None) -> str:
        src = (f'{self.gateway}/banner/v1/consent.js" data-site="{SITE}' if generic
               else f"{self.gateway}/banner/v1/sites/{SITE}/consent.js")
        extra = f' data-iq-fab="{fab}"' if fab else ""
        yt = fallback("Vidéo YouTube", "https://www.youtube.com/watch?v=dQw4w9WgXcQ", "Présentation du Groupe iQera")
        maps = fallback("Google Maps", "https://maps.google.com/?q=iQera", "Plan d'accès à nos bureaux")
        return PAGE.format(lang=lang, script=f'<script src="{src}"{extra} async></script>',
                           youtube_fallback=yt.replace('"', "&quot;"), maps_fallback=maps.replace('"', "&quot;"))

    def open(self, path: str = "/", *, wait: bool = True, **options) -> None:
        body = self.html(**options)
        self.page.route(f"{ORIGIN}/**", lambda route: route.fulfill(
            status=200, content_type="text/html; charset=utf-8", body=body)
            if urlparse(route.request.url).path == path.split("?")[0] else route.fulfill(status=404, body=""))
        self.page.goto(ORIGIN + path)
        if wait:
            self.ready()

    def ready(self) -> None:
        self.page.wait_for_function("window.IQConsent && true")
        self.page.evaluate("IQConsent.ready")

    def vendors_hit(self, since: int = 0) -> set[str]:
        return {vendor_of(url) for url in self.hits[since:]}


def vendor_of(url: str) -> str:
    return next((vendor for fragment, vendor in VENDOR_OF if fragment in url), urlparse(url).netloc)


def install(page: Page, gateway: str) -> VendorPage:
    """Route every request of `page`: the gateway's pass, vendors' are stubbed and recorded."""
    # The page is answered by interception, so Chromium counts it as public; the test gateway is on
    # loopback: Local Network Access would ask the visitor. A real site and gateway are both public.
    page.context.grant_permissions(["local-network-access"], origin=ORIGIN)
    vp = VendorPage(page, gateway)
    gateway_netloc = urlparse(gateway).netloc

    def handle(route: Route) -> None:
        url = route.request.url
        netloc = urlparse(url).netloc
        if netloc == gateway_netloc:
            vp.gateway_requests.append(route.request.method + " " + urlparse(url).path)
            if vp.script_blocked and "/consent.js" in url:
                route.abort()
            elif url.endswith("/undeclared-cookies"):
                vp.undeclared.append(route.request.post_data_json)
                route.continue_()
            else:
                route.continue_()
            return
        if netloc == urlparse(ORIGIN).netloc:
            route.fallback()
            return
        vp.hits.append(url)
        stub = next((code for fragment, code in STUBS.items() if fragment in url), None)
        if stub is not None:
            route.fulfill(status=200, content_type="application/javascript", body=f"(function(){{{stub}}})();")
        elif route.request.resource_type in ("document", "iframe") or "/embed" in url:
            title = vendor_of(url)
            route.fulfill(status=200, content_type="text/html", body=FRAME.format(title=title))
        else:
            route.fulfill(status=204, body="")

    page.route("**/*", handle)
    return vp


def settle(page: Page, ms: int = 400) -> None:
    """Let pending timers, image requests and routes finish."""
    page.wait_for_timeout(ms)
    time.sleep(0.05)
