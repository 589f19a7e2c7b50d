"""consult.protection.backup beyond the command line: damaged databases, roles, encryption."""

from __future__ import annotations

from contextlib import closing
from pathlib import Path

import pytest

from consult.access import Actor
from consult.errors import ConsultError, PermissionDenied
from consult.protection import encryption, postgres_files, sqlite_files
from consult.protection.backup import backup_database, restore_database
from tests.consult.safety.clinic import (
    MANAGER,
    audit_actions,
    integrity,
    new_clinic,
    patient_names,
    register,
    sqlite_url,
)

PRACTITIONER = Actor(7, "dr.lee", "practitioner", "room-2")
PASSPHRASE = "clinic passphrase"


@pytest.fixture
def clinic(tmp_path: Path, data_dir: Path) -> Path:
    path = tmp_path / "clinic.sqlite3"
    new_clinic(path)
    register(sqlite_url(path), "Ana Souza")
    return path


@pytest.fixture
def backup(clinic: Path, tmp_path: Path) -> Path:
    target = tmp_path / "backup.sqlite3"
    backup_database(sqlite_url(clinic), target, MANAGER)
    return target


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: b"\x00garbage" * 4096, id="overwritten"),
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
    ],
)
def test_restore_repairs_a_damaged_database_and_keeps_what_was_there(
    clinic: Path, backup: Path, tmp_path: Path, damage
) -> None:
    damaged = damage(clinic.read_bytes())
    clinic.write_bytes(damaged)

    report = restore_database(sqlite_url(clinic), backup, MANAGER)

    assert integrity(clinic) == ["ok"]
    assert patient_names(clinic) == {"Ana Souza"}
    assert audit_actions(clinic)[-1] == ("restore", MANAGER.username)
    assert report.safety_copy is not None
    assert report.safety_copy.parent == tmp_path
    # SQLite cannot read the damaged file, so its bytes are kept exactly as they were.
    assert report.safety_copy.read_bytes() == damaged


def test_a_practitioner_may_not_back_up_or_restore(
    clinic: Path, backup: Path, tmp_path: Path
) -> None:
    with pytest.raises(PermissionDenied, match=r"dr\.lee"):
        backup_database(sqlite_url(clinic), tmp_path / "mine.sqlite3", PRACTITIONER)
    with pytest.raises(PermissionDenied, match=r"dr\.lee"):
        restore_database(sqlite_url(clinic), backup, PRACTITIONER)
    assert not (tmp_path / "mine.sqlite3").exists()


def test_an_in_memory_database_has_nothing_to_back_up(tmp_path: Path, data_dir: Path) -> None:
    with pytest.raises(ConsultError, match="in-memory database"):
        backup_database("sqlite:///:memory:", tmp_path / "b.sqlite3", MANAGER)


def test_an_unsupported_database_is_named(tmp_path: Path, data_dir: Path) -> None:
    with pytest.raises(ConsultError, match="not mysql"):
        backup_database("mysql://clinic@localhost/clinic", tmp_path / "b.sqlite3", MANAGER)


# --------------------------------------------------------------------------- encrypted


@pytest.fixture
def encrypted_clinic(clinic: Path, tmp_path: Path) -> Path:
    return encryption.encrypt_copy(clinic, tmp_path / "encrypted.sqlite3", PASSPHRASE)


def test_a_backup_of_an_encrypted_database_is_itself_encrypted(
    encrypted_clinic: Path, tmp_path: Path
) -> None:
    target = tmp_path / "encrypted-backup.sqlite3"

    sqlite_files.snapshot_to_file(encrypted_clinic, target, PASSPHRASE)

    assert b"Ana Souza" not in target.read_bytes()
    assert not encryption.is_plain_sqlite(target)
    with closing(encryption.connect_encrypted(target, PASSPHRASE)) as connection:
        assert connection.execute("SELECT name FROM patients").fetchall() == [("Ana Souza",)]


def test_an_encrypted_backup_is_recognised_only_with_its_passphrase(
    encrypted_clinic: Path, tmp_path: Path
) -> None:
    target = tmp_path / "encrypted-backup.sqlite3"
    sqlite_files.snapshot_to_file(encrypted_clinic, target, PASSPHRASE)

    assert sqlite_files.require_consult_database(target, PASSPHRASE)
    with pytest.raises(ConsultError, match="wrong passphrase"):
        sqlite_files.require_consult_database(target, "guess")
    with pytest.raises(ConsultError, match="is not a Consult database backup"):
        sqlite_files.require_consult_database(target, None)


def test_the_storage_hook_gives_a_creator_only_when_a_passphrase_is_set(
    monkeypatch: pytest.MonkeyPatch, encrypted_clinic: Path
) -> None:
    url = sqlite_url(encrypted_clinic)
    monkeypatch.delenv(encryption.PASSPHRASE_ENV, raising=False)
    assert encryption.creator_for(url) is None
    monkeypatch.setenv(encryption.PASSPHRASE_ENV, PASSPHRASE)
    assert encryption.creator_for("postgresql://clinic@localhost/clinic") is None
    connect = encryption.creator_for(url)
    assert connect is not None
    with closing(connect()) as connection:
        assert connection.execute("SELECT name FROM patients").fetchall() == [("Ana Souza",)]


def test_a_passphrase_from_the_apps_dialog_needs_no_environment_variable(
    monkeypatch: pytest.MonkeyPatch, encrypted_clinic: Path
) -> None:
    monkeypatch.delenv(encryption.PASSPHRASE_ENV, raising=False)
    connect = encryption.creator_for(sqlite_url(encrypted_clinic), PASSPHRASE)
    assert connect is not None
    with closing(connect()) as connection:
        assert connection.execute("SELECT count(*) FROM audit_events").fetchone()[0] > 0
    wrong = encryption.creator_for(sqlite_url(encrypted_clinic), "typo")
    assert wrong is not None
    with pytest.raises(ConsultError, match="wrong passphrase"):
        wrong()


# --------------------------------------------------------------------------- PostgreSQL


@pytest.mark.parametrize(
    ("url", "dumped", "accepted"),
    [
        ("postgresql://clinic@db/clinic", "public", True),
        ("postgresql://clinic@db/clinic", "branch_a", False),
        ("postgresql://clinic@db/shared?options=-csearch_path%3Dbranch_a", "branch_a", True),
        ("postgresql://clinic@db/shared?options=-csearch_path%3Dbranch_b", "branch_a", False),
    ],
)
def test_a_postgres_dump_is_restored_only_into_the_schema_it_came_from(
    url: str, dumped: str, accepted: bool, tmp_path: Path
) -> None:
    dump = postgres_files.DumpInfo(schema=dumped, revision="0001")
    if accepted:
        postgres_files.require_same_schema(url, dump, tmp_path / "clinic.dump")
        return
    with pytest.raises(ConsultError, match=f"holds the PostgreSQL schema '{dumped}'"):
        postgres_files.require_same_schema(url, dump, tmp_path / "clinic.dump")
