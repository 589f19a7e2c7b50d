"""SQLCipher encryption at rest: the file on disk shows nothing, a wrong key is a clear error."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert, select

from consult.errors import ConsultError
from consult.protection import encryption

PASSPHRASE = "correct horse 'battery' staple"
NAME = "Ana Souza-Ferreira"

metadata = MetaData()
patients = Table(
    "patients", metadata, Column("id", Integer, primary_key=True), Column("name", String(200))
)


def _engine(path: Path, passphrase: str):
    return create_engine(f"sqlite:///{path}", creator=encryption.creator(path, passphrase))


def _store_patient(path: Path, passphrase: str) -> None:
    engine = _engine(path, passphrase)
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(patients).values(name=NAME))
    engine.dispose()


def test_the_encrypted_file_does_not_contain_the_patients_name(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite3"
    _store_patient(path, PASSPHRASE)
    on_disk = path.read_bytes()
    assert NAME.encode() not in on_disk
    assert b"patients" not in on_disk  # not even the schema is readable
    assert not on_disk.startswith(b"SQLite format 3")


def test_the_right_passphrase_reads_the_patient_back(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite3"
    _store_patient(path, PASSPHRASE)
    engine = _engine(path, PASSPHRASE)
    with engine.connect() as connection:
        assert connection.execute(select(patients.c.name)).scalar_one() == NAME
    engine.dispose()


def test_a_wrong_passphrase_is_a_clear_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite3"
    _store_patient(path, PASSPHRASE)
    engine = _engine(path, "not the passphrase")
    with pytest.raises(ConsultError, match=r"clinic\.sqlite3: wrong passphrase"):
        engine.connect()
    engine.dispose()


def test_plain_sqlite_cannot_read_the_encrypted_file(tmp_path: Path) -> None:
    path = tmp_path / "clinic.sqlite3"
    _store_patient(path, PASSPHRASE)
    with pytest.raises(sqlite3.DatabaseError, match="not a database"):
        sqlite3.connect(path).execute("SELECT * FROM patients").fetchall()


def test_an_empty_passphrase_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConsultError, match="passphrase: must not be empty"):
        encryption.connect_encrypted(tmp_path / "clinic.sqlite3", "")


def test_an_existing_plain_database_can_be_encrypted_into_a_copy(tmp_path: Path) -> None:
    plain = tmp_path / "plain.sqlite3"
    engine = create_engine(f"sqlite:///{plain}")
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(insert(patients).values(name=NAME))
    engine.dispose()

    encrypted = encryption.encrypt_copy(plain, tmp_path / "encrypted.sqlite3", PASSPHRASE)

    assert NAME.encode() not in encrypted.read_bytes()
    with closing(encryption.connect_encrypted(encrypted, PASSPHRASE)) as connection:
        assert connection.execute("SELECT name FROM patients").fetchall() == [(NAME,)]


def test_encrypting_over_an_existing_file_is_refused(tmp_path: Path) -> None:
    existing = tmp_path / "encrypted.sqlite3"
    existing.write_bytes(b"keep me")
    with pytest.raises(ConsultError, match="already exists"):
        encryption.encrypt_copy(tmp_path / "plain.sqlite3", existing, PASSPHRASE)
    assert existing.read_bytes() == b"keep me"


def test_the_passphrase_comes_from_the_environment_only_when_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv(encryption.PASSPHRASE_ENV, raising=False)
    assert encryption.passphrase_from_environment() is None
    monkeypatch.setenv(encryption.PASSPHRASE_ENV, "")
    assert encryption.passphrase_from_environment() is None
    monkeypatch.setenv(encryption.PASSPHRASE_ENV, PASSPHRASE)
    assert encryption.passphrase_from_environment() == PASSPHRASE
