"""Migration 0002: the contact tables come and go with Alembic, on a database of their own."""

from __future__ import annotations

from sqlalchemy import inspect

from consent_gateway.db import make_engine
from consent_gateway.db.migrate import downgrade, upgrade

CONTACT_TABLES = {"contact_submission", "contact_field", "purpose_objection"}


def test_upgrade_downgrade_upgrade(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrations.db'}"
    upgrade(url, "0002_contact")
    engine = make_engine(url)
    try:
        assert CONTACT_TABLES <= set(inspect(engine).get_table_names())
        columns = {c["name"] for c in inspect(engine).get_columns("contact_field")}
        assert {"ciphertext", "purpose", "receipt_id", "visitor_id", "expires_at"} <= columns
        assert "value" not in columns  # there is no clear-text column
        downgrade(url, "0001_core")
        assert not CONTACT_TABLES & set(inspect(engine).get_table_names())
        upgrade(url, "0002_contact")
        assert CONTACT_TABLES <= set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
