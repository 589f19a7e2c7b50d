"""Each sealed document's number, stored with it and unique; the clinic's time zone.

A signed consent or plan prints its own number (consult.documents.numbers); keeping it
on the stored record lets an amendment name the document it amends and makes the
database refuse two sealed versions with one number. Older records have none.
The clinic's time zone (set up with the clinic) gives the local times on its papers.
Settings still holding the examples earlier releases shipped ("Your Clinic",
"1 Example Street, Springfield", "+1 555 0100", "hello@example.org") are blanked, so
such a clinic's papers say "clinic not set up" instead of printing invented details.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


# The example values of resources/clinic.toml before it stopped shipping any.
SHIPPED_EXAMPLES = {
    "name": "Your Clinic",
    "address": "1 Example Street, Springfield",
    "phone": "+1 555 0100",
    "email": "hello@example.org",
}


def upgrade() -> None:
    op.add_column(
        "clinic_settings",
        sa.Column("time_zone", sa.String(64), nullable=False, server_default=""),
    )
    settings = sa.table("clinic_settings", *(sa.column(key) for key in SHIPPED_EXAMPLES))
    for key, example in SHIPPED_EXAMPLES.items():
        column = settings.c[key]
        op.execute(settings.update().where(column == example).values({key: ""}))
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
