"""Alembic environment: the URL comes from the caller or from CONSENT_GATEWAY_DATABASE_URL."""

from __future__ import annotations

from alembic import context

# Each domain's tables register themselves on Base.metadata when imported.
from consent_gateway.consent import models as _consent_tables  # noqa: F401
from consent_gateway.contact import models as _contact_tables  # noqa: F401
from consent_gateway.cookie_audit import models as _cookie_tables  # noqa: F401
from consent_gateway.db import Base, make_engine
from consent_gateway.rights import models as _rights_tables  # noqa: F401
from consent_gateway.scan import models as _scan_tables  # noqa: F401
from consent_gateway.settings import Settings
from consent_gateway.staff import models as _staff_tables  # noqa: F401
from consent_gateway.stats import models as _stats_tables  # noqa: F401

config = context.config
url = config.attributes.get("database_url") or Settings.from_env(development=True).database_url


def run_migrations_offline() -> None:
    context.configure(url=url, target_metadata=Base.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=Base.metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
