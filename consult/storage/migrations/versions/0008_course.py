"""The course after the consent: devices, product lots, sessions, entries, bookings.

A treatment session is a draft while the practitioner records it; once signed its row
(with the sealed PDF) and its per-area entries are refused any change or deletion by
triggers, on SQLite and PostgreSQL alike, as consent records are. A correction is a
new session row naming the one it amends. Adverse events are append-only from the
start: a reaction reported after signing is a new fact, never an edit.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from consult.storage import ddl
from consult.storage.types import ExactDecimal, UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SESSION_FUNCTION = "consult_refuse_signed_session_change"
ENTRY_FUNCTION = "consult_refuse_signed_entry_change"


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    _devices()
    _product_lots()
    _treatment_sessions()
    _session_entries()
    _adverse_events()
    _bookings()
    _signed_sessions_append_only()
    ddl.make_append_only("adverse_events")


def downgrade() -> None:
    ddl.drop_append_only("adverse_events")
    _drop_signed_session_triggers()
    for table in (
        "bookings",
        "adverse_events",
        "session_entries",
        "treatment_sessions",
        "product_lots",
        "devices",
    ):
        op.drop_table(table)


def _devices() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("serial", sa.String(100), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(_one_of("kind", ("mechanical", "rf")), name=op.f("ck_devices_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_devices")),
        sa.UniqueConstraint("name", "serial", name=op.f("uq_devices_name_serial")),
    )


def _product_lots() -> None:
    op.create_table(
        "product_lots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("maker", sa.String(200), nullable=False),
        sa.Column("product", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("lot_number", sa.String(80), nullable=False),
        sa.Column("expiry", sa.Date(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint(
            _one_of("kind", ("cartridge", "tip", "serum", "numbing")),
            name=op.f("ck_product_lots_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_lots")),
        sa.UniqueConstraint(
            "maker", "product", "lot_number", name=op.f("uq_product_lots_maker_product_lot_number")
        ),
    )
    # Recall searches by lot number alone.
    op.create_index("ix_product_lots_lot_number", "product_lots", ["lot_number"])


def _treatment_sessions() -> None:
    op.create_table(
        "treatment_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("practitioner_id", sa.Integer(), nullable=False),
        sa.Column("session_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("areas", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("screening", sa.JSON(), nullable=False),
        sa.Column("override_reason", sa.Text(), nullable=True),
        sa.Column("amends_id", sa.Integer(), nullable=True),
        sa.Column("amendment_reason", sa.Text(), nullable=True),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("document_number", sa.String(40), nullable=True),
        sa.Column("signed_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            _one_of("status", ("draft", "signed")), name=op.f("ck_treatment_sessions_status")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_treatment_sessions_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_treatment_sessions_consultation_id_consultations"),
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"],
            ["users.id"],
            name=op.f("fk_treatment_sessions_practitioner_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["amends_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_treatment_sessions_amends_id_treatment_sessions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_sessions")),
    )
    for column in ("patient_id", "consultation_id", "practitioner_id", "session_date"):
        op.create_index(op.f(f"ix_treatment_sessions_{column}"), "treatment_sessions", [column])
    op.create_index(
        op.f("ix_treatment_sessions_document_number"),
        "treatment_sessions",
        ["document_number"],
        unique=True,
    )


def _session_entries() -> None:
    op.create_table(
        "session_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("area", sa.String(40), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("needle_lot_id", sa.Integer(), nullable=True),
        sa.Column("depth_mm", ExactDecimal(4, 2), nullable=True),
        sa.Column("passes", sa.Integer(), nullable=True),
        sa.Column("rf_energy", sa.String(40), nullable=True),
        sa.Column("rf_pulse_ms", sa.Integer(), nullable=True),
        sa.Column("rf_tip", sa.String(80), nullable=True),
        sa.Column("serum_lot_id", sa.Integer(), nullable=True),
        sa.Column("numbing_lot_id", sa.Integer(), nullable=True),
        sa.Column("erythema", sa.Integer(), nullable=False),
        sa.Column("pinpoint_bleeding", sa.Boolean(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("depth_outside_plan", sa.Boolean(), nullable=False),
        sa.Column("expired_lot", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.CheckConstraint("erythema BETWEEN 0 AND 3", name=op.f("ck_session_entries_erythema")),
        sa.CheckConstraint("passes IS NULL OR passes >= 0", name=op.f("ck_session_entries_passes")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_session_entries_session_id_treatment_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["device_id"], ["devices.id"], name=op.f("fk_session_entries_device_id_devices")
        ),
        *(
            sa.ForeignKeyConstraint(
                [column],
                ["product_lots.id"],
                name=op.f(f"fk_session_entries_{column}_product_lots"),
            )
            for column in ("needle_lot_id", "serum_lot_id", "numbing_lot_id")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_entries")),
    )
    for column in ("session_id", "device_id", "needle_lot_id", "serum_lot_id", "numbing_lot_id"):
        op.create_index(op.f(f"ix_session_entries_{column}"), "session_entries", [column])


def _adverse_events() -> None:
    op.create_table(
        "adverse_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("happened", sa.Text(), nullable=False),
        sa.Column("action_taken", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.Integer(), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_sessions.id"],
            name=op.f("fk_adverse_events_session_id_treatment_sessions"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["users.id"], name=op.f("fk_adverse_events_recorded_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_adverse_events")),
    )
    op.create_index(op.f("ix_adverse_events_session_id"), "adverse_events", ["session_id"])


def _bookings() -> None:
    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=True),
        sa.Column("practitioner_id", sa.Integer(), nullable=True),
        sa.Column("session_number", sa.Integer(), nullable=True),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("waits_for_clearance", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            _one_of("status", ("proposed", "booked", "done", "cancelled")),
            name=op.f("ck_bookings_status"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_bookings_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["consultation_id"],
            ["consultations.id"],
            name=op.f("fk_bookings_consultation_id_consultations"),
        ),
        sa.ForeignKeyConstraint(
            ["practitioner_id"], ["users.id"], name=op.f("fk_bookings_practitioner_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookings")),
    )
    op.create_index(op.f("ix_bookings_patient_id"), "bookings", ["patient_id"])
    # "Due this week" reads open bookings by time.
    op.create_index("ix_bookings_status_starts_at", "bookings", ["status", "starts_at"])


# --------------------------------------------------------------------------- triggers


def _signed_sessions_append_only() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
        return
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER treatment_sessions_signed_no_{verb.lower()} BEFORE {verb} "
            "ON treatment_sessions WHEN OLD.status = 'signed' BEGIN SELECT RAISE(ABORT, "
            f"'treatment_sessions: a signed session is append-only: {verb} refused'); END"
        )
    checks = {"INSERT": "NEW", "UPDATE": "OLD", "DELETE": "OLD"}
    for verb, row in checks.items():
        # Every name in this statement is a constant of this file, none comes from input.
        op.execute(
            f"CREATE TRIGGER session_entries_signed_no_{verb.lower()} BEFORE {verb} "  # noqa: S608
            "ON session_entries WHEN (SELECT status FROM treatment_sessions "
            f"WHERE id = {row}.session_id) = 'signed' BEGIN SELECT RAISE(ABORT, "
            f"'session_entries of a signed session are append-only: {verb} refused'); END"
        )
    # An entry moved into a signed session is as much a change to it as a new one.
    op.execute(
        "CREATE TRIGGER session_entries_signed_no_move BEFORE UPDATE ON session_entries "
        "WHEN (SELECT status FROM treatment_sessions WHERE id = NEW.session_id) = 'signed' "
        "BEGIN SELECT RAISE(ABORT, 'session_entries of a signed session are append-only: "
        "UPDATE refused'); END"
    )


def _postgres_triggers() -> None:
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION {SESSION_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.status = 'signed' THEN
                RAISE EXCEPTION 'treatment_sessions: a signed session is append-only: % refused',
                    TG_OP USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE OR REPLACE FUNCTION consult_refuse_signed_entry_change()
        RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (TG_OP <> 'INSERT' AND (SELECT status FROM treatment_sessions
                    WHERE id = OLD.session_id) = 'signed')
               OR (TG_OP <> 'DELETE' AND (SELECT status FROM treatment_sessions
                    WHERE id = NEW.session_id) = 'signed') THEN
                RAISE EXCEPTION
                    'session_entries of a signed session are append-only: % refused',
                    TG_OP USING ERRCODE = 'insufficient_privilege';
            END IF;
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            RETURN NEW;
        END
        $$
        """
    )
    op.execute(
        "CREATE TRIGGER treatment_sessions_signed BEFORE UPDATE OR DELETE ON treatment_sessions "
        f"FOR EACH ROW EXECUTE FUNCTION {SESSION_FUNCTION}()"
    )
    op.execute(
        "CREATE TRIGGER session_entries_signed BEFORE INSERT OR UPDATE OR DELETE ON "
        f"session_entries FOR EACH ROW EXECUTE FUNCTION {ENTRY_FUNCTION}()"
    )
    # TRUNCATE skips row triggers: refuse it outright on the session tables.
    for table in ("treatment_sessions", "session_entries"):
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {ddl.PG_FUNCTION}()"
        )


def _drop_signed_session_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS treatment_sessions_signed ON treatment_sessions")
        op.execute("DROP TRIGGER IF EXISTS session_entries_signed ON session_entries")
        for table in ("treatment_sessions", "session_entries"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {SESSION_FUNCTION}()")
        op.execute(f"DROP FUNCTION IF EXISTS {ENTRY_FUNCTION}()")
        return
    for name in (
        "treatment_sessions_signed_no_update",
        "treatment_sessions_signed_no_delete",
        "session_entries_signed_no_insert",
        "session_entries_signed_no_update",
        "session_entries_signed_no_delete",
        "session_entries_signed_no_move",
    ):
        op.execute(f"DROP TRIGGER IF EXISTS {name}")
