"""Before and after photographs: photos, withdrawn photography consent, erasure tombstones.

A photo is kept in the clinic database (every workstation sees it, a backup carries
it) as the normalised JPEG and a thumbnail. A withdrawal of photography consent is a
row of its own (the photos stay, hidden); an erasure deletes a patient's photos and
leaves a tombstone. The clinic settings gain the long edge photos are capped at.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consult.storage.types import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    # A plain ADD COLUMN with a default: the settings row keeps its values.
    op.add_column(
        "clinic_settings",
        sa.Column("photo_long_edge", sa.Integer(), nullable=False, server_default="4000"),
    )
    _photos()
    _withdrawals()
    _erasures()


def downgrade() -> None:
    for table in ("photo_erasures", "photo_consent_withdrawals", "photos"):
        op.drop_table(table)
    op.drop_column("clinic_settings", "photo_long_edge")


def _photos() -> None:
    op.create_table(
        "photos",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("area", sa.String(40), nullable=False),
        sa.Column("view", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(10), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("image", sa.LargeBinary(), nullable=False),
        sa.Column("thumbnail", sa.LargeBinary(), nullable=False),
        sa.Column("imported_by", sa.Integer(), nullable=False),
        sa.Column("imported_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(_one_of("stage", ("before", "after")), name=op.f("ck_photos_stage")),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_photos_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_photos_consultation_id_consultations"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_photos_session_id_treatment_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["imported_by"], ["users.id"], name=op.f("fk_photos_imported_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photos")),
    )
    for column in ("patient_id", "consultation_id", "session_id"):
        op.create_index(op.f(f"ix_photos_{column}"), "photos", [column])
    # The framing guide and the compare view look photos up by patient, area and view.
    op.create_index("ix_photos_patient_area_view", "photos", ["patient_id", "area", "view"])


def _withdrawals() -> None:
    op.create_table(
        "photo_consent_withdrawals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            _one_of("scope", ("clinical", "marketing")),
            name=op.f("ck_photo_consent_withdrawals_scope"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_photo_consent_withdrawals_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"],
            ["users.id"],
            name=op.f("fk_photo_consent_withdrawals_recorded_by_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo_consent_withdrawals")),
    )
    op.create_index(
        op.f("ix_photo_consent_withdrawals_patient_id"),
        "photo_consent_withdrawals",
        ["patient_id"],
    )


def _erasures() -> None:
    op.create_table(
        "photo_erasures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("photo_count", sa.Integer(), nullable=False),
        sa.Column("sha256s", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("erased_by", sa.Integer(), nullable=False),
        sa.Column("erased_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_photo_erasures_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["erased_by"], ["users.id"], name=op.f("fk_photo_erasures_erased_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo_erasures")),
    )
    op.create_index(op.f("ix_photo_erasures_patient_id"), "photo_erasures", ["patient_id"])
