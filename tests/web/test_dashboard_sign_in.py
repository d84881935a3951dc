"""The dashboard's sign-in: a staff token through a CSRF-protected form, a strict session cookie,
sign-out and idle expiry; and what it shows in both languages."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape
from sqlalchemy.orm import Session

from consent_gateway.staff import create_token
from consent_gateway.stats.demo import seed_decisions
from consent_gateway.web.staff import signin


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _sign_in(client, token: str, base_url: str = "http://localhost"):
    page = client.get("/dashboard/sign-in", base_url=base_url)
    return client.post("/dashboard/sign-in", base_url=base_url,
                       data={"csrf_token": _csrf(page.get_data(as_text=True)), "token": token})


@pytest.fixture
def marketing(db_session):
    return create_token(db_session, "marketing", "Marie Marketing")


def test_the_dashboard_needs_a_sign_in_and_a_staff_token_of_the_right_role(client, db_session, marketing):
    assert client.get("/dashboard").status_code == 302
    assert client.get("/dashboard").headers["Location"].startswith("/dashboard/sign-in")
    assert _sign_in(client, "iqcg_wrong").status_code == 401
    recruiter = create_token(db_session, "recruiter", "Rémi", "careers")
    assert _sign_in(client, recruiter).status_code == 401
    no_csrf = client.post("/dashboard/sign-in", data={"token": marketing})
    assert no_csrf.status_code == 401
    signed = _sign_in(client, marketing)
    assert signed.status_code == 302
    cookie = signed.headers["Set-Cookie"]
    # One staff session for the dashboard and the DPO workspace (web/signin.py).
    assert cookie.startswith("iq_staff=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert client.get("/dashboard").status_code == 200


def test_on_https_the_session_cookie_is_host_prefixed_and_secure(make_app, marketing):
    client = make_app(public_url="https://gateway.example").test_client()
    signed = _sign_in(client, marketing, base_url="https://gateway.example")
    cookie = signed.headers["Set-Cookie"]
    assert cookie.startswith("__Host-iq_staff=")
    assert all(part in cookie for part in ("Secure", "HttpOnly", "SameSite=Strict", "Path=/"))
    assert "Domain" not in cookie


def test_sign_out_and_idle_expiry_end_the_session(client, marketing, monkeypatch):
    _sign_in(client, marketing)
    page = client.get("/dashboard").get_data(as_text=True)
    client.post("/dashboard/sign-out", data={"csrf_token": _csrf(page)})
    assert client.get("/dashboard").status_code == 302
    _sign_in(client, marketing)
    assert client.get("/dashboard").status_code == 200
    later = signin.time.time() + signin.IDLE_SECONDS + 5
    monkeypatch.setattr(signin.time, "time", lambda: later)
    expired = client.get("/dashboard")
    assert expired.status_code == 302 and "expired=1" in expired.headers["Location"]


def test_the_dashboard_shows_each_site_with_charts_tables_and_fairness_in_both_languages(
        app, client, marketing):
    sites = app.extensions["gateway"].sites
    with Session(app.extensions["db_engine"]) as session:
        seed_decisions(session, sites, 3000, days=60, seed=2)
    _sign_in(client, marketing)
    fr = client.get("/dashboard").get_data(as_text=True)
    for site in sites.sites.values():
        assert site.name in fr
    for purpose in sites.purposes.values():
        if any(purpose.id in s.purpose_ids for s in sites.sites.values()) and purpose.consent_based \
                and not purpose.required:
            assert str(escape(purpose.label.fr)) in fr
    assert fr.count('<svg class="chart"') == 4 and fr.count("<table") >= 5
    assert "Taux d'accord par finalité" in fr and "Équité du bandeau" in fr
    en = client.get("/dashboard?lang=en").get_data(as_text=True)
    assert 'lang="en"' in en and "Opt-in rate per purpose" in en and "Banner fairness" in en
    csv_text = client.get("/dashboard/export.csv").get_data(as_text=True)
    assert csv_text.splitlines()[0].startswith("day,partial,decisions,accept_all")


def test_the_sign_in_page_speaks_the_browser_s_language_and_keeps_a_lang_switch(client, marketing):
    english = client.get("/dashboard/sign-in", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert 'lang="en"' in english.get_data(as_text=True)
    assert "Sign in to the dashboard" in english.get_data(as_text=True)
    french = client.get("/dashboard/sign-in?lang=fr",
                        headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Connexion au tableau de bord" in french and "<title>Connexion —" in french
    assert client.get("/dashboard?lang=en").headers["Location"].startswith("/dashboard/sign-in?")
    assert "lang=en" in client.get("/dashboard?lang=en").headers["Location"]
