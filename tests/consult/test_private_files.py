"""Private by default: the data folder is 0700 and every file in it 0600, whatever the umask.

Each test runs under the usual umask 022 (which would give 0755 folders and 0644
files) and puts the test process's own umask back afterwards.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from consult.app import paths
from consult.app.cli import main
from consult.protection import atomic
from consult.storage import Database
from consult.storage import db as dbmod


@pytest.fixture
def umask_022() -> Iterator[None]:
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.fixture
def fresh_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, umask_022) -> Path:
    folder = tmp_path / "consult-data"
    monkeypatch.setenv("CONSULT_DATA_DIR", str(folder))
    return folder


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def modes_under(folder: Path) -> dict[str, int]:
    found = {".": mode(folder)}
    for path in folder.rglob("*"):
        found[str(path.relative_to(folder))] = mode(path)
    return found


def test_a_new_data_folder_its_database_wal_and_log_are_owner_only(fresh_data_dir: Path):
    database = Database.open()
    try:
        with database.Session.begin() as session:
            session.execute(dbmod.text("SELECT 1"))
        paths.note_in_log("a line, so the log exists")
        found = modes_under(fresh_data_dir)
        assert {"clinic.sqlite3", "clinic.sqlite3-wal", "clinic.sqlite3-shm", "consult.log"} <= set(
            found
        )
        assert found == {
            name: (paths.PRIVATE_FOLDER if name == "." else paths.PRIVATE_FILE) for name in found
        }
    finally:
        database.close()


def test_the_copy_made_before_a_migration_is_owner_only(tmp_path: Path, umask_022):
    path = tmp_path / "clinic.sqlite3"
    engine = dbmod._engine(dbmod.parse_url(f"sqlite:///{path}"))
    dbmod.upgrade(engine, path, target="0001")
    engine.dispose()
    Database.open(f"sqlite:///{path}").close()
    (backup,) = tmp_path.glob("clinic.sqlite3.before-*.bak")
    assert mode(backup) == paths.PRIVATE_FILE


def test_an_existing_folder_open_to_others_is_tightened_with_a_note(fresh_data_dir: Path):
    fresh_data_dir.mkdir(mode=0o755)
    (fresh_data_dir / "signing").mkdir(mode=0o755)
    for name in ("clinic.sqlite3", "consult.log", "signing/clinic-seal.pem", "old.bak"):
        (fresh_data_dir / name).write_bytes(b"x")
        (fresh_data_dir / name).chmod(0o644)
    elsewhere = fresh_data_dir.parent / "not-ours.txt"
    elsewhere.write_text("x")
    elsewhere.chmod(0o644)
    (fresh_data_dir / "link").symlink_to(elsewhere)
    os.chmod(fresh_data_dir, 0o755)

    assert paths.data_dir() == fresh_data_dir

    found = modes_under(fresh_data_dir)
    assert found.pop("link") == 0o777  # a symbolic link's own mode; what it points at is not ours
    assert found == {
        ".": 0o700, "signing": 0o700, "clinic.sqlite3": 0o600, "consult.log": 0o600,
        "signing/clinic-seal.pem": 0o600, "old.bak": 0o600,
    }
    assert mode(elsewhere) == 0o644
    log = (fresh_data_dir / "consult.log").read_text(encoding="utf-8")
    assert log.count("\n") == 1
    assert "was open to other users of this computer: made 6 of its files and folders" in log


def test_files_written_atomically_anywhere_are_owner_only(tmp_path: Path, umask_022):
    chosen = tmp_path / "exports" / "report.csv"
    assert mode(atomic.write_text(chosen, "a,b\r\n")) == 0o600
    shared = tmp_path / "consent.pdf"
    shared.write_bytes(b"old")
    shared.chmod(0o644)
    atomic.write_bytes(shared, b"%PDF-")
    assert mode(shared) == 0o600


def test_the_command_sets_a_private_umask_first(capsys, umask_022, tmp_path: Path):
    assert main(["check", str(tmp_path / "missing.json")]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'missing.json'}: no such file\n"
    assert os.umask(0o022) == paths.PRIVATE_UMASK


def test_a_demo_clinic_built_from_the_command_line_is_private(tmp_path: Path):
    folder = tmp_path / "data"
    environment = {  # the demo seals documents; a child process has no test keyring
        **os.environ,
        "CONSULT_DATA_DIR": str(folder),
        "CONSULT_SEAL_PASSPHRASE": "a private files seal phrase",
    }
    result = subprocess.run(
        [sys.executable, "-c", "import os, sys; os.umask(0o022); "
         "from consult.app.cli import main; sys.exit(main(['demo', '--patients', '3']))"],
        env=environment, capture_output=True, text=True, check=False,
    )
    assert (result.returncode, result.stderr) == (0, "")
    found = modes_under(folder)
    assert "clinic.sqlite3" in found
    assert found == {
        name: (0o700 if (folder / name).is_dir() else 0o600) for name in found
    }
