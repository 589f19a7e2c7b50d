"""Alembic environment for the clinic database.

Run by consult.storage.db.upgrade with the open connection in
`config.attributes["connection"]`; there is no alembic.ini. The same migrations serve
SQLite (batch mode, which rebuilds a table to alter it) and PostgreSQL.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text

from consult.storage.models import Base, load_all

load_all()  # the migrations are compared with, and run for, every table

# Any number, as long as nothing else in the clinic's PostgreSQL uses it: two
# workstations starting a new version at once must not both run the migrations.
MIGRATION_LOCK_KEY = 0x436F6E73756C74

config = context.config


def run_offline() -> None:
    """`alembic upgrade --sql`: print the SQL for a database administrator to review."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=Base.metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
