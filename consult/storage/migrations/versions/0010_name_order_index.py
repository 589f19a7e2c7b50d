"""Patient search among a million patients on PostgreSQL: an index to walk names in order.

A search that many patients match ("li", "okafor") returns the first 200 in name
order. Walking the names in that order and keeping the matches stops after a few
thousand names; with this index (`search_key`, `id`) PostgreSQL walks the index alone
(an index-only scan), never reading the patients' rows, and the 200 kept are then
fetched by id (consult.storage.patients.search_statement). SQLite walks its name
index (revision 0006) as before; the index is made there too, so both engines keep
the one schema of the models.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

INDEX = "ix_patients_search_key_id"


def upgrade() -> None:
    op.create_index(INDEX, "patients", ["search_key", "id"])


def downgrade() -> None:
    op.drop_index(INDEX, table_name="patients")
