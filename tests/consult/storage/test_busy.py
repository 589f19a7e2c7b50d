"""A lock wait that runs out reaches the user as one line, not as an internal error.

Two connections to one SQLite file: a raw one holds the write lock (another
workstation in the middle of saving) while the app tries to save. The busy timeout
is cut to 1 ms so the app's wait runs out at once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from consult.access import command_line_actor
from consult.app.cli import main
from consult.clinical import fileformat
from consult.errors import ConsultError
from consult.protection import encryption
from consult.storage import Database, patients
from consult.storage import db as dbmod
from consult.storage.models import Patient

ACTOR = command_line_actor()
ANA = fileformat.Patient("Ana Souza", date(1989, 4, 2))
BRUNO = fileformat.Patient("Bruno Lima", date(1975, 11, 30))
PASSPHRASE = "clinic passphrase"
BUSY = "the clinic database is busy: another workstation is saving; try again"


@pytest.fixture(autouse=True)
def short_busy_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dbmod, "BUSY_TIMEOUT_MS", 1)
    monkeypatch.delenv(encryption.PASSPHRASE_ENV, raising=False)


@contextmanager
def another_workstation_saving(connection: Any) -> Iterator[None]:
    """Hold SQLite's write lock on `connection` until the block ends."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        connection.execute("ROLLBACK")


def _names(database: Database) -> set[str]:
    with database.Session() as session:
        return set(session.scalars(select(Patient.name)))


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[tuple[Database, Path]]:
    path = tmp_path / "clinic.sqlite3"
    database = Database.open(f"sqlite:///{path}")
    patients.create_patient(database, ACTOR, ANA)
    try:
        yield database, path
    finally:
        database.close()


def test_saving_while_another_workstation_holds_the_lock_is_a_busy_message(clinic):
    database, path = clinic
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        with another_workstation_saving(other), pytest.raises(dbmod.DatabaseBusy) as busy:
            patients.create_patient(database, ACTOR, BRUNO)
    assert isinstance(busy.value, ConsultError)
    assert str(busy.value) == BUSY


def test_reading_is_not_blocked_and_saving_works_again_once_the_lock_is_free(clinic):
    database, path = clinic
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        with another_workstation_saving(other):
            assert _names(database) == {"Ana Souza"}  # WAL: readers never wait
            with pytest.raises(dbmod.DatabaseBusy):
                patients.create_patient(database, ACTOR, BRUNO)
        patients.create_patient(database, ACTOR, BRUNO)
    assert _names(database) == {"Ana Souza", "Bruno Lima"}


def test_a_session_begun_by_hand_gets_the_busy_message_too(clinic):
    database, path = clinic
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        with another_workstation_saving(other), pytest.raises(ConsultError, match=BUSY):
            with database.Session.begin():
                pytest.fail("the write transaction must not start while the lock is held")


def test_an_encrypted_database_reports_busy_the_same_way(tmp_path: Path):
    path = tmp_path / "clinic.sqlite3"
    with Database.open(f"sqlite:///{path}", passphrase=PASSPHRASE) as database:
        with closing(encryption.connect_encrypted(path, PASSPHRASE, isolation_level=None)) as other:
            with another_workstation_saving(other), pytest.raises(ConsultError, match=BUSY):
                patients.create_patient(database, ACTOR, ANA)


def test_the_command_line_prints_the_busy_line(
    clinic, tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
):
    _database, path = clinic
    backup = tmp_path / "backup.sqlite3"
    with closing(sqlite3.connect(path, isolation_level=None)) as other:
        with another_workstation_saving(other):
            # The backup is written, then recording it in the audit trail must wait.
            assert main(["backup", str(backup), "--database", f"sqlite:///{path}"]) == 2
    assert capsys.readouterr().err == f"error: {BUSY}\n"
