"""The clinic's core tables: settings, users, patients, consultations, audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consult.storage import ddl
from consult.storage.types import UTCDateTime, percent, rate

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    _clinic_settings()
    _users()
    _patients()
    _consultations()
    _audit_events()


def _clinic_settings() -> None:
    # The one settings row is written on first open, from resources/clinic.toml.
    op.create_table(
        "clinic_settings",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("phone", sa.String(50), nullable=False),
        sa.Column("email", sa.String(200), nullable=False),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("locale", sa.String(20), nullable=False),
        sa.Column("tax_rate", rate(), nullable=False),
        sa.Column("course_discount_percent", percent(), nullable=False),
        sa.Column("manual_discount_limit_percent", percent(), nullable=False),
        sa.Column("quote_validity_days", sa.Integer(), nullable=False),
        sa.Column("idle_lock_minutes", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_clinic_settings_single_row")),
        sa.CheckConstraint("tax_rate >= 0", name=op.f("ck_clinic_settings_tax_rate_range")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic_settings")),
    )


def _users() -> None:
    # No account is created here: the first start asks for the first manager.
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "role IN ('practitioner', 'manager', 'reception')", name=op.f("ck_users_role")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )


def _patients() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.Column("fitzpatrick", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(200), nullable=True),
        sa.Column("phone", sa.String(50), nullable=True),
        sa.Column("search_key", sa.String(210), nullable=False),
        sa.Column("phone_digits", sa.String(50), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("fitzpatrick BETWEEN 1 AND 6", name=op.f("ck_patients_fitzpatrick")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
    )
    op.create_index(op.f("ix_patients_date_of_birth"), "patients", ["date_of_birth"])
    op.create_index("ix_patients_name_dob", "patients", ["search_key", "date_of_birth"])
    op.create_index(op.f("ix_patients_phone_digits"), "patients", ["phone_digits"])


def _consultations() -> None:
    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=True),
        sa.Column("consultation_date", sa.Date(), nullable=False),
        sa.Column("treatment", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("history", sa.JSON(), nullable=False),
        sa.Column("extra", sa.JSON(), nullable=False),
        sa.Column("screening_verdict", sa.String(20), nullable=True),
        sa.Column("screening", sa.JSON(), nullable=True),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("draft_step", sa.Integer(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'completed')", name=op.f("ck_consultations_status")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_consultations_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["users.id"], name=op.f("fk_consultations_practitioner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
    )
    for column in ("consultation_date", "patient_id", "practitioner_id", "status"):
        op.create_index(op.f(f"ix_consultations_{column}"), "consultations", [column])


def _audit_events() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(80), nullable=False),
        sa.Column("workstation", sa.String(200), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(80), nullable=False),
        sa.Column("outcome", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    for column in ("action", "at", "patient_id", "user_id"):
        op.create_index(op.f(f"ix_audit_events_{column}"), "audit_events", [column])
    if op.get_bind().dialect.name == "postgresql":
        ddl.create_pg_function()
    ddl.make_append_only("audit_events")


def downgrade() -> None:
    ddl.drop_append_only("audit_events")
    if op.get_bind().dialect.name == "postgresql":
        ddl.drop_pg_function()
    for table in ("audit_events", "consultations", "patients", "users", "clinic_settings"):
        op.drop_table(table)
