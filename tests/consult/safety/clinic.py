"""A small real clinic database for the data-safety tests (no mocks: the real storage)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from consult.access import Actor, command_line_actor
from consult.clinical import fileformat
from consult.storage import Database, patients, users
from consult.storage.models import AuditEvent
from consult.storage.models import Patient as PatientRow

# As in the storage tests: SQLite always, PostgreSQL too when CI provides a server
# (ENGINES is re-exported for the tests that parametrise over it).
from tests.helpers.templates import copy_of_new_database
from tests.postgres import ENGINES as ENGINES
from tests.postgres import empty_database_url

MANAGER = command_line_actor()


@contextmanager
def empty_database(engine: str, folder: Path) -> Iterator[str]:
    """The URL of a new, empty database on `engine` (a private schema on PostgreSQL)."""
    with empty_database_url(engine, folder, prefix="safety") as url:
        yield url


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


# The account the command-line tests sign in as (tests/consult/commands/conftest.py).
CLI_USER = "mara"
CLI_PASSWORD = "a long manager phrase"


def new_clinic(path: Path) -> str:
    """Create an up-to-date Consult database at `path`, with its manager; returns its URL."""
    url = sqlite_url(path)
    copy_of_new_database(url)
    with Database.open(url) as database:
        _first_manager(database)
    return url


def _first_manager(database: Database) -> None:
    if users.count_users(database) == 0:
        users.create_first_manager(
            database, clinic_name="Test Clinic", username=CLI_USER, full_name="Mara Quinn",
            password=CLI_PASSWORD,
        )


def register(url: str, name: str, born: date = date(1989, 4, 2), actor: Actor = MANAGER) -> int:
    copy_of_new_database(url)
    with Database.open(url) as database:
        _first_manager(database)
        return patients.create_patient(database, actor, fileformat.Patient(name, born)).id


def wipe(url: str) -> None:
    """Lose the whole database: the SQLite file, or every table of the PostgreSQL schema."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    schema = postgres_schema(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()


def postgres_schema(url: str) -> str:
    return str(make_url(url).query["options"]).removeprefix("-csearch_path=")


def names_in(url: str) -> set[str]:
    """Every patient's name, read through the storage layer (works on both engines)."""
    with Database.open(url) as database, database.Session() as session:
        return set(session.scalars(select(PatientRow.name)))


def last_audit_action(url: str) -> tuple[str, str]:
    with Database.open(url) as database, database.Session() as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
        return event.action, event.username


def patient_names(path: Path) -> set[str]:
    """Read straight from the file with sqlite3, not through the code under test."""
    with closing(sqlite3.connect(path)) as connection:
        return {row[0] for row in connection.execute("SELECT name FROM patients")}


def audit_actions(path: Path) -> list[tuple[str, str]]:
    with closing(sqlite3.connect(path)) as connection:
        return list(connection.execute("SELECT action, username FROM audit_events ORDER BY id"))


def integrity(path: Path) -> list[str]:
    with closing(sqlite3.connect(path)) as connection:
        return [row[0] for row in connection.execute("PRAGMA integrity_check")]
