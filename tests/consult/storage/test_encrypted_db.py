"""An SQLCipher-encrypted clinic database opened through Database.open, end to end."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from consult.access import command_line_actor
from consult.app.cli import main
from consult.clinical import fileformat
from consult.errors import ConsultError
from consult.protection import encryption
from consult.protection.backup import backup_database, restore_database
from consult.storage import Database, patients, users
from consult.storage import db as dbmod
from consult.storage.models import Patient
from tests.consult.safety.clinic import CLI_PASSWORD, CLI_USER
from tests.consult.storage.test_db import database_at_first_revision_with_a_patient

PASSPHRASE = "needles & 'serum' 2026"
ANA = fileformat.Patient("Ana Souza", date(1989, 4, 2))
BRUNO = fileformat.Patient("Bruno Lima", date(1975, 11, 30))
ACTOR = command_line_actor()


@pytest.fixture(autouse=True)
def no_passphrase_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(encryption.PASSPHRASE_ENV, raising=False)


def _url(path: Path) -> str:
    return f"sqlite:///{path}"


def _names(database: Database) -> set[str]:
    with database.Session() as session:
        return set(session.scalars(select(Patient.name)))


@pytest.fixture
def encrypted(tmp_path: Path) -> Path:
    """A new encrypted clinic database holding Ana Souza."""
    path = tmp_path / "clinic.sqlite3"
    with Database.open(_url(path), passphrase=PASSPHRASE) as database:
        patients.create_patient(database, ACTOR, ANA)
    return path


def test_a_database_opened_with_a_passphrase_is_encrypted_on_disk(encrypted: Path):
    on_disk = encrypted.read_bytes()
    assert b"Ana Souza" not in on_disk
    assert not on_disk.startswith(dbmod.SQLITE_HEADER)
    assert dbmod.is_encrypted_file(encrypted)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(encrypted).execute("SELECT name FROM patients").fetchall()


def test_the_right_passphrase_opens_it_at_the_newest_revision(encrypted: Path):
    with Database.open(_url(encrypted), passphrase=PASSPHRASE) as database:
        assert dbmod.current_revision(database.engine) == dbmod.head_revision()
        patients.create_patient(database, ACTOR, BRUNO)
        assert _names(database) == {"Ana Souza", "Bruno Lima"}


def test_the_passphrase_may_come_from_the_environment(
    encrypted: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv(encryption.PASSPHRASE_ENV, PASSPHRASE)
    with Database.open(_url(encrypted)) as database:
        assert _names(database) == {"Ana Souza"}


def test_a_wrong_passphrase_is_one_line_naming_the_file(encrypted: Path):
    with pytest.raises(ConsultError) as refused:
        Database.open(_url(encrypted), passphrase="needles and serum")
    message = str(refused.value)
    assert message == (
        f"database {encrypted}: wrong passphrase, or not an encrypted Consult database"
    )
    assert PASSPHRASE not in message


def test_an_encrypted_file_opened_without_a_passphrase_says_so(encrypted: Path):
    with pytest.raises(ConsultError, match=r"is encrypted and no passphrase was given"):
        Database.open(_url(encrypted))


def test_a_passphrase_for_a_plain_database_is_refused_with_the_reason(tmp_path: Path):
    path = tmp_path / "plain.sqlite3"
    Database.open(_url(path)).close()
    with pytest.raises(ConsultError, match=r"plain\.sqlite3 is not encrypted, but a database"):
        Database.open(_url(path), passphrase=PASSPHRASE)
    assert encryption.is_plain_sqlite(path)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(None, False, id="missing"),
        pytest.param(b"", False, id="empty"),
        pytest.param(dbmod.SQLITE_HEADER + b"\x10\x00", False, id="plain"),
        pytest.param(b"\x8f\x03" * 512, True, id="no-header"),
    ],
)
def test_is_encrypted_file(tmp_path: Path, content: bytes | None, expected: bool):
    path = tmp_path / "clinic.sqlite3"
    if content is not None:
        path.write_bytes(content)
    assert dbmod.is_encrypted_file(path) is expected


def test_migrating_an_encrypted_database_keeps_an_encrypted_backup(tmp_path: Path):
    path = tmp_path / "clinic.sqlite3"
    database_at_first_revision_with_a_patient(path, PASSPHRASE)

    with Database.open(_url(path), passphrase=PASSPHRASE) as database:
        assert dbmod.current_revision(database.engine) == dbmod.head_revision()
        assert _names(database) == {"Ana Souza"}

    (backup,) = tmp_path.glob(f"clinic.sqlite3.before-{dbmod.head_revision()}-*Z.bak")
    assert dbmod.is_encrypted_file(backup)
    assert b"Ana Souza" not in backup.read_bytes()
    with closing(encryption.connect_encrypted(backup, PASSPHRASE)) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert copy.execute("SELECT name FROM patients").fetchall() == [("Ana Souza",)]


def test_consult_backup_and_restore_work_on_an_encrypted_database(
    encrypted: Path,
    tmp_path: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    monkeypatch.setenv(encryption.PASSPHRASE_ENV, PASSPHRASE)
    # A backup and a restore are acts of the clinic's manager, signed in through the environment.
    with Database.open(_url(encrypted), passphrase=PASSPHRASE) as database:
        users.create_first_manager(
            database, clinic_name="Test Clinic", username=CLI_USER, full_name="Mara Quinn",
            password=CLI_PASSWORD,
        )
    monkeypatch.setenv("CONSULT_USER", CLI_USER)
    monkeypatch.setenv("CONSULT_PASSWORD", CLI_PASSWORD)
    backup = tmp_path / "before-bruno.backup"

    assert main(["backup", str(backup), "--database", _url(encrypted)]) == 0
    assert dbmod.is_encrypted_file(backup)
    assert b"Ana Souza" not in backup.read_bytes()

    with Database.open(_url(encrypted)) as database:
        patients.create_patient(database, ACTOR, BRUNO)
    assert main(["restore", str(backup), "--database", _url(encrypted)]) == 0

    assert "restored the database from" in capsys.readouterr().out
    assert dbmod.is_encrypted_file(encrypted)
    with Database.open(_url(encrypted)) as database:
        assert _names(database) == {"Ana Souza"}
    # The database as it was before the restore (with Bruno) is kept, still encrypted.
    (kept,) = tmp_path.glob("clinic.before-restore-*.sqlite3")
    assert dbmod.is_encrypted_file(kept)
    with Database.open(_url(kept)) as previous:
        assert _names(previous) == {"Ana Souza", "Bruno Lima"}


def test_consult_backup_without_the_passphrase_is_a_one_line_error(
    encrypted: Path, tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
):
    backup = tmp_path / "backup.sqlite3"
    assert main(["backup", str(backup), "--database", _url(encrypted)]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and error.count("\n") == 1
    assert "no passphrase was given" in error
    assert not backup.exists()


def test_backup_and_restore_take_the_passphrase_from_the_apps_dialog(
    encrypted: Path, tmp_path: Path, data_dir: Path
):
    # No CONSULT_DB_PASSPHRASE (autouse fixture): only the passphrase passed in.
    backup = tmp_path / "backup.sqlite3"
    backup_database(_url(encrypted), backup, ACTOR, passphrase=PASSPHRASE)
    assert dbmod.is_encrypted_file(backup)

    with Database.open(_url(encrypted), passphrase=PASSPHRASE) as database:
        patients.create_patient(database, ACTOR, BRUNO)
    restore_database(_url(encrypted), backup, ACTOR, passphrase=PASSPHRASE)

    with Database.open(_url(encrypted), passphrase=PASSPHRASE) as database:
        assert _names(database) == {"Ana Souza"}
