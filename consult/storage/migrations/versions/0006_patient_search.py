"""Patient search by any part of a name, through an index made for it; merging records.

The name is folded in Python into `patients.search_key` (casefolded, accents stripped:
"Zoë Thompson-Okafor" → " zoe thompson-okafor"); this revision indexes that column's
trigrams, so "okafor" finds "Thompson-Okafor" among a million patients without reading
them all (consult.storage.patients.name_condition writes the matching query):

- SQLite: an FTS5 table with the trigram tokenizer, `patient_search`, one row per
  patient (rowid = patient id), kept in step by triggers. Its text is the key with
  hyphens as spaces and every space doubled ("  zoe  thompson  okafor"), so a word
  prefix of one or two letters is a three-character pattern ("  w", " wu") that the
  trigram index serves too. SQLite 3.40's trigram tokenizer cannot strip accents
  itself (remove_diacritics arrived in 3.45), hence the folding in Python.
- PostgreSQL: a GIN index of pg_trgm trigrams on the same text (hyphens as spaces), if
  the pg_trgm extension is installed or can be (it is a "trusted" extension since
  PostgreSQL 13: the database owner may create it). If it cannot be, the migration
  logs a warning saying so and search still works, by reading every patient.

Merging two records of one patient (consult.storage.patients.merge_patients) files the
removed record's signed consents under the kept one: the append-only rule on
consent_records now lets an UPDATE change `patient_id` and nothing else, so a signed
PDF, its fingerprint and the name it was signed with still never change.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

log = logging.getLogger("consult.storage.migrations")

SEARCH_TABLE = "patient_search"
TRIGRAM_INDEX = "ix_patients_search_trigram"
# The indexed text: the folded key, hyphens as spaces (and on SQLite spaces doubled).
POSTGRES_TEXT = "replace(search_key, '-', ' ')"
SQLITE_SCHEMA = (
    "CREATE VIRTUAL TABLE patient_search USING fts5(name, tokenize = 'trigram')",
    "CREATE TRIGGER trg_patient_search_insert AFTER INSERT ON patients BEGIN"
    " INSERT INTO patient_search (rowid, name)"
    " VALUES (new.id, replace(replace(new.search_key, '-', ' '), ' ', '  ')); END",
    "CREATE TRIGGER trg_patient_search_update AFTER UPDATE OF search_key ON patients BEGIN"
    " UPDATE patient_search SET name = replace(replace(new.search_key, '-', ' '), ' ', '  ')"
    " WHERE rowid = new.id; END",
    "CREATE TRIGGER trg_patient_search_delete AFTER DELETE ON patients BEGIN"
    " DELETE FROM patient_search WHERE rowid = old.id; END",
    "INSERT INTO patient_search (rowid, name)"
    " SELECT id, replace(replace(search_key, '-', ' '), ' ', '  ') FROM patients",
)


# consent_records columns that an UPDATE must leave as they are (all but patient_id).
FIXED_CONSENT_COLUMNS = ("id", "consultation_id", "kind", "pdf", "sha256", "signed_at",
                         "patient_signed_name", "practitioner_id", "supersedes_id",
                         "created_at")
SQLITE_REFILE_ONLY = (
    "CREATE TRIGGER consent_records_no_update BEFORE UPDATE ON consent_records WHEN "
    + " OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in FIXED_CONSENT_COLUMNS)
    + " BEGIN SELECT RAISE(ABORT, 'consent_records is append-only: UPDATE refused'); END"
)
PG_REFILE_FUNCTION = """
CREATE OR REPLACE FUNCTION consult_consent_refile_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    refiled consent_records%ROWTYPE;
BEGIN
    refiled := NEW;
    refiled.patient_id := OLD.patient_id;
    IF refiled IS NOT DISTINCT FROM OLD THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'consent_records is append-only: UPDATE refused'
        USING ERRCODE = 'insufficient_privilege';
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_upgrade()
        op.execute("DROP TRIGGER consent_records_no_update")
        op.execute(SQLITE_REFILE_ONLY)
    else:
        _postgres_upgrade()
        op.execute("DROP TRIGGER consent_records_append_only ON consent_records")
        op.execute(
            "CREATE TRIGGER consent_records_append_only BEFORE DELETE ON consent_records "
            "FOR EACH ROW EXECUTE FUNCTION consult_refuse_change()"
        )
        op.execute(PG_REFILE_FUNCTION)
        op.execute(
            "CREATE TRIGGER consent_records_refile_only BEFORE UPDATE ON consent_records "
            "FOR EACH ROW EXECUTE FUNCTION consult_consent_refile_only()"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for suffix in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_patient_search_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {SEARCH_TABLE}")
        op.execute("DROP TRIGGER consent_records_no_update")
        op.execute(
            "CREATE TRIGGER consent_records_no_update BEFORE UPDATE ON consent_records "
            "BEGIN SELECT RAISE(ABORT, 'consent_records is append-only: UPDATE refused'); END"
        )
    else:
        op.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
        op.execute("DROP TRIGGER consent_records_refile_only ON consent_records")
        op.execute("DROP FUNCTION consult_consent_refile_only()")
        op.execute("DROP TRIGGER consent_records_append_only ON consent_records")
        op.execute(
            "CREATE TRIGGER consent_records_append_only BEFORE UPDATE OR DELETE "
            "ON consent_records FOR EACH ROW EXECUTE FUNCTION consult_refuse_change()"
        )


def _sqlite_upgrade() -> None:
    for statement in SQLITE_SCHEMA:
        op.execute(statement)


def _postgres_upgrade() -> None:
    schema = _trigram_schema()
    if schema is None:
        log.warning(
            "PostgreSQL's pg_trgm extension is not installed and this account may not "
            "install it: patient search works, but reads every patient (slow with many). "
            "A database administrator can add the index: CREATE EXTENSION pg_trgm; "
            f"CREATE INDEX {TRIGRAM_INDEX} ON patients USING gin "
            f"(({POSTGRES_TEXT}) gin_trgm_ops);"
        )
        return
    op.execute(
        f"CREATE INDEX {TRIGRAM_INDEX} ON patients "
        f'USING gin (({POSTGRES_TEXT}) "{schema}".gin_trgm_ops)'
    )


def _trigram_schema() -> str | None:
    """The schema pg_trgm lives in, installing it (in the current schema) if need be."""
    connection = op.get_bind()
    query = sa.text(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
        "WHERE e.extname = 'pg_trgm'"
    )
    schema = connection.execute(query).scalar()
    if schema is not None:
        return str(schema)
    savepoint = connection.begin_nested()
    try:
        connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError:
        savepoint.rollback()
        return None
    savepoint.commit()
    found = connection.execute(query).scalar()
    return None if found is None else str(found)
