"""The DPO's workspace: sign-in with a dpo token (marketing refused), a hardened session cookie
with idle expiry, requests overdue first, details read into the access log, extend and close."""

from __future__ import annotations

import re
from datetime import timedelta

from rights_support import staff_token, submit
from sqlalchemy import text

from consent_gateway.db import utcnow


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def sign_in(client, token: str):
    page = client.get("/dpo/sign-in").get_data(as_text=True)
    return client.post("/dpo/sign-in", data={"token": token, "csrf_token": csrf(page)})



def test_the_workspace_needs_a_signed_in_dpo(app, client):
    answer = client.get("/dpo/")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/dpo/sign-in")
    marketing, _ = staff_token(app, "marketing", "Marie Marketing")
    refused = sign_in(client, marketing)
    assert refused.status_code == 401 and "n'ouvre pas l'espace DPO" in refused.get_data(as_text=True)
    assert client.get("/dpo/").status_code == 302
    assert sign_in(client, "iqcg_not-a-token").status_code == 401
    admin, _ = staff_token(app, "admin", "Alex Admin")
    assert sign_in(client, admin).headers["Location"] == "/dpo/"
    assert client.get("/dpo/").status_code == 200


def test_the_staff_cookie_is_strict_and_host_only_on_https(app, make_app):
    token, _ = staff_token(app)
    secure_app = make_app(public_url="https://consent.iqera.example")
    client = secure_app.test_client()
    answer = sign_in(client, token)
    cookies = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("__Host-iq_staff=")]
    assert cookies, answer.headers.getlist("Set-Cookie")
    attributes = cookies[0].lower()
    for flag in ("secure", "httponly", "samesite=strict", "path=/"):
        assert flag in attributes
    assert "domain=" not in attributes


def test_the_staff_cookie_on_plain_http_and_the_visitors_cookie_stay_apart(app, client):
    token, _ = staff_token(app)
    answer = sign_in(client, token)
    [cookie] = [c for c in answer.headers.getlist("Set-Cookie") if c.startswith("iq_staff=")]
    assert "samesite=strict" in cookie.lower() and "httponly" in cookie.lower()
    page = client.get("/privacy/demo/rights")
    assert all(not c.startswith("iq_staff=") for c in page.headers.getlist("Set-Cookie"))


def test_an_idle_session_expires(app, dpo):
    app.config["STAFF_IDLE_SECONDS"] = -1
    assert dpo.get("/dpo/").status_code == 302


def test_sign_out_ends_the_session(dpo):
    page = dpo.get("/dpo/").get_data(as_text=True)
    assert dpo.post("/dpo/sign-out", data={"csrf_token": csrf(page)}).status_code == 302
    assert dpo.get("/dpo/").status_code == 302


def test_requests_are_listed_overdue_first_with_deadline_and_identity(app, dpo):
    fresh = submit(app, now=utcnow() - timedelta(days=2))
    late = submit(app, "erasure", now=utcnow() - timedelta(days=35))
    page = dpo.get("/dpo/").get_data(as_text=True)
    assert page.index(late.reference) < page.index(fresh.reference)
    start, end = (page.index(f'data-reference="{r.reference}"') for r in (late, fresh))
    row = page[start:end]
    assert 'class="overdue"' in row and "En retard" in row and "À vérifier" in row
    assert "Camillette" not in page  # the list decrypts nothing


def test_a_request_page_decrypts_and_logs_then_extend_and_close(app, dpo, db_session):
    row = submit(app, now=utcnow() - timedelta(days=5))
    page = dpo.get(f"/dpo/requests/{row.reference}").get_data(as_text=True)
    assert "Camillette Durandal-Zéphyr" in page and "camille.durandal@example.fr" in page
    logged = db_session.execute(text("SELECT action, subject FROM access_log")).all()
    assert [tuple(r) for r in logged] == [("rights_request.read", row.reference)]
    answer = dpo.post(f"/dpo/requests/{row.reference}/extend",
                      data={"months": "2", "notice": "Votre demande porte sur trois sites.",
                            "csrf_token": csrf(page)})
    assert answer.status_code == 302
    page = dpo.get(f"/dpo/requests/{row.reference}").get_data(as_text=True)
    assert "Votre demande porte sur trois sites." in page
    answer = dpo.post(f"/dpo/requests/{row.reference}/close",
                      data={"outcome": "fulfilled", "note": "Copie envoyée", "csrf_token": csrf(page)})
    assert answer.status_code == 302
    state = db_session.execute(text("SELECT outcome, closed_at IS NOT NULL, extended_due_at IS NOT NULL "
                                    "FROM rights_request")).one()
    assert tuple(state) == ("fulfilled", True, True)
    log = dpo.get("/dpo/access-log").get_data(as_text=True)
    assert "A clôturé une demande" in log and "Dominique DPO" in log
    assert "rights_request.close</td>" not in log


def test_older_proof_links_open_the_timeline_of_the_receipt(app, dpo, db_session):
    from contact_support import decide

    token, visitor = decide(app)
    receipt_id = db_session.execute(text("SELECT receipt_id FROM consent_event")).scalar_one()
    page = dpo.get(f"/dpo/proof?site=demo&receipt={receipt_id}").get_data(as_text=True)
    assert visitor in page
    assert db_session.execute(text("SELECT action FROM access_log")).scalar_one() == "timeline.read"
    assert dpo.get("/dpo/proof?site=demo&receipt=nope").status_code == 404


def test_pages_are_not_cached(dpo):
    answer = dpo.get("/dpo/")
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Frame-Options"] == "DENY"


