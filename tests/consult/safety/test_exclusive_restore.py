"""A restore is exclusive: refused, naming who, while another process is saving;
no acknowledged save is lost; record ids and audit positions are never used twice."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from consult.app.cli import main
from consult.protection.backup import backup_database, restore_database
from consult.protection.exclusive import DatabaseInUse
from consult.storage import Database
from consult.storage.models import AuditEvent
from consult.storage.models import Patient as PatientRow
from tests.consult.safety.clinic import ENGINES, MANAGER, empty_database, register

REPOSITORY = Path(__file__).resolve().parents[3]


@pytest.fixture(params=ENGINES)
def clinic(request: pytest.FixtureRequest, tmp_path: Path, data_dir: Path) -> Iterator[str]:
    with empty_database(request.param, tmp_path) as url:
        register(url, "Ana Souza")
        yield url


@pytest.fixture
def backup(clinic: str, tmp_path: Path) -> Path:
    target = tmp_path / "clinic.backup"
    backup_database(clinic, target, MANAGER)
    return target


class Writer:
    """Another process saving patients, and the ids it has been told were saved."""

    def __init__(self, url: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.consult.safety.saving_writer", url],
            cwd=REPOSITORY,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.acknowledged: list[int] = []

    def wait_for(self, count: int) -> None:
        assert self.process.stdout is not None
        target = len(self.acknowledged) + count
        while len(self.acknowledged) < target:
            line = self.process.stdout.readline()
            assert line, "the writer stopped"
            self.acknowledged.append(int(line))

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=60)


def _ids(url: str) -> set[int]:
    with Database.open(url) as database, database.Session() as session:
        return set(session.scalars(select(PatientRow.id)))


def test_a_restore_during_another_process_saves_is_refused_and_loses_nothing(
    clinic: str, backup: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writer = Writer(clinic)
    try:
        writer.wait_for(5)
        capsys.readouterr()

        assert main(["restore", str(backup), "--database", clinic]) == 2

        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("error: ")
        assert "is in use" in err and "close Consult on every workstation" in err
        assert f"process {writer.process.pid} " in err or "consult on " in err
        writer.wait_for(5)  # it kept saving, undisturbed
    finally:
        writer.stop()
    assert set(writer.acknowledged) <= _ids(clinic)


def test_restore_names_the_session_in_the_way(clinic: str, backup: Path) -> None:
    with Database.open(clinic) as app, app.Session() as session:
        session.execute(select(PatientRow.id)).all()
        with pytest.raises(DatabaseInUse, match="in use"):
            restore_database(clinic, backup, MANAGER)


def test_ids_are_never_used_twice_after_a_restore(clinic: str, backup: Path) -> None:
    later = [register(clinic, name) for name in ("Bruno Lima", "Chloé Martin")]
    with Database.open(clinic) as database, database.Session() as session:
        positions_before = set(session.scalars(select(AuditEvent.id)))

    report = restore_database(clinic, backup, MANAGER)
    newcomer = register(clinic, "Dev Patel")

    assert newcomer > max(later)
    assert _ids(clinic) == {1, newcomer}
    assert report.rolled_back is not None
    with Database.open(clinic) as database, database.Session() as session:
        restored_positions = list(session.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
    first_new = restored_positions.index(report.rolled_back[1] + 1)
    assert set(restored_positions[first_new:]).isdisjoint(positions_before)
