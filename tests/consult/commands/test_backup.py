"""`consult backup` / `consult restore` through the real command line entry point."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from consult.app.cli import main
from consult.clinical import fileformat
from consult.storage import Database, patients
from consult.storage.audit import verify_chain
from tests.consult.safety.clinic import (
    CLI_USER,
    ENGINES,
    MANAGER,
    audit_actions,
    empty_database,
    integrity,
    last_audit_action,
    names_in,
    new_clinic,
    patient_names,
    register,
    sqlite_url,
    wipe,
)


@pytest.fixture
def clinic(tmp_path: Path, data_dir: Path) -> Path:
    path = tmp_path / "clinic.sqlite3"
    new_clinic(path)
    register(sqlite_url(path), "Ana Souza")
    return path


def consult(*argv: str) -> int:
    return main(list(argv))


@pytest.fixture(params=ENGINES)
def any_engine(request: pytest.FixtureRequest, tmp_path: Path, data_dir: Path) -> Iterator[str]:
    """A clinic database holding Ana Souza, on each engine under test."""
    with empty_database(request.param, tmp_path) as url:
        register(url, "Ana Souza")
        yield url


def test_backup_and_restore_round_trip_on_each_engine(
    any_engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = tmp_path / "before-bruno.backup"
    assert consult("backup", str(backup), "--database", any_engine) == 0
    assert last_audit_action(any_engine) == ("backup", CLI_USER)
    register(any_engine, "Bruno Lima")
    capsys.readouterr()

    assert consult("restore", str(backup), "--database", any_engine) == 0

    assert names_in(any_engine) == {"Ana Souza"}
    assert last_audit_action(any_engine) == ("restore", CLI_USER)
    assert "the database as it was before is kept in" in capsys.readouterr().out
    assert consult("audit", "verify", "--database", any_engine) == 0


def test_restore_onto_an_empty_database_after_losing_everything(
    any_engine: str, tmp_path: Path
) -> None:
    backup = tmp_path / "clinic.backup"
    assert consult("backup", str(backup), "--database", any_engine) == 0
    wipe(any_engine)

    assert consult("restore", str(backup), "--database", any_engine) == 0

    assert names_in(any_engine) == {"Ana Souza"}
    assert consult("audit", "verify", "--database", any_engine) == 0


def test_restore_refuses_a_non_consult_file_on_each_engine(
    any_engine: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    impostor = tmp_path / "holiday-photos.zip"
    impostor.write_bytes(b"PK\x03\x04 not a database backup")

    assert consult("restore", str(impostor), "--database", any_engine) == 2

    assert capsys.readouterr().err.startswith(f"error: {impostor}: is not a Consult database")
    assert names_in(any_engine) == {"Ana Souza"}


def test_backup_writes_an_intact_copy_and_is_audited(
    clinic: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "backups" / "monday.sqlite3"

    assert consult("backup", str(target), "--database", sqlite_url(clinic)) == 0

    out = capsys.readouterr().out
    assert out.startswith(f"backup written to {target} (")
    assert integrity(target) == ["ok"]
    assert patient_names(target) == {"Ana Souza"}
    assert ("backup", CLI_USER) in audit_actions(clinic)
    assert not [p for p in target.parent.iterdir() if p.name.endswith(".tmp")]


def test_backup_while_another_connection_keeps_writing_is_consistent(
    clinic: Path, tmp_path: Path
) -> None:
    url = sqlite_url(clinic)
    started = threading.Event()
    stop = threading.Event()
    written: list[int] = []
    failures: list[BaseException] = []

    def keep_registering() -> None:
        try:
            with Database.open(url) as database:
                while not stop.is_set():
                    patient = fileformat.Patient(f"Writer {len(written)}", date(1990, 1, 1))
                    written.append(patients.create_patient(database, MANAGER, patient).id)
                    if len(written) == 20:
                        started.set()
        except BaseException as exc:  # handed to the test thread, which fails on it
            failures.append(exc)
            started.set()

    writer = threading.Thread(target=keep_registering)
    writer.start()
    try:
        assert started.wait(timeout=120), "the writer thread never got going"
        backups = [tmp_path / f"during-{n}.sqlite3" for n in range(3)]
        for backup in backups:
            assert consult("backup", str(backup), "--database", url) == 0
    finally:
        stop.set()
        writer.join(timeout=120)
    assert not failures, failures
    for backup in backups:
        assert integrity(backup) == ["ok"]
        with Database.open(sqlite_url(backup)) as copy:
            # A consistent snapshot: every patient it holds has its complete audit chain.
            assert verify_chain(copy) == []
        assert len(patient_names(backup)) >= 21


def test_restore_round_trip_brings_back_the_backed_up_state(
    clinic: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sqlite_url(clinic)
    backup = tmp_path / "before-bruno.sqlite3"
    assert consult("backup", str(backup), "--database", url) == 0
    register(url, "Bruno Lima")
    assert patient_names(clinic) == {"Ana Souza", "Bruno Lima"}
    capsys.readouterr()

    assert consult("restore", str(backup), "--database", url) == 0

    out = capsys.readouterr().out
    assert f"restored the database from {backup}" in out
    assert patient_names(clinic) == {"Ana Souza"}
    assert integrity(clinic) == ["ok"]
    safety_copies = list(tmp_path.glob("clinic.before-restore-*.sqlite3"))
    assert len(safety_copies) == 1
    assert str(safety_copies[0]) in out
    assert patient_names(safety_copies[0]) == {"Ana Souza", "Bruno Lima"}
    assert audit_actions(clinic)[-1] == ("restore", CLI_USER)
    assert consult("audit", "verify", "--database", url) == 0


def test_restore_waits_for_the_app_to_close_and_then_succeeds(
    clinic: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sqlite_url(clinic)
    backup = tmp_path / "backup.sqlite3"
    assert consult("backup", str(backup), "--database", url) == 0
    with Database.open(url) as app:  # the app, open while someone tries to restore
        register(url, "Bruno Lima")
        assert patients.search_patients(app, MANAGER, "lima")
        capsys.readouterr()
        assert consult("restore", str(backup), "--database", url) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {clinic} is in use (process ")
        assert "(this process)" in err and err.count("\n") == 1
        assert patient_names(clinic) == {"Ana Souza", "Bruno Lima"}
        assert not list(tmp_path.glob("clinic.before-restore-*"))
    assert consult("restore", str(backup), "--database", url) == 0
    assert patient_names(clinic) == {"Ana Souza"}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"name,date_of_birth\nAna,1989-04-02\n", "(file is not a database)"),
        (b"", "(it has no alembic_version table)"),
    ],
    ids=["csv-file", "empty-file"],
)
def test_restore_refuses_a_file_that_is_not_a_consult_database(
    clinic: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, reason: str
) -> None:
    impostor = tmp_path / "impostor.sqlite3"
    impostor.write_bytes(content)
    before = clinic.read_bytes()

    assert consult("restore", str(impostor), "--database", sqlite_url(clinic)) == 2

    err = capsys.readouterr().err
    assert err.startswith(f"error: {impostor}: is not a Consult database backup")
    assert reason in err
    assert clinic.read_bytes() == before
    assert not list(tmp_path.glob("clinic.before-restore-*"))


def test_restore_refuses_another_programs_sqlite_database(
    clinic: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "places.sqlite"
    with closing(sqlite3.connect(other)) as connection:
        connection.execute("CREATE TABLE moz_places (url TEXT)")
        connection.commit()

    assert consult("restore", str(other), "--database", sqlite_url(clinic)) == 2

    assert "it has no alembic_version table" in capsys.readouterr().err
    assert patient_names(clinic) == {"Ana Souza"}


def test_backup_onto_the_database_itself_is_refused(
    clinic: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert consult("backup", str(clinic), "--database", sqlite_url(clinic)) == 2
    assert "is the database itself" in capsys.readouterr().err
    assert patient_names(clinic) == {"Ana Souza"}


def test_backup_of_a_missing_database_names_it(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.sqlite3"
    assert consult("backup", str(tmp_path / "b.sqlite3"), "--database", sqlite_url(missing)) == 2
    assert capsys.readouterr().err == f"error: database {missing} does not exist\n"


def test_postgres_backup_without_pg_dump_is_a_clear_error(
    tmp_path: Path,
    data_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # a folder with no pg_dump in it
    url = "postgresql://clinic@127.0.0.1/clinic"
    assert consult("backup", str(tmp_path / "clinic.dump"), "--database", url) == 2
    assert "pg_dump is not installed" in capsys.readouterr().err


def test_restore_refuses_a_backup_from_a_newer_consult(
    clinic: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sqlite_url(clinic)
    backup = tmp_path / "from-the-future.sqlite3"
    assert consult("backup", str(backup), "--database", url) == 0
    with closing(sqlite3.connect(backup)) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999_future'")
        connection.commit()
    register(url, "Bruno Lima")
    capsys.readouterr()

    assert consult("restore", str(backup), "--database", url) == 2

    err = capsys.readouterr().err
    assert "was made by a newer Consult (schema revision 9999_future)" in err
    assert patient_names(clinic) == {"Ana Souza", "Bruno Lima"}
    assert not list(tmp_path.glob("clinic.before-restore-*"))


def test_backup_to_a_folder_or_an_unwritable_place_is_a_clear_error(
    clinic: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sqlite_url(clinic)
    assert consult("backup", str(tmp_path), "--database", url) == 2
    err = capsys.readouterr().err
    assert err == f"error: {tmp_path}: is a folder; give the name of a file to write\n"

    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder is expected", encoding="utf-8")
    target = blocker / "backup.sqlite3"
    assert consult("backup", str(target), "--database", url) == 2
    assert capsys.readouterr().err.startswith(f"error: {target}: cannot be written")
