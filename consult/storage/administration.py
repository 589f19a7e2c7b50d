"""The database administrator's work: schema migrations and the workstations' role.

On PostgreSQL two roles keep the clinic's history safe from the workstations
themselves: the schema's owner, which only `consult migrate` uses, and the role the
workstations connect as, which may read and write the clinic's records but may not
drop triggers, alter tables, or change or delete audit events and signed consents
(so a stolen workstation password cannot rewrite history either). `migrate` brings
the schema to this version of Consult and grants that role exactly those rights.

SQLite has no roles: a workstation migrates its file at start, after a backup copy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.engine import Connection

from consult.access import Actor, require
from consult.errors import ConsultError, InvalidField
from consult.storage.db import (
    HEAD_REVISION,
    _checked_sqlite_file,
    _engine,
    _errors_as_consult_errors,
    current_revision,
    parse_url,
    upgrade,
    where,
)

PERMISSION = "database.migrate"
# The records that are never changed once written: the workstations may add, not alter.
APPEND_ONLY = ("audit_events", "consent_records")
# Read by the workstations to know the schema's revision; changed only by migrations.
READ_ONLY = ("alembic_version",)
_ROLE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


@dataclass(frozen=True)
class MigrationReport:
    database: str
    before: str | None
    after: str
    workstation_role: str | None


def migrate(actor: Actor, url: str, *, workstation_role: str | None = None) -> MigrationReport:
    """Bring the database at `url` to this Consult's schema, as its administrator.

    On PostgreSQL, connect as the schema's owner; `workstation_role` is then granted
    what the workstations need and nothing more (see the module's docstring).
    """
    require(actor, PERMISSION)
    parsed = parse_url(url)
    postgres = parsed.get_backend_name() == "postgresql"
    if workstation_role is not None and not postgres:
        raise InvalidField("--workstation-role", "roles exist only on PostgreSQL")
    if workstation_role is not None and not _ROLE_NAME.match(workstation_role):
        raise InvalidField("--workstation-role", f"{workstation_role!r} is not a role name")
    sqlite_file = None if postgres else _checked_sqlite_file(parsed)
    engine = _engine(parsed)
    try:
        with _errors_as_consult_errors(parsed):
            before = current_revision(engine)
            upgrade(engine, sqlite_file, administrator=True)
            if workstation_role is not None:
                with engine.begin() as connection:
                    grant_workstation_role(connection, workstation_role)
    finally:
        engine.dispose()
    return MigrationReport(where(parsed), before, HEAD_REVISION, workstation_role)


def grant_workstation_role(connection: Connection, role: str) -> None:
    """Give `role` the clinic's records to read and write, the history to add to only."""
    exists = connection.execute(
        text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}
    ).first()
    if exists is None:
        raise InvalidField("--workstation-role", f"the role {role} does not exist on the server")
    schema = connection.execute(text("SELECT current_schema()")).scalar()
    quoted_role, quoted_schema = _quoted(role), _quoted(str(schema))
    for statement in (
        f"GRANT USAGE ON SCHEMA {quoted_schema} TO {quoted_role}",
        f"REVOKE CREATE ON SCHEMA {quoted_schema} FROM {quoted_role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {quoted_schema} "
        f"TO {quoted_role}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA {quoted_schema} "
        f"FROM {quoted_role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {quoted_schema} TO {quoted_role}",
        *(f"REVOKE UPDATE, DELETE ON {table} FROM {quoted_role}" for table in APPEND_ONLY),
        *(f"REVOKE INSERT, UPDATE, DELETE ON {table} FROM {quoted_role}" for table in READ_ONLY),
    ):
        connection.exec_driver_sql(statement)


def _quoted(identifier: str) -> str:
    if '"' in identifier:
        raise ConsultError(f"{identifier!r} cannot be used as a PostgreSQL name")
    return f'"{identifier}"'
