"""The audit viewer's queries: filters narrow in the database, pages run newest first."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text

from consult.access import Actor
from consult.clinical.fileformat import Patient
from consult.errors import InvalidField, PermissionDenied
from consult.storage import Database, patients, users
from consult.storage.audit_queries import AuditFilter, AuditQueries
from consult.storage.models import AuditEvent


@pytest.fixture
def trail(db: Database, manager: Actor, practitioner: Actor, ana: Patient) -> dict[str, int]:
    """Two patients seen by a practitioner, and a refused sign-in."""
    zoe = Patient("Zoë Ångström", date(1992, 7, 14), 2, None, None)
    ids = {
        "ana": patients.create_patient(db, practitioner, ana).id,
        "zoe": patients.create_patient(db, practitioner, zoe).id,
    }
    patients.get_patient(db, practitioner, ids["ana"])
    patients.get_patient(db, manager, ids["zoe"])
    assert users.authenticate(db, "pia", "not her password", workstation="seat 2") is None
    return ids


def _all_events(db: Database) -> list[AuditEvent]:
    with db.Session() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())))


def _event_count(db: Database) -> int:
    with db.Session() as session:
        return session.scalar(select(func.count(AuditEvent.id))) or 0


def test_only_a_role_with_audit_read_may_open_the_trail(db, practitioner, reception):
    for actor in (practitioner, reception):
        with pytest.raises(PermissionDenied, match=r"audit"):
            AuditQueries(db, actor)


def test_pages_run_newest_first_and_never_repeat_a_row(db, manager, trail):
    queries = AuditQueries(db, manager)
    expected = [event.id for event in _all_events(db)]

    listing = queries.listing(AuditFilter(), limit=3)
    assert listing.total == len(expected)
    seen: list[int] = []
    page = list(listing.rows)
    while page:
        seen.extend(row.id for row in page)
        page = queries.page(AuditFilter(), before_id=page[-1].id, limit=3)

    assert seen == expected  # the listing's own audit event came after its first page


def test_opening_a_listing_is_itself_audited_but_scrolling_is_not(db, manager, trail):
    queries = AuditQueries(db, manager)
    before = _event_count(db)

    first = queries.listing(AuditFilter(action="patient.view"), limit=1)
    assert first.total == 2
    queries.page(AuditFilter(action="patient.view"), before_id=first.rows[-1].id, limit=1)

    newest = _all_events(db)[0]
    assert _event_count(db) == before + 1
    assert (newest.action, newest.username) == ("audit.view", "mara")
    assert json.loads(newest.detail) == {"filter": {"action": "patient.view"}}


def test_rows_carry_the_patients_name(db, manager, trail):
    rows = AuditQueries(db, manager).listing(AuditFilter(action="patient.create")).rows
    assert [(row.patient_id, row.patient_name) for row in rows] == [
        (trail["zoe"], "Zoë Ångström"),
        (trail["ana"], "Ana Souza"),
    ]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (AuditFilter(username="pia", action="patient.view"), [("pia", "patient.view", "ana")]),
        (AuditFilter(username="mara", action="patient.view"), [("mara", "patient.view", "zoe")]),
        (
            AuditFilter(patient="ångstrom"),
            [("mara", "patient.view", "zoe"), ("pia", "patient.create", "zoe")],
        ),
        (
            AuditFilter(patient="SOUZA an"),
            [("pia", "patient.view", "ana"), ("pia", "patient.create", "ana")],
        ),
        (AuditFilter(outcome="refused"), [("pia", "user.sign_in", None)]),
        (AuditFilter(patient="nobody"), []),
    ],
)
def test_filters_narrow_the_listing(db, manager, trail, flt, expected):
    names = {value: key for key, value in trail.items()}
    listing = AuditQueries(db, manager).listing(flt)
    found = [(row.username, row.action, names.get(row.patient_id)) for row in listing.rows]
    assert found == expected
    assert listing.total == len(expected)


def test_a_patient_id_filter_matches_that_patient_only(db, manager, trail):
    queries = AuditQueries(db, manager)
    for typed in (str(trail["ana"]), f"#{trail['ana']}", f" {trail['ana']} "):
        rows = queries.listing(AuditFilter(patient=typed)).rows
        assert {row.patient_id for row in rows} == {trail["ana"]}
        assert [row.action for row in rows] == ["patient.view", "patient.create"]


def test_control_characters_in_the_patient_filter_separate_words(db, manager, trail):
    """A NUL pasted into the filter (PostgreSQL refuses one in any text it is sent)."""
    rows = AuditQueries(db, manager).listing(AuditFilter(patient="zo\x00\x1b")).rows
    assert {row.patient_id for row in rows} == {trail["zoe"]}


@pytest.mark.parametrize("typed", ["#2147483648", "99999999999999999999999"])
def test_a_patient_number_no_record_can_have_lists_nothing(db, manager, trail, typed):
    """Not a database error: PostgreSQL numbers records in 32 bits."""
    assert AuditQueries(db, manager).listing(AuditFilter(patient=typed)).rows == ()


def test_a_superscript_digit_is_read_as_a_name_not_a_number(db, manager, trail):
    assert AuditQueries(db, manager).listing(AuditFilter(patient="²")).rows == ()


def test_a_date_range_to_the_last_day_a_calendar_offers(db, manager, trail):
    listing = AuditQueries(db, manager).listing(AuditFilter(date_to=date.max))
    assert listing.total == _event_count(db) - 1  # all but the viewing's own event


def test_the_date_range_is_inclusive_local_days(db, manager, trail):
    queries = AuditQueries(db, manager)
    today = date.today()
    total = _event_count(db)
    assert queries.listing(AuditFilter(date_from=today, date_to=today)).total == total
    assert queries.listing(AuditFilter(date_to=today - timedelta(days=1))).rows == ()
    assert queries.listing(AuditFilter(date_from=today + timedelta(days=1))).total == 0


def test_a_backwards_date_range_names_the_field():
    with pytest.raises(InvalidField) as caught:
        AuditFilter(date_from=date(2026, 3, 2), date_to=date(2026, 3, 1))
    assert caught.value.field == "date_to"


def test_choices_list_what_occurs_in_the_trail(db, manager, trail):
    choices = AuditQueries(db, manager).choices()
    assert choices.usernames == ("mara", "pia")
    assert {"patient.create", "patient.view", "user.sign_in", "user.create"} <= set(choices.actions)
    assert choices.outcomes == ("ok", "refused")


def test_verifying_an_intact_trail_is_recorded(db, manager, trail):
    events = _event_count(db)

    check = AuditQueries(db, manager).verify()

    assert check.intact
    assert check.events == events
    newest = _all_events(db)[0]
    assert (newest.action, newest.outcome) == ("audit.verify", "intact")


def test_verifying_finds_a_rewritten_event(db, manager, trail):
    _drop_triggers(db)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET username = 'nobody' WHERE id = 2"))

    check = AuditQueries(db, manager).verify()

    assert not check.intact
    assert len(check.problems) == 1
    assert check.problems[0].startswith("event 2 (")
    assert _all_events(db)[0].outcome == "broken"


def _drop_triggers(db: Database) -> None:
    with db.engine.begin() as connection:
        if db.dialect == "postgresql":
            connection.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
            connection.execute(text("DROP TRIGGER audit_events_no_delete"))
