"""Staff sessions kept on the server (issue 23, finding 3): a copied cookie stops working after
sign-out, idle expiry and the token's revocation, at its next request, in every browser."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from consent_gateway.staff import StaffSession, StaffToken, create_token, revoke_token
from consent_gateway.web.staff import signin


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def _sign_in(client, token: str, area: str = "/dashboard"):
    page = client.get(f"{area}/sign-in").get_data(as_text=True)
    return client.post(f"{area}/sign-in", data={"csrf_token": _csrf(page), "token": token})


def _copy(app, client):
    """Another browser holding a copy of ``client``'s staff cookie."""
    cookie = client.get_cookie("iq_staff")
    other = app.test_client()
    other.set_cookie("iq_staff", cookie.value)
    return other


@pytest.fixture
def dpo(db_session):
    return create_token(db_session, "dpo", "Dominique DPO")


def test_a_copied_cookie_stops_working_after_sign_out(app, client, dpo):
    assert _sign_in(client, dpo, "/dpo").status_code == 302
    copy = _copy(app, client)
    assert copy.get("/dpo/").status_code == 200, "the copy is the same session until sign-out"
    page = client.get("/dpo/").get_data(as_text=True)
    client.post("/dpo/sign-out", data={"csrf_token": _csrf(page)})
    after = copy.get("/dpo/")
    assert after.status_code == 302 and after.headers["Location"].startswith("/dpo/sign-in")
    assert copy.get("/dashboard").status_code == 302, "one session for both staff areas"


def test_revoking_the_token_ends_its_open_sessions_at_the_next_request(app, client, db_session, dpo):
    _sign_in(client, dpo, "/dpo")
    other_browser = app.test_client()
    _sign_in(other_browser, dpo, "/dpo")
    assert client.get("/dpo/").status_code == 200
    token_id = db_session.scalars(select(StaffToken.id).where(StaffToken.name == "Dominique DPO")).one()
    revoke_token(db_session, token_id)
    for browser in (client, other_browser):
        assert browser.get("/dpo/").status_code == 302
    db_session.expire_all()
    assert all(row.ended_at is not None for row in db_session.scalars(select(StaffSession)))
    assert _sign_in(client, dpo, "/dpo").status_code == 401, "a revoked token cannot sign in again"


def test_idle_expiry_is_kept_on_the_server_for_every_copy(app, client, db_session, dpo, monkeypatch):
    _sign_in(client, dpo, "/dpo")
    copy = _copy(app, client)
    later = signin.time.time() + signin.IDLE_SECONDS + 90
    monkeypatch.setattr(signin.time, "time", lambda: later)
    expired = copy.get("/dpo/")
    assert expired.status_code == 302 and "expired=1" in expired.headers["Location"]
    monkeypatch.undo()
    assert client.get("/dpo/").status_code == 302, "the session ended on the server, not in a cookie"
    [row] = db_session.scalars(select(StaffSession)).all()
    assert row.ended_at is not None


def test_activity_keeps_a_session_open_within_its_lifetime(app, client, db_session, dpo, monkeypatch):
    _sign_in(client, dpo, "/dpo")
    start = signin.time.time()
    for minutes in range(20, 12 * 60, 20):  # a request every 20 minutes, for a working day
        monkeypatch.setattr(signin.time, "time", lambda m=minutes: start + m * 60)
        assert client.get("/dpo/").status_code == 200, minutes
    monkeypatch.setattr(signin.time, "time", lambda: start + 12 * 3600 + 1)
    assert client.get("/dpo/").status_code == 302, "a session lasts a working day at most"


def test_the_cookie_holds_a_random_session_id_and_the_database_only_its_hash(client, db_session, dpo):
    _sign_in(client, dpo, "/dpo")
    cookie = client.get_cookie("iq_staff").value
    [row] = db_session.scalars(select(StaffSession)).all()
    assert dpo not in cookie and row.id_hash not in cookie
    assert row.ended_at is None and row.expires_at > row.created_at
    again = _sign_in(client, dpo, "/dpo")
    assert again.status_code == 302
    db_session.expire_all()
    rows = db_session.scalars(select(StaffSession).order_by(StaffSession.created_at)).all()
    assert len(rows) == 2 and rows[0].ended_at is not None and rows[1].ended_at is None, \
        "signing in again ends the session the browser had (no fixation)"


def test_a_staff_area_the_role_does_not_open_ends_the_session_for_every_copy(app, client, db_session):
    marketing = create_token(db_session, "marketing", "Marie Marketing")
    _sign_in(client, marketing)
    copy = _copy(app, client)
    assert client.get("/dpo/").status_code == 302
    assert copy.get("/dashboard").status_code == 302, "the cookie went, and its copies with it"
