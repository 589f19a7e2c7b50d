"""Finding, registering and correcting patients; roles and optimistic locking."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from consult.access import Actor
from consult.errors import InvalidField, StaleRecord
from consult.fileformat import Patient
from consult.storage import Database, patients
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
        ("ouza", []),
        ("31/02/1990", []),
        ("100%", []),
        ("   ", []),
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
            patients.flush_or_stale(first, "patient Ana Souza")
    finally:
        first.close()
        second.close()
    assert patients.get_patient(db, reception, created.id).phone == "+1 555 0222"


def test_search_in_a_big_clinic_returns_a_bounded_page(db: Database, reception: Actor):
    # 10,000 patients: the answer is one bounded page of matching names.
    from consult.demo import bulk_patients

    bulk_patients(db, 10_000, seed=3)
    found = patients.search_patients(db, reception, "maria", limit=20)
    assert 0 < len(found) <= 20
    assert all(" maria" in patients.search_key(p.name) for p in found)
