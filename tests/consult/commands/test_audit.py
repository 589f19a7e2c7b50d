"""`consult audit verify` through the command line, against tampering done with plain SQL.

The tamperer here is someone with the database file and the sqlite3 shell: they drop
the append-only triggers first, then edit the trail.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from consult.app.cli import main
from tests.consult.safety.clinic import new_clinic, register, sqlite_url


@pytest.fixture
def clinic(tmp_path: Path, data_dir: Path) -> Path:
    path = tmp_path / "clinic.sqlite3"
    url = new_clinic(path)
    for name in ("Ana Souza", "Bruno Lima", "Chloé Martin", "Dev Patel"):
        register(url, name)
    return path


def verify(clinic: Path) -> int:
    return main(["audit", "verify", "--database", sqlite_url(clinic)])


def tamper(clinic: Path, *statements: str) -> None:
    with closing(sqlite3.connect(clinic)) as connection:
        connection.execute("DROP TRIGGER IF EXISTS audit_events_no_update")
        connection.execute("DROP TRIGGER IF EXISTS audit_events_no_delete")
        for statement in statements:
            connection.execute(statement)
        connection.commit()


def event_count(clinic: Path) -> int:
    with closing(sqlite3.connect(clinic)) as connection:
        return connection.execute("SELECT count(*) FROM audit_events").fetchone()[0]


def test_an_untouched_trail_is_intact(clinic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert verify(clinic) == 0
    # The check counts the trail as it begins (the sign-in included); its own
    # audit.verify event is written after.
    checked = event_count(clinic) - 1
    assert capsys.readouterr().out == f"audit trail intact: {checked} events\n"


def test_the_triggers_refuse_tampering_before_anyone_drops_them(clinic: Path) -> None:
    with closing(sqlite3.connect(clinic)) as connection, pytest.raises(
        sqlite3.IntegrityError, match="append-only"
    ):
        connection.execute("UPDATE audit_events SET username = 'nobody' WHERE id = 2")


def test_a_rewritten_event_is_reported(clinic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tamper(clinic, "UPDATE audit_events SET username = 'someone-else' WHERE id = 2")

    assert verify(clinic) == 1

    out = capsys.readouterr().out
    assert out.startswith("audit trail BROKEN: 1 problem(s)")
    assert "event 2 (" in out and "by someone-else) was altered" in out


def test_a_deleted_event_is_reported(clinic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tamper(clinic, "DELETE FROM audit_events WHERE id = 2")

    assert verify(clinic) == 1

    out = capsys.readouterr().out
    assert "event 2 missing (deleted from the trail)" in out
    assert "event 3 does not link to the event before it" in out


def test_a_deleted_event_with_renumbered_successors_is_still_reported(
    clinic: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Hiding the gap by moving every later event down one place breaks the links.
    last = event_count(clinic)
    tamper(
        clinic,
        "DELETE FROM audit_events WHERE id = 2",
        *(f"UPDATE audit_events SET id = {n - 1} WHERE id = {n}" for n in range(3, last + 1)),
    )

    assert verify(clinic) == 1

    out = capsys.readouterr().out
    assert "missing" not in out
    assert "does not link to the event before it" in out
    assert "was altered" in out


def test_reordered_events_are_reported(clinic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tamper(
        clinic,
        "UPDATE audit_events SET id = -1 WHERE id = 2",
        "UPDATE audit_events SET id = 2 WHERE id = 3",
        "UPDATE audit_events SET id = 3 WHERE id = -1",
    )

    assert verify(clinic) == 1

    assert "does not link to the event before it" in capsys.readouterr().out


def test_a_new_clinics_trail_is_intact(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.sqlite3"
    new_clinic(path)  # its first manager, and the sign-in of the check
    assert verify(path) == 0
    checked = event_count(path) - 1  # the check's own event comes after its count
    assert capsys.readouterr().out == f"audit trail intact: {checked} events\n"


def test_checking_the_trail_needs_a_manager(
    clinic: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONSULT_PASSWORD", "not the password")
    assert verify(clinic) == 2
    assert capsys.readouterr().err == "error: wrong username or password\n"


def test_a_file_that_is_not_a_database_is_a_clear_error(
    tmp_path: Path, data_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    impostor = tmp_path / "notes.txt"
    impostor.write_text("not a database\n", encoding="utf-8")
    assert verify(impostor) == 2
    assert capsys.readouterr().err.startswith("error: ")


def test_deleting_the_newest_events_is_reported(
    clinic: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    last = event_count(clinic)
    tamper(clinic, f"DELETE FROM audit_events WHERE id > {last - 2}")

    assert verify(clinic) == 1

    out = capsys.readouterr().out
    assert out.startswith("audit trail BROKEN: 1 problem(s)")
    # Signing in to check appends after the cut; the anchor still names the lost event.
    assert f"this workstation saw event {last}" in out and "deleted" in out


def test_an_emptied_trail_is_reported(clinic: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tamper(clinic, "DELETE FROM audit_events")

    assert verify(clinic) == 1

    out = capsys.readouterr().out
    assert "the trail was emptied" in out or "were deleted" in out


def test_an_older_copy_of_the_file_put_back_is_reported(
    clinic: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    old = tmp_path / "old-copy.sqlite3"
    with closing(sqlite3.connect(clinic)) as live, closing(sqlite3.connect(old)) as copy:
        live.backup(copy)
    register(sqlite_url(clinic), "Eva Stone")
    with closing(sqlite3.connect(old)) as copy, closing(sqlite3.connect(clinic)) as live:
        copy.backup(live)

    assert verify(clinic) == 1

    out = capsys.readouterr().out
    assert "this workstation saw" in out  # the newer events it saw are not in the old copy


def test_a_restore_through_consult_verifies_and_says_what_was_rolled_back(
    clinic: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sqlite_url(clinic)
    backup = tmp_path / "monday.sqlite3"
    assert main(["backup", str(backup), "--database", url]) == 0
    assert oct((tmp_path / "monday.sqlite3.audit-key").stat().st_mode & 0o777) == "0o600"
    register(url, "Eva Stone")
    capsys.readouterr()

    assert main(["restore", str(backup), "--database", url]) == 0
    assert "were rolled back" in capsys.readouterr().out
    assert verify(clinic) == 0

    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"audit trail intact: {event_count(clinic) - 1} events"  # before its own
    assert "restored the database" in out[1] and "rolled back" in out[1]


def test_a_seat_without_the_key_says_so_and_can_import_it(
    clinic: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch
) -> None:
    url = sqlite_url(clinic)
    backup = tmp_path / "monday.sqlite3"
    assert main(["backup", str(backup), "--database", url]) == 0
    monkeypatch.setenv("CONSULT_DATA_DIR", str(tmp_path / "second-seat"))
    capsys.readouterr()

    assert verify(clinic) == 1
    out = capsys.readouterr().out
    assert out.startswith("audit trail NOT VERIFIED")
    assert "this workstation does not have the clinic's audit key" in out

    assert main(["audit", "import-key", f"{backup}.audit-key"]) == 0
    assert capsys.readouterr().out.startswith("audit key ")
    assert verify(clinic) == 0


def test_importing_something_that_is_not_a_key_is_bad_input(
    clinic: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "junk.key"
    junk.write_text("not a key\n", encoding="utf-8")

    assert main(["audit", "import-key", str(junk)]) == 2

    assert capsys.readouterr().err == f"error: {junk}: is not an audit key file\n"
