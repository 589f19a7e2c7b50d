"""Each sealed document's number, stored with it and unique; the clinic's time zone.

A signed consent or plan prints its own number (consult.documents.numbers); keeping it
on the stored record lets an amendment name the document it amends and makes the
database refuse two sealed versions with one number. Older records have none.
The clinic's time zone (set up with the clinic) gives the local times on its papers.

Revision ID: 0007
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "clinic_settings",
        sa.Column("time_zone", sa.String(64), nullable=False, server_default=""),
    )
    op.add_column("consent_records", sa.Column("document_number", sa.String(40), nullable=True))
    op.create_index(
        "ix_consent_records_document_number",
        "consent_records",
        ["document_number"],
        unique=True,
    )


def downgrade() -> None:
    op.drop_index("ix_consent_records_document_number", table_name="consent_records")
    op.drop_column("consent_records", "document_number")
    op.drop_column("clinic_settings", "time_zone")
