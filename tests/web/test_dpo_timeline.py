"""The DPO's search box and the visitor's timeline: a receipt token (or the banner's cookie), a
receipt id or a request reference opens it; each decision in words; the receipt's signature and
ledger inclusion checked on the spot; the contact data and requests linked; every read logged.
The request list and the access log speak in words, with site names, zoned times, filters and
days left; the extension's refusals are in the page's language."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

from contact_support import PERSON, decide, submit
from ledger_support import append_only_trigger_off, raw_sql
from live_support import csrf
from rights_support import submit as submit_request
from sqlalchemy import text

from consent_gateway.consent.ledger import seal_ledger
from consent_gateway.db import utcnow


def _logged(db_session) -> list[tuple[str, str | None]]:
    db_session.rollback()
    return [tuple(r) for r in db_session.execute(text("SELECT action, subject FROM access_log ORDER BY id"))]


def test_a_pasted_token_opens_the_visitors_timeline_in_words_and_logs_it(app, dpo, client, db_session):
    first, visitor = decide(app, action="reject_all")
    token, _ = decide(app, action="accept_all", previous_token=first)
    answer = submit(client, {**PERSON, "email": "timeline@example.fr"}, token)
    assert answer.status_code == 201, answer.get_json()
    request = submit_request(app, token=token)

    page = dpo.get("/dpo/proof", query_string={"q": token})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert visitor in html and app.extensions["gateway"].sites.sites["demo"].name in html
    assert html.index("A tout refusé") < html.index("A tout accepté")
    assert "Remplacée par une décision ultérieure" in html and "Actuelle" in html
    assert "timeline@example.fr" in html  # the contact data linked, decrypted
    assert request.reference in html
    assert 'data-check="token_signature" data-ok="yes"' in html
    assert 'data-check="receipt_jws" data-ok="yes"' in html
    assert 'data-check="ledger_inclusion" data-ok="pending"' in html  # not sealed yet
    latest = text("SELECT receipt_id FROM consent_event ORDER BY id DESC")
    event = db_session.execute(latest).scalars().first()
    assert _logged(db_session)[-1] == ("timeline.read", event)


def test_the_banner_cookie_a_receipt_id_and_a_reference_find_the_same_visitor(app, dpo, db_session):
    token, visitor = decide(app)
    cookie = base64.urlsafe_b64encode(json.dumps({"token": token, "action": "accept_all"}).encode()).decode()
    receipt_id = db_session.execute(text("SELECT receipt_id FROM consent_event")).scalar_one()
    request = submit_request(app, token=token)
    for query in (cookie.rstrip("="), receipt_id, request.reference.lower()):
        page = dpo.get("/dpo/proof", query_string={"q": query})
        assert page.status_code == 200 and visitor in page.get_data(as_text=True), query
    # A receipt id or a reference proves nothing about a token: no token check is claimed.
    by_id = dpo.get("/dpo/proof", query_string={"q": receipt_id}).get_data(as_text=True)
    assert "token_signature" not in by_id


def test_a_forged_or_unknown_search_says_why_in_the_pages_language(app, dpo):
    token, _ = decide(app)
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    page = dpo.get("/dpo/proof", query_string={"q": forged})
    assert page.status_code == 404
    assert "ne se vérifie pas" in page.get_data(as_text=True)
    assert "Aucune demande" in dpo.get("/dpo/proof?q=DR-AAAA-BBBB").get_data(as_text=True)
    english = dpo.get("/dpo/proof?q=" + "0" * 32 + "&lang=en").get_data(as_text=True)
    assert "No receipt has this id." in english


def test_a_sealed_receipt_shows_its_checkpoint_and_an_edited_one_a_cross(app, dpo, db_session):
    token, _ = decide(app)
    gw = app.extensions["gateway"]
    seal_ledger(db_session, gw.receipt_keys, settle=timedelta(0))
    html = dpo.get("/dpo/proof", query_string={"q": token}).get_data(as_text=True)
    assert 'data-check="ledger_inclusion" data-ok="yes"' in html and "point de contrôle n° 1" in html
    assert 'data-check="event_unchanged" data-ok="yes"' in html
    receipt_id = db_session.execute(text("SELECT receipt_id FROM consent_event")).scalar_one()
    engine = app.extensions["db_engine"]
    with append_only_trigger_off(engine):
        raw_sql(engine, "UPDATE consent_event SET gpc = NOT gpc")
    html = dpo.get("/dpo/proof", query_string={"q": receipt_id}).get_data(as_text=True)
    assert 'data-check="event_unchanged" data-ok="no"' in html and "✗" in html


def test_the_raw_proof_is_one_click_away_as_a_logged_json_download(app, dpo, db_session):
    decide(app)
    receipt_id = db_session.execute(text("SELECT receipt_id FROM consent_event")).scalar_one()
    html = dpo.get("/dpo/proof", query_string={"q": receipt_id}).get_data(as_text=True)
    assert f"/dpo/proof/{receipt_id}.json" in html
    answer = dpo.get(f"/dpo/proof/{receipt_id}.json")
    assert answer.status_code == 200 and answer.mimetype == "application/json"
    assert answer.headers["Content-Disposition"] == f'attachment; filename="proof-{receipt_id}.json"'
    assert answer.get_json()["receipt_id"] == receipt_id
    assert _logged(db_session)[-1] == ("proof.read", receipt_id)
    assert dpo.get("/dpo/proof/" + "f" * 32 + ".json").status_code == 404


def test_requests_filter_by_site_status_and_overdue_with_days_left_and_site_names(app, dpo):
    fresh = submit_request(app, now=utcnow() - timedelta(days=2))
    late = submit_request(app, "erasure", now=utcnow() - timedelta(days=40))
    other = submit_request(app, site="careers", now=utcnow() - timedelta(days=1))
    sites = app.extensions["gateway"].sites.sites
    page = dpo.get("/dpo/").get_data(as_text=True)
    assert sites["careers"].name in page and sites["demo"].name in page
    assert " TU</td>" in page  # times carry their zone (temps universel)
    start, end = (page.index(f'data-reference="{r.reference}"') for r in (late, fresh))
    row = page[start:end]
    assert "jours de retard" in row
    overdue = dpo.get("/dpo/?overdue=1").get_data(as_text=True)
    assert late.reference in overdue and fresh.reference not in overdue and other.reference not in overdue
    careers = dpo.get("/dpo/?site=careers").get_data(as_text=True)
    assert other.reference in careers and fresh.reference not in careers
    assert "Aucune demande ne correspond." in dpo.get("/dpo/?status=closed").get_data(as_text=True)
    assert dpo.get("/dpo/?site=nowhere&status=bogus").status_code == 200


def test_the_access_log_says_what_happened_in_words_and_filters_by_site(app, dpo):
    row = submit_request(app)
    dpo.get(f"/dpo/requests/{row.reference}")
    log = dpo.get("/dpo/access-log").get_data(as_text=True)
    assert "A ouvert une demande" in log and "rights_request.read<" not in log
    assert app.extensions["gateway"].sites.sites["demo"].name in log and " TU<" in log
    assert row.reference not in dpo.get("/dpo/access-log?site=careers").get_data(as_text=True)


def test_an_extension_refused_by_the_service_is_explained_in_french(app, dpo):
    row = submit_request(app, now=utcnow() - timedelta(days=3))
    page = dpo.get(f"/dpo/requests/{row.reference}").get_data(as_text=True)
    answer = dpo.post(f"/dpo/requests/{row.reference}/extend",
                      data={"months": "2", "notice": "  ", "csrf_token": csrf(page)})
    assert answer.status_code == 400
    html = answer.get_data(as_text=True)
    assert "il dit pourquoi la prolongation est nécessaire" in html and "the notice sent" not in html
