"""Alembic: the revisions build the schema the models describe, and go down and up again."""

from __future__ import annotations

from sqlalchemy import inspect

from consent_gateway.db import Base, make_engine
from consent_gateway.db.migrate import downgrade, upgrade


def test_migrations_match_the_models_and_round_trip(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    upgrade(url)
    engine = make_engine(url)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    for name, table in Base.metadata.tables.items():
        columns = {c["name"] for c in inspect(engine).get_columns(name)}
        assert columns == {c.name for c in table.columns}, name
    downgrade(url, "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
