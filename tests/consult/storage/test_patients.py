"""Finding, registering and correcting patients; roles and optimistic locking."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from consult.access import Actor
from consult.clinical.fileformat import Patient
from consult.errors import InvalidField, StaleRecord
from consult.storage import Database, locking, patients
from consult.storage.models import AuditEvent
from consult.storage.models import Patient as PatientRow

PEOPLE = [
    Patient("Ana Souza", date(1989, 4, 2), 3, "ana@example.org", "+1 555 0100"),
    Patient("Zoë Ångström", date(1975, 9, 14), 2, None, "+46 70 123 45 67"),
    Patient("Ελένη Παπαδοπούλου", date(1992, 12, 1), 3, None, "+30 210 555 0199"),
    Patient("Дмитрий Иванов", date(1980, 2, 29), 2, None, "+7 495 555-01-02"),
    Patient("Anabel Costa", date(2001, 7, 7), 4, None, None),
]


@pytest.fixture
def registered(db: Database, reception: Actor) -> dict[str, int]:
    return {p.name: patients.create_patient(db, reception, p).id for p in PEOPLE}


def _names(found) -> list[str]:
    return sorted(record.name for record in found)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("souza", ["Ana Souza"]),
        ("ana", ["Ana Souza", "Anabel Costa"]),
        ("ANA sou", ["Ana Souza"]),
        ("zoe angstrom", ["Zoë Ångström"]),
        ("Ångst", ["Zoë Ångström"]),
        ("ελενη", ["Ελένη Παπαδοπούλου"]),
        ("Παπαδ", ["Ελένη Παπαδοπούλου"]),
        ("дмитрий", ["Дмитрий Иванов"]),
        ("1989-04-02", ["Ana Souza"]),
        ("02/04/1989", ["Ana Souza"]),
        ("29.02.1980", ["Дмитрий Иванов"]),
        ("555 0100", ["Ana Souza"]),
        ("+46 70 123", ["Zoë Ångström"]),
        ("0199", ["Ελένη Παπαδοπούλου"]),
        ("ana 2001-07-07", ["Anabel Costa"]),
        ("ouza", ["Ana Souza"]),
        ("OUZ", ["Ana Souza"]),
        ("ngst", ["Zoë Ångström"]),
        ("ou", []),
        ("31/02/1990", []),
        ("100%", []),
        ("   ", []),
        ("ana\x00sou", ["Ana Souza"]),  # pasted control characters separate words
        ("\x00\x1b\x7f", []),
    ],
)
def test_search_by_name_date_of_birth_or_phone(
    db: Database, reception: Actor, registered, typed, expected
):
    assert _names(patients.search_patients(db, reception, typed)) == expected


def test_search_and_view_are_audited_without_the_typed_text(
    db: Database, reception: Actor, registered
):
    patients.search_patients(db, reception, "souza")
    patients.get_patient(db, reception, registered["Ana Souza"])
    with db.Session() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(2)).all()
    view, search = events
    assert (view.action, view.patient_id, view.username) == (
        "patient.view",
        registered["Ana Souza"],
        "rita",
    )
    assert search.action == "patient.search"
    assert "souza" not in search.detail


def test_a_record_is_stored_as_typed_and_read_back(db: Database, practitioner: Actor, ana):
    created = patients.create_patient(db, practitioner, replace(ana, email="  ana@example.org "))
    loaded = patients.get_patient(db, practitioner, created.id)
    assert loaded == created
    assert loaded.as_patient() == ana
    assert loaded.version == 1


def test_bad_details_name_the_field(db: Database, practitioner: Actor, ana):
    with pytest.raises(InvalidField, match=r"^patient.email: "):
        patients.create_patient(db, practitioner, replace(ana, email="not-an-address"))
    with pytest.raises(InvalidField, match=r"^patient.fitzpatrick: "):
        patients.create_patient(db, practitioner, replace(ana, fitzpatrick=7))
    with pytest.raises(InvalidField, match=r"^patient.name: must not be empty"):
        patients.create_patient(db, practitioner, replace(ana, name="  "))


@pytest.mark.parametrize(("field", "longest"), [("name", 200), ("email", 200), ("phone", 50)])
def test_details_longer_than_their_column_name_the_field(
    db: Database, reception: Actor, ana, field, longest
):
    """PostgreSQL refuses a value longer than its column (SQLite would store it)."""
    too_long = {"name": "A" * (longest + 1), "email": "a" * longest + "@x.org",
                "phone": "5" * (longest + 1)}[field]  # fmt: skip
    with pytest.raises(InvalidField, match=rf"^patient.{field}: is longer than {longest} "):
        patients.create_patient(db, reception, replace(ana, **{field: too_long}))
    created = patients.create_patient(db, reception, ana)
    with pytest.raises(InvalidField, match=rf"^patient.{field}: is longer than {longest} "):
        patients.update_patient(db, reception, created.id, created.version,
                                replace(ana, **{field: too_long}))  # fmt: skip


def test_a_name_that_folds_longer_than_the_search_key_is_kept_and_found(
    db: Database, reception: Actor, ana
):
    """Folding lengthens some letters ("ß" → "ss", "\ufdfa" → 18 letters): the key is
    cut at its column's width, the name itself kept whole."""
    name = "Straß " + "\ufdfa" * 12
    created = patients.create_patient(db, reception, replace(ana, name=name))
    assert patients.get_patient(db, reception, created.id).name == name
    assert [p.id for p in patients.search_patients(db, reception, "strass")] == [created.id]
    with db.Session() as session:
        key = session.scalar(select(PatientRow.search_key).where(PatientRow.id == created.id))
    assert len(key) == 210


def test_an_update_with_the_current_version_is_saved(db: Database, reception: Actor, ana):
    created = patients.create_patient(db, reception, ana)
    updated = patients.update(
        db,
        reception,
        created.id,
        expected_version=created.version,
        name="Ana Souza Lima",
        date_of_birth=ana.date_of_birth,
        fitzpatrick=3,
        email=None,
        phone="+1 555 0199",
    )
    assert updated.version == created.version + 1
    assert patients.search_patients(db, reception, "lima")[0].phone == "+1 555 0199"


def test_saving_over_someone_elses_newer_save_is_refused(db: Database, reception: Actor, ana):
    created = patients.create_patient(db, reception, ana)
    patients.update_patient(db, reception, created.id, created.version, replace(ana, phone="1"))

    with pytest.raises(StaleRecord, match=r"changed by you, in another window on "):
        patients.update_patient(db, reception, created.id, created.version, replace(ana, phone="2"))
    assert patients.get_patient(db, reception, created.id).phone == "1"


def test_a_conflict_names_the_other_user_who_saved_first(
    db: Database, reception: Actor, manager: Actor, ana
):
    created = patients.create_patient(db, reception, ana)
    patients.update_patient(db, manager, created.id, created.version, replace(ana, phone="1"))

    with pytest.raises(StaleRecord) as refused:
        patients.update_patient(db, reception, created.id, created.version, replace(ana, phone="2"))
    message = str(refused.value)
    assert "changed by Mara Manager (mara) on test-workstation" in message
    assert "someone else" not in message


def test_two_sessions_racing_the_second_commit_is_stale(db: Database, reception: Actor, ana):
    # Two workstations load the same row; each transaction is short, as in the app.
    created = patients.create_patient(db, reception, ana)
    first, second = db.Session(), db.Session()
    try:
        mine = first.get(PatientRow, created.id)
        first.commit()
        theirs = second.get(PatientRow, created.id)
        theirs.phone = "+1 555 0222"
        second.commit()
        mine.phone = "+1 555 0111"
        with pytest.raises(StaleRecord, match=r"while you were saving"):
            locking.flush_or_stale(first, "patient Ana Souza")
    finally:
        first.close()
        second.close()
    assert patients.get_patient(db, reception, created.id).phone == "+1 555 0222"


def test_search_in_a_big_clinic_returns_a_bounded_page(db: Database, reception: Actor):
    # 10,000 patients: the answer is one bounded page of matching names.
    from consult.app.demo import bulk_patients

    bulk_patients(db, 10_000, seed=3)
    found = patients.search_patients(db, reception, "maria", limit=20)
    assert 0 < len(found) <= 20
    assert all(" maria" in patients.search_key(p.name) for p in found)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", "Ana \u202eazuoS"),
        ("name", "\u2067Ana Souza\u2069"),
        ("phone", "+1 555\u009b0100"),
        ("email", "ana\u0000@example.org"),
    ],
)
def test_a_name_or_contact_that_would_show_something_else_is_not_stored(
    db: Database, practitioner: Actor, ana, field, value
):
    with pytest.raises(InvalidField) as caught:
        patients.create_patient(db, practitioner, replace(ana, **{field: value}))
    assert caught.value.field == f"patient.{field}"
    with db.Session() as session:
        assert session.scalars(select(PatientRow)).all() == []


def test_a_persian_name_keeps_its_zero_width_non_joiner(db: Database, practitioner: Actor, ana):
    name = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u0631\u0636\u0627\u06cc\u06cc"
    record = patients.create_patient(db, practitioner, replace(ana, name=name))
    assert patients.get_patient(db, practitioner, record.id).name == name
SEARCH_PEOPLE = [
    Patient("Grace Thompson-Okafor", date(1984, 3, 3), 5, None, None),
    Patient("Mei Wu", date(1990, 1, 1), 2, None, None),
    Patient("Li Na", date(1991, 2, 2), 2, None, None),
    Patient("Tuan Ng", date(1992, 3, 3), 3, None, None),
    Patient("Linnea Wulff", date(1993, 4, 4), 1, None, None),
    Patient("José Núñez", date(1970, 5, 5), 3, None, None),
    Patient("Ana [test]*?", date(1970, 5, 5), 3, None, None),
]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # Three letters or more: anywhere in the name, hyphenated parts included.
        ("okafor", ["Grace Thompson-Okafor"]),
        ("Thompson-Okafor", ["Grace Thompson-Okafor"]),
        ("mpson", ["Grace Thompson-Okafor"]),
        ("NUNEZ", ["José Núñez"]),
        ("núñ", ["José Núñez"]),
        # One or two letters: the start of a word of the name.
        ("wu", ["Linnea Wulff", "Mei Wu"]),
        ("Li", ["Li Na", "Linnea Wulff"]),
        ("ng", ["Tuan Ng"]),
        ("ok", ["Grace Thompson-Okafor"]),
        ("u", []),
        ("mei wu", ["Mei Wu"]),
        # Pattern characters are matched as themselves.
        ("[test]*?", ["Ana [test]*?"]),
        ("*", []),
        ("%", []),
        ('"', []),
        ('ok"afor', []),
    ],
)
def test_search_finds_any_part_of_a_name_and_short_names(
    db: Database, reception: Actor, typed, expected
):
    for person in SEARCH_PEOPLE:
        patients.create_patient(db, reception, person)
    assert _names(patients.search_patients(db, reception, typed)) == expected


def test_the_search_index_follows_renames_and_deletions(db: Database, reception: Actor):
    created = patients.create_patient(db, reception, SEARCH_PEOPLE[1])  # Mei Wu
    patients.update(
        db, reception, created.id, expected_version=created.version,
        name="Mei Thompson-Okafor", date_of_birth=date(1990, 1, 1),
    )
    assert _names(patients.search_patients(db, reception, "wu")) == []
    assert _names(patients.search_patients(db, reception, "okafor")) == ["Mei Thompson-Okafor"]
    with db.Session.begin() as session:
        session.delete(session.get(PatientRow, created.id))
    assert patients.search_patients(db, reception, "okafor") == []


def _plan(db: Database, query) -> str:
    compiled = str(query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
    with db.engine.connect() as connection:
        if db.dialect == "sqlite":
            rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + compiled)
            return " ".join(str(row[-1]) for row in rows)
        connection.exec_driver_sql("SET enable_seqscan = off")
        rows = connection.exec_driver_sql("EXPLAIN " + compiled.replace("%", "%%"))
        return " ".join(row[0] for row in rows)


def test_the_search_walks_the_name_index_and_sorts_through_the_trigram_index(db: Database):
    """The plans read the indexes made for them (0006, 0010), never every patient."""
    from consult.app.demo import bulk_patients

    bulk_patients(db, 3_000, seed=5)  # planners choose by the table's statistics
    db.refresh_statistics()
    statements = list(patients.search_statements("okafor", db.dialect, 200))
    plans = [_plan(db, statement) for statement in statements]
    assert "ix_patients_search_key_id" in plans[0]
    if db.dialect == "sqlite":
        assert len(plans) == 2  # the walk, then the sort when the walk kept too few
        assert "VIRTUAL TABLE INDEX" in plans[1] and "patient_search" in plans[1]
    else:
        assert len(plans) == 1  # both in one statement
        assert "ix_patients_search_trigram" in plans[0]


def test_a_date_or_phone_search_is_sorted_at_once(db: Database):
    for typed in ("1989-04-02", "555 0199", "ana 1989-04-02"):
        assert len(list(patients.search_statements(typed, db.dialect, 200))) == 1, typed


@pytest.mark.parametrize("budget", [0, 40, 100_000], ids=["sort", "walk-then-sort", "walk"])
def test_every_plan_gives_the_first_page_in_name_order(
    db: Database, reception: Actor, monkeypatch, budget: int
):
    """A search walks up to WALK_BUDGET names, then sorts every match if it kept too few:
    a walk that finds the page, one that runs out and falls back, and a sort at once
    (a budget of 0) all give the first matches in name order, as Python orders them."""
    from consult.app.demo import bulk_patients

    bulk_patients(db, 2_000, seed=11)
    monkeypatch.setattr(patients, "WALK_BUDGET", budget)
    everyone = patients.search_patients(db, reception, "a", limit=200)  # warm the path
    assert everyone
    with db.Session() as session:
        keyed = session.execute(select(PatientRow.id, PatientRow.search_key)).all()
    for typed in ("ana", "li", "okafor", "maria sou", "zz"):
        words = patients.name_words(typed)
        expected = sorted(
            (key, pid)
            for pid, key in keyed
            if all(
                (w in key.replace("-", " "))
                if len(w) >= patients.SUBSTRING_MIN
                else f" {w}" in key.replace("-", " ")
                for w in words
            )
        )[:50]
        found = patients.search_patients(db, reception, typed, limit=50)
        assert [p.id for p in found] == [pid for _, pid in expected], typed
