"""Staff tokens: created once and stored hashed, roles enforced, personal-data reads logged."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select, text

from consent_gateway.cli import main
from consent_gateway.staff import AccessLog, StaffToken, create_token


def test_tokens_create_prints_the_token_alone_on_its_last_line_and_stores_its_hash(
    app, db_session, settings, monkeypatch
):
    monkeypatch.setenv("CONSENT_GATEWAY_DATABASE_URL", settings.database_url)
    result = CliRunner().invoke(main, ["tokens", "create", "--role", "dpo", "--name", "Jeanne DPO"])
    assert result.exit_code == 0, result.output
    token = result.output.strip().splitlines()[-1]
    assert token.startswith("iqcg_") and " " not in token
    row = db_session.execute(text("SELECT name, role, token_hash FROM staff_token")).one()
    assert row.name == "Jeanne DPO" and row.role == "dpo"
    assert token not in row.token_hash and len(row.token_hash) == 64
    bad = CliRunner().invoke(main, ["tokens", "create", "--role", "boss", "--name", "X"])
    assert bad.exit_code != 0


def test_proof_needs_a_dpo_token_and_every_read_is_logged(client, post_consent, with_receipt, db_session):
    first = with_receipt(post_consent("accept_all").get_json())
    second = post_consent("reject_all", previous_token=first["token"]).get_json()
    url = f"/api/v1/sites/demo/proof/{first['receipt_id']}"

    assert client.get(url).status_code == 401
    assert client.get(url, headers={"Authorization": "Bearer iqcg_nope"}).status_code == 401
    marketing = create_token(db_session, "marketing", "Marc Marketing")
    denied = client.get(url, headers={"Authorization": f"Bearer {marketing}"})
    assert denied.status_code == 403 and denied.get_json()["error"] == "forbidden"
    assert db_session.scalar(select(AccessLog.id)) is None

    dpo = create_token(db_session, "dpo", "Jeanne DPO")
    r = client.get(url, headers={"Authorization": f"Bearer {dpo}"})
    assert r.status_code == 200
    bundle = r.get_json()
    assert bundle["status"] == "superseded"
    assert [e["receipt_id"] for e in bundle["events"]] == [first["receipt_id"], second["receipt_id"]]
    assert bundle["receipt"] == first["receipt"]
    [shown] = bundle["configs_shown"].values()
    assert shown["body"]["config_hash"] == first["receipt"]["iqera"]["config_hash"]
    log = db_session.scalars(select(AccessLog)).one()
    staff = db_session.scalars(select(StaffToken).where(StaffToken.role == "dpo")).one()
    assert (log.staff_token_id, log.action, log.site_id, log.subject) == (
        staff.id, "proof.read", "demo", first["receipt_id"])

    admin = create_token(db_session, "admin", "Ada Admin")
    assert client.get(url, headers={"Authorization": f"Bearer {admin}"}).status_code == 200
    missing = client.get("/api/v1/sites/demo/proof/unknown", headers={"Authorization": f"Bearer {dpo}"})
    assert missing.status_code == 404


def test_revoked_token_is_refused(client, db_session, post_consent):
    from datetime import UTC, datetime

    receipt = post_consent("accept_all").get_json()["receipt_id"]
    dpo = create_token(db_session, "dpo", "Former DPO")
    staff = db_session.scalars(select(StaffToken)).one()
    staff.revoked_at = datetime.now(UTC)
    db_session.commit()
    r = client.get(f"/api/v1/sites/demo/proof/{receipt}", headers={"Authorization": f"Bearer {dpo}"})
    assert r.status_code == 401


def test_a_recruiter_token_is_created_for_one_declared_site(app, db_session, settings, monkeypatch):
    monkeypatch.setenv("CONSENT_GATEWAY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("CONSENT_GATEWAY_SITES", str(settings.sites_path))
    args = ["tokens", "create", "--role", "recruiter", "--name", "Rita Recrutement"]
    missing = CliRunner().invoke(main, args)
    assert missing.exit_code != 0 and "name the site" in missing.output
    unknown = CliRunner().invoke(main, [*args, "--site", "nowhere"])
    assert unknown.exit_code != 0 and "no site 'nowhere' is declared" in unknown.output
    made = CliRunner().invoke(main, [*args, "--site", "careers"])
    assert made.exit_code == 0, made.output
    row = db_session.execute(text("SELECT role, site_id FROM staff_token")).one()
    assert (row.role, row.site_id) == ("recruiter", "careers")
