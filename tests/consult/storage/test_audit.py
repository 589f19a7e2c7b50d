"""The audit trail is append-only and its hash chain exposes any tampering."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from consult.access import Actor
from consult.storage import Database, audit, patients
from consult.storage.models import AuditEvent
from tests.helpers.clinic import while_the_chain_is_held


@pytest.fixture
def trail(db: Database, practitioner: Actor, ana) -> Database:
    record = patients.create_patient(db, practitioner, ana)
    for _ in range(3):
        patients.get_patient(db, practitioner, record.id)
    return db


def _drop_triggers(db: Database) -> None:
    with db.engine.begin() as connection:
        if db.dialect == "postgresql":
            connection.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
            connection.execute(text("DROP TRIGGER audit_events_no_delete"))


def test_every_access_is_recorded_with_who_and_which_patient(trail: Database):
    with trail.Session() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    actions = [event.action for event in events]
    assert actions[-4:] == ["patient.create", "patient.view", "patient.view", "patient.view"]
    assert {event.username for event in events[-4:]} == {"pia"}
    assert events[-1].patient_id == events[-4].patient_id is not None
    assert [event.id for event in events] == list(range(1, len(events) + 1))


def test_an_intact_trail_verifies(trail: Database):
    assert audit.verify_chain(trail) == []


def test_the_database_refuses_to_update_an_event(trail: Database):
    with pytest.raises(DBAPIError, match=r"append-only"), trail.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET username = 'nobody' WHERE id = 2"))


def test_the_database_refuses_to_delete_an_event(trail: Database):
    with pytest.raises(DBAPIError, match=r"append-only"), trail.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id = 2"))


def test_a_rewritten_event_is_found_even_with_the_triggers_dropped(trail: Database):
    _drop_triggers(trail)
    with trail.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET username = 'nobody' WHERE id = 3"))

    problems = audit.verify_chain(trail)

    assert len(problems) == 1
    assert problems[0].startswith("event 3 (")
    assert "was altered" in problems[0]


def test_a_rewritten_event_with_a_recomputed_hash_breaks_the_next_link(trail: Database):
    _drop_triggers(trail)
    with trail.Session.begin() as session:
        event = session.get(AuditEvent, 3)
        event.username = "nobody"
        event.hash = audit.chain_hash(event.prev_hash, event)

    problems = audit.verify_chain(trail)

    assert problems == [
        "event 3 (user.create by nobody) does not carry the clinic's seal (it was rewritten "
        "and its chain recomputed, or written without the key)",
        "event 4 does not link to the event before it (an event was removed, inserted or moved)",
    ]


def test_a_deleted_event_is_found(trail: Database):
    _drop_triggers(trail)
    with trail.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_events WHERE id = 2"))

    problems = audit.verify_chain(trail)

    assert problems[0] == "event 2 missing (deleted from the trail)"
    assert any("event 3 does not link" in problem for problem in problems)


def test_swapped_events_are_found(trail: Database):
    _drop_triggers(trail)
    with trail.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET id = -1 WHERE id = 2"))
        connection.execute(text("UPDATE audit_events SET id = 2 WHERE id = 3"))
        connection.execute(text("UPDATE audit_events SET id = 3 WHERE id = -1"))

    problems = audit.verify_chain(trail)

    assert any("event 2" in problem for problem in problems)
    assert any("event 3" in problem for problem in problems)


def test_events_append_within_the_callers_transaction(db: Database, manager: Actor):
    with db.Session() as session:
        before = session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(RuntimeError), db.Session.begin() as session:
        audit.record(session, manager, "test.rolled_back")
        raise RuntimeError("the action failed after auditing")
    with db.Session() as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == before
    assert audit.verify_chain(db) == []


def test_workstations_appending_at_once_keep_one_unbroken_chain(db: Database, manager: Actor):
    import threading

    def append(name: str) -> None:
        actor = Actor(manager.user_id, manager.username, manager.role, name)
        for _ in range(15):
            with db.Session.begin() as session:
                audit.record(session, actor, "test.concurrent")

    workers = [threading.Thread(target=append, args=(f"desk-{n}",)) for n in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    with db.Session() as session:
        appended = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "test.concurrent")
        )
    assert appended == 45
    assert audit.verify_chain(db) == []


def test_an_append_that_waited_for_the_chains_lock_follows_the_holders_event(server: Database):
    """PostgreSQL: the head is read only once the lock is granted, never from before.

    An append waits while another transaction holds the chain's lock; when that one
    commits its event, the waiting append must chain onto that event. A head read with
    a snapshot from before the wait would reuse the holder's position.
    """
    desk = Actor(None, "desk", "manager", "desk-1")
    with server.Session.begin() as session:
        audit.record(session, desk, "test.first")  # the trail's key and a first event

    def append_after_the_holder() -> int:
        with server.Session.begin() as session:
            return audit.record(session, desk, "test.waiting")

    held, waited = while_the_chain_is_held(server, desk, append_after_the_holder)
    assert waited == held + 1
    assert audit.verify_chain(server) == []


def test_the_one_round_trip_lock_is_the_chains_lock():
    """Written out in the query's text (no parameters in a query of several statements)."""
    assert f"pg_advisory_xact_lock({audit.CHAIN_LOCK_KEY});" in audit.LOCK_THEN_HEAD
