"""Consultation drafts saved as typed, completed, read back; roles and locking."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from consult.access import Actor
from consult.clinical.fileformat import AreaRequest, Consultation, HistoryEntry
from consult.clinical.screening import screen
from consult.errors import ConsultError, InvalidField, PermissionDenied, StaleRecord
from consult.storage import Database, consultations, patients


@pytest.fixture
def patient_id(db: Database, practitioner: Actor, ana) -> int:
    return patients.create_patient(db, practitioner, ana).id


@pytest.fixture
def visit(ana) -> Consultation:
    return Consultation(
        date(2026, 11, 20),
        ana,
        "microneedling",
        (AreaRequest("cheeks", ("acne_scars",)),),
        {"cold_sores": HistoryEntry(status="history"), "smoker": HistoryEntry(as_flag=True)},
        {"quote": {"add_ons": ["numbing"]}},
    )


def test_a_draft_is_saved_and_read_back_as_consult_1(
    db: Database, practitioner: Actor, patient_id: int, visit: Consultation
):
    created = consultations.create_draft(db, practitioner, patient_id, visit, step=1)
    loaded = consultations.get_consultation(db, practitioner, created.id)
    assert loaded.consultation == visit
    assert loaded.consultation.extra == visit.extra
    assert (loaded.status, loaded.draft_step, loaded.version) == ("draft", 1, 1)
    assert loaded.practitioner_id == practitioner.user_id


def test_every_save_gives_the_next_version(
    db: Database, practitioner: Actor, patient_id: int, visit: Consultation
):
    draft = consultations.create_draft(db, practitioner, patient_id, visit)
    more = replace(visit, areas=(*visit.areas, AreaRequest("neck", ("fine_lines",))))
    version = consultations.save_draft(
        db, practitioner, draft.id, expected_version=draft.version, consultation=more, step=2
    )
    version = consultations.save_draft(
        db,
        practitioner,
        draft.id,
        expected_version=version,
        consultation=more,
        screening=screen(more),
    )
    loaded = consultations.get_consultation(db, practitioner, draft.id)
    assert version == loaded.version == 3
    assert loaded.consultation.area_ids == ("cheeks", "neck")
    assert loaded.screening_verdict == screen(more).verdict
    assert loaded.screening == screen(more).to_json()


def test_a_save_from_a_stale_screen_is_refused(
    db: Database, practitioner: Actor, patient_id: int, visit: Consultation
):
    draft = consultations.create_draft(db, practitioner, patient_id, visit)
    consultations.save_draft(
        db, practitioner, draft.id, expected_version=draft.version, consultation=visit, step=2
    )
    with pytest.raises(StaleRecord, match=f"consultation {draft.id} was changed"):
        consultations.save_draft(
            db, practitioner, draft.id, expected_version=draft.version, consultation=visit
        )


def test_completing_freezes_the_consultation(
    db: Database, practitioner: Actor, patient_id: int, visit: Consultation
):
    draft = consultations.create_draft(db, practitioner, patient_id, visit)
    version = consultations.complete(
        db, practitioner, draft.id, expected_version=draft.version, screening=screen(visit)
    )
    assert consultations.get_consultation(db, practitioner, draft.id).status == "completed"
    with pytest.raises(ConsultError, match=r"is completed and can no longer be changed"):
        consultations.save_draft(
            db, practitioner, draft.id, expected_version=version, consultation=visit
        )


def test_a_draft_without_areas_cannot_be_completed(
    db: Database, practitioner: Actor, patient_id: int, visit: Consultation
):
    draft = consultations.create_draft(db, practitioner, patient_id, replace(visit, areas=()))
    with pytest.raises(InvalidField, match=r"^areas: "):
        consultations.complete(db, practitioner, draft.id, expected_version=draft.version)


def test_reception_cannot_read_a_medical_history(
    db: Database, practitioner: Actor, reception: Actor, patient_id: int, visit: Consultation
):
    draft = consultations.create_draft(db, practitioner, patient_id, visit)
    with pytest.raises(PermissionDenied, match=r"rita .Reception. is not allowed to"):
        consultations.get_consultation(db, reception, draft.id)
    with pytest.raises(PermissionDenied):
        consultations.list_for_patient(db, reception, patient_id)
    with pytest.raises(PermissionDenied):
        consultations.create_draft(db, reception, patient_id, visit)


def test_the_patients_list_is_newest_first_without_history(
    db: Database, practitioner: Actor, patient_id: int, visit: Consultation
):
    older = consultations.create_draft(db, practitioner, patient_id, visit)
    newer = consultations.create_draft(
        db, practitioner, patient_id, replace(visit, consultation_date=date(2026, 11, 21))
    )
    listed = consultations.list_for_patient(db, practitioner, patient_id)
    assert [item.id for item in listed] == [newer.id, older.id]
    assert not hasattr(listed[0], "consultation")


def test_an_override_reason_needs_the_override_permission(
    db: Database, manager: Actor, patient_id: int, visit: Consultation
):
    draft = consultations.create_draft(db, manager, patient_id, visit)
    consultations.save_draft(
        db,
        manager,
        draft.id,
        expected_version=draft.version,
        consultation=visit,
        override_reason="  Cleared by Dr Lee, letter on file.  ",
    )
    loaded = consultations.get_consultation(db, manager, draft.id)
    assert loaded.override_reason == "Cleared by Dr Lee, letter on file."


def test_a_history_note_with_a_bidirectional_override_is_not_stored(
    db: Database, practitioner: Actor, patient_id: int, visit: Consultation
):
    history = {"cold_sores": HistoryEntry(status="history", note="last \u202e2 weeks ago")}
    with pytest.raises(InvalidField) as caught:
        consultations.create_draft(db, practitioner, patient_id, replace(visit, history=history))
    assert caught.value.field == "history.cold_sores.note"
    assert consultations.list_for_patient(db, practitioner, patient_id) == []
