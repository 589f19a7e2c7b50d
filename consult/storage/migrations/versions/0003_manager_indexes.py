"""Covering indexes on quotes for the manager's workspace.

The manager's listing filters quotes (by status, approval, practitioner, date range
or patient), shows the newest first and totals the filtered set: count and sum of
`total` per `currency`. Each index below extends one of the narrower indexes of 0002
by (currency, total), so the totals are read from the index alone instead of one
table row per quote (bench/manager.py, 100,000 quotes). Each replaces the index it
extends: a prefix index beside its extension only costs writes and disk.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# new index: (its columns, the 0002 index it replaces, that index's columns)
REPLACEMENTS = {
    "ix_quotes_status_created_total": (
        ["status", "created_at", "currency", "total"],
        "ix_quotes_status_created",
        ["status", "created_at"],
    ),
    "ix_quotes_approval_created_total": (
        ["approval", "created_at", "currency", "total"],
        "ix_quotes_approval_created",
        ["approval", "created_at"],
    ),
    "ix_quotes_practitioner_created_total": (
        ["practitioner_id", "created_at", "currency", "total"],
        "ix_quotes_practitioner_created",
        ["practitioner_id", "created_at"],
    ),
    "ix_quotes_created_total": (
        ["created_at", "currency", "total"],
        "ix_quotes_created_at",
        ["created_at"],
    ),
    "ix_quotes_patient_total": (
        ["patient_id", "currency", "total"],
        "ix_quotes_patient_id",
        ["patient_id"],
    ),
}


def upgrade() -> None:
    for name, (columns, old_name, _old_columns) in REPLACEMENTS.items():
        op.create_index(name, "quotes", columns)
        op.drop_index(old_name, table_name="quotes")
    _refresh_statistics()


def downgrade() -> None:
    for name, (_columns, old_name, old_columns) in REPLACEMENTS.items():
        op.create_index(old_name, "quotes", old_columns)
        op.drop_index(name, table_name="quotes")


def _refresh_statistics() -> None:
    """Planner statistics for the new indexes of a database that already has quotes.

    A new (empty) database is left without: statistics taken now would describe an
    empty table and mislead the planner once quotes arrive.
    """
    connection = op.get_bind()
    if connection.execute(sa.text("SELECT 1 FROM quotes LIMIT 1")).first() is not None:
        op.execute("ANALYZE quotes")
