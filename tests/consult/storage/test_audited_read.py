"""PostgreSQL's audited read in two round trips (consult.storage.audited_read), as the
patient search takes it: the general path's answer, event, lock and anchor, and an
error that leaves nothing behind. Runs where the tests have a PostgreSQL server."""

from __future__ import annotations

import json
from datetime import UTC, date
from typing import Any

import pytest
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.pool import NullPool

from consult.access import Actor
from consult.clinical.fileformat import Patient
from consult.storage import Database, anchor, audit, audited_read, patients, users
from consult.storage.anchor import Head
from consult.storage.models import AuditEvent
from consult.storage.models import Patient as PatientRow
from tests.helpers.clinic import while_the_chain_is_held

PEOPLE = [
    Patient("Siobhán O'Brien", date(1989, 4, 2), 3, None, "+353 1 555 0100"),
    Patient("Back\\slash Person", date(1990, 1, 1), 2, None, None),
    Patient("Ana 100% Souza", date(1975, 9, 14), 2, None, None),
    Patient("Ελένη Παπαδοπούλου", date(1992, 12, 1), 3, None, "+30 210 555 0199"),
    Patient("زينب الحسيني", date(1980, 2, 29), 4, None, None),
    Patient("王秀英", date(2001, 7, 7), 3, None, None),
]
TYPED = [
    "o'brien", "BRIEN", "siobhan", "back\\slash", "\\", "100%", "%", "_", "ελένη",
    "الحسيني", "王秀英", "1989-04-02", "555 0100", "o'brien 1989-04-02",
    "'; DROP TABLE patients; --", "nobody at all",
]  # fmt: skip


@pytest.fixture
def desk(server: Database) -> Actor:
    """Reception of a set-up clinic with PEOPLE registered (the trail's key is known)."""
    manager = users.create_first_manager(
        server, clinic_name="Test Clinic", username="mara", full_name="Mara Manager",
        password="correct horse battery",
    ).actor("ws-1")  # fmt: skip
    reception = users.create_user(
        server, manager, username="rita", full_name="Rita", role="reception",
        password="correct horse battery",
    ).actor("ws-2")  # fmt: skip
    for person in PEOPLE:
        patients.create_patient(server, reception, person)
    assert audited_read.available(server)
    return reception


@pytest.fixture
def short_reads(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The driver connection of each search that took the short path."""
    used: list[Any] = []
    make_cursor = audited_read._client_cursor

    def noting(driver: Any) -> Any:
        used.append(driver)
        return make_cursor(driver)

    monkeypatch.setattr(audited_read, "_client_cursor", noting)
    return used


def _events(db: Database) -> list[AuditEvent]:
    with db.Session() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_the_short_path_finds_what_the_general_path_finds(
    server: Database, desk: Actor, short_reads: list[Any], monkeypatch: pytest.MonkeyPatch
):
    before = len(_events(server))
    short = {typed: patients.search_patients(server, desk, typed) for typed in TYPED}
    searched = len(_events(server)) - before
    assert len(short_reads) == searched > 10  # every search that searched took it

    monkeypatch.setattr(audited_read, "available", lambda db: False)
    general = {typed: patients.search_patients(server, desk, typed) for typed in TYPED}
    assert len(short_reads) == searched
    assert short == general
    # Quoting is the driver's: a quote, a backslash or SQL typed are only text to match.
    assert [p.name for p in short["o'brien"]] == ["Siobhán O'Brien"]
    assert [p.name for p in short["back\\slash"]] == ["Back\\slash Person"]
    assert [p.name for p in short["100%"]] == ["Ana 100% Souza"]
    assert [p.name for p in short["王秀英"]] == ["王秀英"]
    assert short["'; DROP TABLE patients; --"] == []
    with server.Session() as session:
        assert session.scalar(select(func.count()).select_from(PatientRow)) == len(PEOPLE)


def test_a_search_is_one_sealed_event_after_the_last_and_the_anchor_follows(
    server: Database, desk: Actor, short_reads: list[Any]
):
    last = _events(server)[-1]
    found = patients.search_patients(server, desk, "brien")
    assert len(short_reads) == 1
    *_, previous, searched = _events(server)
    assert previous.id == last.id
    assert (searched.id, searched.prev_hash) == (last.id + 1, last.hash)
    assert (searched.action, searched.username, searched.workstation) == (
        "patient.search", "rita", "ws-2",
    )  # fmt: skip
    assert json.loads(searched.detail) == {"results": len(found)} == {"results": 1}
    assert searched.mac is not None
    assert audit.verify_chain(server) == []
    seen = anchor.read_anchor(server.engine.url)
    assert seen is not None and seen.head == Head(searched.id, searched.hash)
    # The connection goes back to the pool as the general path expects it.
    driver = short_reads[0]
    assert driver.autocommit is False
    assert driver.info.transaction_status.name == "IDLE"


def test_a_search_waits_for_the_chains_lock_and_follows_the_holders_event(
    server: Database, desk: Actor, short_reads: list[Any]
):
    def search() -> int:
        patients.search_patients(server, desk, "souza")
        return _events(server)[-1].id

    held, searched = while_the_chain_is_held(server, desk, search)
    assert searched == held + 1
    assert len(short_reads) == 1
    assert audit.verify_chain(server) == []


def test_an_error_before_the_commit_leaves_no_event_and_no_lock(
    server: Database, desk: Actor, short_reads: list[Any], monkeypatch: pytest.MonkeyPatch
):
    before = [e.id for e in _events(server)]
    anchored = anchor.read_anchor(server.engine.url)

    def failing(actor: Actor, found: object) -> audit.EventDraft:
        raise RuntimeError("the event could not be made")

    with monkeypatch.context() as patched, pytest.raises(RuntimeError, match="not be made"):
        patched.setattr(patients, "_search_event", failing)
        patients.search_patients(server, desk, "souza")
    assert len(short_reads) == 1 and short_reads[0].closed  # never handed out again
    assert [e.id for e in _events(server)] == before
    assert anchor.read_anchor(server.engine.url) == anchored

    # The chain's lock went with the connection: the next append does not wait for it.
    with server.Session.begin() as session:
        session.execute(text("SET LOCAL lock_timeout = '10s'"))
        audit.record(session, desk, "test.after")
    assert [p.name for p in patients.search_patients(server, desk, "souza")] == ["Ana 100% Souza"]
    assert audit.verify_chain(server) == []


def test_times_come_back_in_utc_whatever_the_connections_zone(
    server: Database, desk: Actor, short_reads: list[Any], monkeypatch: pytest.MonkeyPatch
):
    """The types' own result conversions apply on the short path too."""

    def tokyo(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.autocommit = True
        dbapi_connection.execute("SET TimeZone = 'Asia/Tokyo'")
        dbapi_connection.autocommit = False

    with monkeypatch.context() as patched:
        patched.setattr(audited_read, "available", lambda db: False)
        general = patients.search_patients(server, desk, "ελένη")
    event.listen(server.engine, "checkout", tokyo)
    try:
        short = patients.search_patients(server, desk, "ελένη")
    finally:
        event.remove(server.engine, "checkout", tokyo)
    assert len(short_reads) == 1
    assert short == general
    assert short[0].created_at.tzinfo is UTC


def test_only_postgresql_takes_the_short_path(db: Database, reception: Actor):
    patients.search_patients(db, reception, "souza")  # the trail's key is known now
    assert audited_read.available(db) == (db.dialect == "postgresql")


def test_a_connection_the_server_dropped_fails_one_search_and_is_replaced(
    server: Database, desk: Actor, short_reads: list[Any]
):
    import psycopg

    patients.search_patients(server, desk, "souza")
    before = [e.id for e in _events(server)]
    dropped = short_reads[0].info.backend_pid
    assert server.engine.pool.checkedin() == 1  # so the next search is handed that one
    outside = create_engine(server.engine.url, poolclass=NullPool)  # not the pool's own
    with outside.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped})
    outside.dispose()
    with pytest.raises(psycopg.OperationalError):
        patients.search_patients(server, desk, "souza")  # the pool's connection was that one
    assert short_reads[1].closed
    assert [e.id for e in _events(server)] == before
    assert [p.name for p in patients.search_patients(server, desk, "souza")] == ["Ana 100% Souza"]
    assert short_reads[2].info.backend_pid != dropped
    assert audit.verify_chain(server) == []
