"""The trail cannot be quietly shortened, emptied, recomputed or rolled back.

The attacker here can write to the database (a copied file, a PostgreSQL login) but not
to the workstation's data folder, where the audit key and the head anchor live.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select, text

from consult.access import Actor
from consult.protection import postgres_files, sqlite_files
from consult.protection.backup import backup_database, restore_database
from consult.protection.encryption import connect_sqlite
from consult.storage import Database, anchor, audit, patients
from consult.storage.models import AuditEvent


@pytest.fixture
def trail(db: Database, practitioner: Actor, ana) -> Database:
    record = patients.create_patient(db, practitioner, ana)
    for _ in range(5):
        patients.get_patient(db, practitioner, record.id)
    return db


def _drop_triggers(db: Database) -> None:
    with db.engine.begin() as connection:
        if db.dialect == "postgresql":
            connection.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
            connection.execute(text("DROP TRIGGER audit_events_no_truncate ON audit_events"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
            connection.execute(text("DROP TRIGGER audit_events_no_delete"))


def _last_position(db: Database) -> int:
    with db.Session() as session:
        return max(session.scalars(select(AuditEvent.id)))


def test_an_untouched_trail_is_intact_and_sealed(trail: Database):
    report = audit.verify_trail(trail)
    assert report.intact and report.problems == () and report.missing_key is None
    with trail.Session() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert events[0].action == audit.KEY_CREATED
    assert all(event.mac for event in events)


def test_deleting_the_newest_events_is_found(trail: Database):
    last = _last_position(trail)
    _drop_triggers(trail)
    with trail.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id > :n"), {"n": last - 3})

    problems = audit.verify_chain(trail)

    assert problems == [
        f"the trail ends at event {last - 3} but this workstation saw event {last}: "
        f"events {last - 2}–{last} were deleted (and no restore from a backup explains it)"
    ]


def test_emptying_the_table_is_found(trail: Database):
    last = _last_position(trail)
    _drop_triggers(trail)
    with trail.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events"))

    problems = audit.verify_chain(trail)

    assert problems == [
        f"the trail is empty but this workstation saw event {last}: the trail was emptied "
        "(and no restore from a backup explains it)"
    ]


def test_a_rewritten_event_with_the_whole_chain_recomputed_is_found(trail: Database):
    _drop_triggers(trail)
    with trail.Session.begin() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        events[2].username = "nobody"
        previous = events[1].hash
        for event in events[2:]:
            event.prev_hash = previous
            event.hash = previous = audit.chain_hash(previous, event)

    problems = audit.verify_chain(trail)

    # No link or hash is wrong any more: only the seals and the anchor give it away.
    assert not [p for p in problems if "does not link" in p or "its hash" in p]
    assert problems[0].startswith(
        "event 3 (user.create by nobody) does not carry the clinic's seal"
    )
    assert len([p for p in problems if "does not carry the clinic's seal" in p]) == len(events) - 2
    assert problems[-1].endswith("the trail was rewritten and its chain recomputed")


def _restore_by_hand(db: Database, backup: Path) -> None:
    """What an attacker with the database but not Consult's data folder can do."""
    if db.dialect == "postgresql":
        postgres_files.restore_from_file(db.url.render_as_string(hide_password=False), backup)
        return
    with connect_sqlite(backup) as source, connect_sqlite(str(db.url.database)) as live:
        sqlite_files.copy_live_database(source, live)


def test_an_older_backup_copied_in_by_hand_is_found(
    trail: Database, practitioner: Actor, manager: Actor, tmp_path: Path
):
    url = trail.url.render_as_string(hide_password=False)
    backup = tmp_path / "monday.backup"
    backup_database(url, backup, manager)
    patients.search_patients(trail, practitioner, "souza")
    last = _last_position(trail)
    trail.engine.dispose()

    _restore_by_hand(trail, backup)

    problems = audit.verify_chain(trail)
    assert len(problems) == 1
    assert problems[0].startswith("the trail ends at event ")
    assert f"but this workstation saw event {last}" in problems[0]


def test_a_restore_through_consult_passes_and_says_what_was_rolled_back(
    trail: Database, practitioner: Actor, manager: Actor, tmp_path: Path
):
    url = trail.url.render_as_string(hide_password=False)
    backup = tmp_path / "monday.backup"
    backed_up = _last_position(trail)  # the backup's own event comes after it
    backup_database(url, backup, manager)
    for _ in range(3):
        patients.search_patients(trail, practitioner, "souza")
    last = _last_position(trail)
    trail.close()

    report = restore_database(url, backup, manager)

    assert report.rolled_back == (backed_up + 1, last)
    with Database.open(url) as restored:
        check = audit.verify_trail(restored)
    assert check.intact, check.problems
    assert len(check.notes) == 1
    assert f"events {backed_up + 1}–{last} rolled back" in check.notes[0]
    assert "restored the database" in check.notes[0] and str(backup) in check.notes[0]


def test_a_forged_restore_event_does_not_explain_a_gap(trail: Database, practitioner: Actor):
    """Someone without the key cannot write the event that would excuse deleted events."""
    last = _last_position(trail)
    _drop_triggers(trail)
    with trail.Session.begin() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        session.execute(text("DELETE FROM audit_events WHERE id > :n"), {"n": last - 2})
        forged = AuditEvent(
            id=last + 1,
            at=events[-1].at,
            user_id=None,
            username="mara",
            workstation="desk",
            patient_id=None,
            action="restore",
            outcome="ok",
            detail=audit.canonical_json({"rolled_back": {"first": last - 1, "last": last}}),
            prev_hash=events[-3].hash,
            mac="0" * 64,
        )
        forged.hash = audit.chain_hash(forged.prev_hash, forged)
        session.add(forged)

    problems = audit.verify_chain(trail)

    assert f"events {last - 1}–{last} missing (deleted from the trail)" in problems
    assert any(f"event {last + 1} (restore by mara) does not carry" in p for p in problems)


def test_a_seat_without_the_key_says_so_instead_of_calling_the_trail_intact(
    trail: Database, practitioner: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    url = trail.url.render_as_string(hide_password=False)
    trail.close()
    monkeypatch.setenv("CONSULT_DATA_DIR", str(tmp_path / "other-seat"))
    with Database.open(url) as other_seat:
        report = audit.verify_trail(other_seat)
        assert not report.intact and report.problems == ()
        assert report.missing_key is not None
        assert "this workstation does not have the clinic's audit key" in report.missing_key
        assert "consult audit import-key" in report.missing_key
        # It keeps working: its events are written without a seal, and flagged.
        patients.search_patients(other_seat, practitioner, "souza")
        unsealed = _last_position(other_seat)
    monkeypatch.undo()
    with Database.open(url) as keyed_seat:
        problems = audit.verify_chain(keyed_seat)
    assert problems == [
        f"event {unsealed} (patient.search by pia at test-workstation) has no seal: it was "
        "written at a workstation without the clinic's audit key, or its seal was removed"
    ]


def test_a_new_seat_gets_the_key_from_a_backup(
    trail: Database, manager: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    url = trail.url.render_as_string(hide_password=False)
    backup = tmp_path / "monday.backup"
    report = backup_database(url, backup, manager)
    assert report.carries_key and report.audit_file == anchor.manifest_path(backup)
    assert report.audit_file.stat().st_mode & 0o777 == 0o600
    monkeypatch.setenv("CONSULT_DATA_DIR", str(tmp_path / "new-seat"))

    key = anchor.import_key_file(report.audit_file)

    assert key.id in anchor.key_path(key.id).name
    assert anchor.key_path(key.id).stat().st_mode & 0o777 == 0o600
    with Database.open(url) as new_seat:
        assert audit.verify_trail(new_seat).intact


def test_the_key_never_enters_the_database(trail: Database):
    key = audit.trail_key(trail)
    assert key is not None
    with trail.engine.connect() as connection:
        details = " ".join(connection.execute(text("SELECT detail FROM audit_events")).scalars())
    assert key.secret.hex() not in details
    assert key.id in details


def test_the_anchor_moves_in_place_and_another_process_s_write_is_read(trail: Database):
    """Each event rewrites the anchor file in place (no new file); what another Consult
    process of this seat wrote is what the next read sees."""
    last = _last_position(trail)
    path = anchor._anchor_path(anchor.database_identity(trail.url))
    assert anchor.read_anchor(trail.url).head.id == last
    inode = path.stat().st_ino
    anchor.remember_head(trail.url, anchor.Head(last - 2, "f" * 64), None)  # another process
    assert anchor.read_anchor(trail.url).head == anchor.Head(last - 2, "f" * 64)
    assert path.stat().st_ino == inode

    path.write_text("{ not json", encoding="utf-8")  # changed by hand
    with pytest.raises(Exception, match="the audit anchor is damaged"):
        anchor.read_anchor(trail.url)
