"""Price list versions, quotes with their lines, and the signed consent records.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consult.storage import ddl
from consult.storage.types import UTCDateTime, money, percent, rate

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    _price_lists()
    _quotes()
    _quote_lines()
    _consent_records()


def _price_lists() -> None:
    op.create_table(
        "price_list_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_list_versions")),
    )
    op.create_table(
        "price_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("treatment", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("item", sa.String(80), nullable=False),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("unit_price", money(), nullable=False),
        sa.CheckConstraint("kind IN ('region', 'addon')", name=op.f("ck_price_items_kind")),
        sa.CheckConstraint("unit_price >= 0", name=op.f("ck_price_items_unit_price")),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["price_list_versions.id"],
            name=op.f("fk_price_items_version_id_price_list_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_price_items")),
        sa.UniqueConstraint(
            "version_id",
            "treatment",
            "kind",
            "item",
            name=op.f("uq_price_items_version_id_treatment_kind_item"),
        ),
    )
    op.create_index(op.f("ix_price_items_version_id"), "price_items", ["version_id"])


def _quotes() -> None:
    op.create_table(
        "quotes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=True),
        sa.Column("price_list_version_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("approval", sa.String(20), nullable=False),
        sa.Column("approval_comment", sa.Text(), nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("interval_weeks", sa.Integer(), nullable=False),
        sa.Column("tax_rate", rate(), nullable=False),
        sa.Column("course_discount_percent", percent(), nullable=False),
        sa.Column("manual_discount_percent", percent(), nullable=False),
        sa.Column("subtotal", money(), nullable=False),
        sa.Column("discount", money(), nullable=False),
        sa.Column("tax", money(), nullable=False),
        sa.Column("total", money(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "approval IN ('not_needed', 'pending', 'approved', 'rejected')",
            name=op.f("ck_quotes_approval"),
        ),
        sa.CheckConstraint(
            "status IN ('draft', 'presented', 'accepted', 'declined', 'expired')",
            name=op.f("ck_quotes_status"),
        ),
        sa.ForeignKeyConstraint(
            ["approved_by"], ["users.id"], name=op.f("fk_quotes_approved_by_users")
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_quotes_consultation_id_consultations"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_quotes_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["users.id"], name=op.f("fk_quotes_practitioner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["price_list_version_id"],
            ["price_list_versions.id"],
            name=op.f("fk_quotes_price_list_version_id_price_list_versions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quotes")),
    )
    for column in ("consultation_id", "created_at", "patient_id"):
        op.create_index(op.f(f"ix_quotes_{column}"), "quotes", [column])
    # The manager's quote list filters by these, newest first.
    op.create_index("ix_quotes_approval_created", "quotes", ["approval", "created_at"])
    op.create_index("ix_quotes_practitioner_created", "quotes", ["practitioner_id", "created_at"])
    op.create_index("ix_quotes_status_created", "quotes", ["status", "created_at"])


def _quote_lines() -> None:
    op.create_table(
        "quote_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("quote_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("item", sa.String(80), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("unit_price", money(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("amount", money(), nullable=False),
        sa.ForeignKeyConstraint(
            ["quote_id"], ["quotes.id"], name=op.f("fk_quote_lines_quote_id_quotes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quote_lines")),
        sa.UniqueConstraint("quote_id", "position", name=op.f("uq_quote_lines_quote_id_position")),
    )
    op.create_index(op.f("ix_quote_lines_quote_id"), "quote_lines", ["quote_id"])


def _consent_records() -> None:
    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("signed_at", UTCDateTime(), nullable=True),
        sa.Column("patient_signed_name", sa.String(200), nullable=True),
        sa.Column("practitioner_id", sa.Integer(), nullable=True),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('consent', 'plan')", name=op.f("ck_consent_records_kind")),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_consent_records_consultation_id_consultations"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_consent_records_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["users.id"], name=op.f("fk_consent_records_practitioner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["consent_records.id"],
            name=op.f("fk_consent_records_supersedes_id_consent_records"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_records")),
    )
    op.create_index(
        op.f("ix_consent_records_consultation_id"), "consent_records", ["consultation_id"]
    )
    op.create_index(op.f("ix_consent_records_patient_id"), "consent_records", ["patient_id"])
    ddl.make_append_only("consent_records")


def downgrade() -> None:
    ddl.drop_append_only("consent_records")
    for table in ("consent_records", "quote_lines", "quotes", "price_items", "price_list_versions"):
        op.drop_table(table)
