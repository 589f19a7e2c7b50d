"""Audit events carry a seal, and SQLite never hands out a record id twice.

Seals: `audit_events.mac`, an HMAC of the event's chain hash under the clinic's audit
key. The key itself is never in the database (consult.storage.anchor); events written
before this revision keep `mac` empty and are covered by the first sealed event
after them, which the next append writes (`audit.key_created`).

Ids: SQLite gives a new row one more than the largest id in the table, so after a
restore from an older backup the next patient would get the id of one that exists
only in the pre-restore copy (and in exports, PDFs and audit events naming it). With
AUTOINCREMENT SQLite remembers the largest id ever used (sqlite_sequence), which a
restore then carries forward (consult.protection.backup). PostgreSQL's sequences already
remember; a restore moves them forward too. The tables are rebuilt for it (SQLite
cannot add AUTOINCREMENT in place), with foreign keys checked afterwards
(consult.storage.db.upgrade switches their enforcement off while migrating).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consult.storage import ddl

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


# Every table whose id the database assigns (audit positions are assigned by the writer).
AUTOINCREMENT_TABLES = (
    "users",
    "patients",
    "consultations",
    "price_list_versions",
    "price_items",
    "quotes",
    "quote_lines",
    "consent_records",
)


def upgrade() -> None:
    # A plain ADD COLUMN on both engines: the table and its append-only triggers stay.
    op.add_column("audit_events", sa.Column("mac", sa.String(64), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_autoincrement()


def _sqlite_autoincrement() -> None:
    for table in AUTOINCREMENT_TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": True}
        ):
            # Nothing to alter: recreating the table is the change.
            pass
    # The rebuilt consent table lost its append-only triggers with the old one.
    ddl.drop_append_only("consent_records")
    ddl.make_append_only("consent_records")
    connection = op.get_bind()
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"rebuilding the tables broke foreign keys: {broken[:3]}")
    # A rebuilt table loses its planner statistics; a database with data gets them back
    # (a new, empty one is left without, as in 0003).
    if connection.exec_driver_sql("SELECT 1 FROM patients LIMIT 1").first() is not None:
        for table in AUTOINCREMENT_TABLES:
            op.execute(f"ANALYZE {table}")


def downgrade() -> None:
    # AUTOINCREMENT stays: revision 0003 works the same with it, and removing it would
    # rebuild every table again.
    sqlite = op.get_bind().dialect.name == "sqlite"
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("mac")
    if sqlite:
        # SQLite drops a column by rebuilding the table, which loses its triggers.
        ddl.drop_append_only("audit_events")
        ddl.make_append_only("audit_events")
