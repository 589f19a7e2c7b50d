"""consult/1 files in and out of the database, round-tripping exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consult.access import Actor
from consult.clinical import fileformat
from consult.errors import ConsultError, InvalidField, PermissionDenied, StaleRecord
from consult.storage import Database, consultations, exchange, patients
from tests.helpers.paths import EXAMPLES as EXAMPLES_DIR

EXAMPLES = sorted(EXAMPLES_DIR.glob("*.json"))


def test_the_spec_examples_are_there_to_round_trip():
    assert len(EXAMPLES) >= 2, f"no consult/1 examples found in {EXAMPLES_DIR}"


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_an_example_file_round_trips_through_the_database(
    db: Database, practitioner: Actor, example: Path, tmp_path: Path
):
    result = exchange.import_file(db, practitioner, example)
    out = exchange.export_file(db, practitioner, result.consultation_id, tmp_path / "out.json")
    assert json.loads(out.read_text("utf-8")) == json.loads(example.read_text("utf-8"))
    assert result.patient_created


def test_unknown_keys_survive_import_and_export(db: Database, practitioner: Actor, tmp_path):
    document = json.loads(EXAMPLES[0].read_text("utf-8"))
    document["intake_form"] = {"id": "F-1029", "submitted": "2026-11-19"}
    document["patient"]["preferred_name"] = "Ana"
    source = tmp_path / "in.json"
    source.write_text(json.dumps(document), "utf-8")

    result = exchange.import_file(db, practitioner, source)
    exported = exchange.export_consultation(db, practitioner, result.consultation_id)

    assert fileformat.to_dict(exported) == document


def _second_file(tmp_path: Path) -> Path:
    """The first example again for the same patient, with other contact details."""
    document = json.loads(EXAMPLES[0].read_text("utf-8"))
    document["patient"]["name"] = "ANA SOUZA"
    document["patient"]["email"] = "someone.else@example.org"
    document["patient"]["phone"] = "+1 555 0199"
    document["consultation_date"] = "2026-12-01"
    source = tmp_path / "again.json"
    source.write_text(json.dumps(document), "utf-8")
    return source


def _contact(db: Database, actor: Actor, patient_id: int) -> tuple[str | None, str | None]:
    record = patients.get_patient(db, actor, patient_id)
    return record.email, record.phone


def test_a_file_for_a_registered_patient_is_refused_until_someone_chooses(
    db: Database, practitioner: Actor, tmp_path: Path
):
    first = exchange.import_file(db, practitioner, EXAMPLES[0])
    before = _contact(db, practitioner, first.patient_id)

    with pytest.raises(exchange.PatientAlreadyRegistered) as asked:
        exchange.import_file(db, practitioner, _second_file(tmp_path))

    assert str(asked.value) == (
        f"Ana Souza, born 1989-04-02, is already registered (patient {first.patient_id}): "
        "say whether the file's consultation goes to that record keeping its contact details "
        '("keep"), goes to it with the file\'s contact details ("file"), '
        'or to a new patient ("new")'
    )
    assert asked.value.stored.email == before[0]
    assert asked.value.incoming.email == "someone.else@example.org"
    assert _contact(db, practitioner, first.patient_id) == before
    listed = consultations.list_for_patient(db, practitioner, first.patient_id)
    assert [c.id for c in listed] == [first.consultation_id]


def test_keep_attaches_the_history_and_leaves_the_contact_details(
    db: Database, practitioner: Actor, tmp_path: Path
):
    first = exchange.import_file(db, practitioner, EXAMPLES[0])
    before = _contact(db, practitioner, first.patient_id)
    second = exchange.import_file(db, practitioner, _second_file(tmp_path), existing="keep")
    assert second.patient_id == first.patient_id and not second.patient_created
    assert second.contact_updated == ()
    assert _contact(db, practitioner, first.patient_id) == before
    listed = consultations.list_for_patient(db, practitioner, first.patient_id)
    assert [c.id for c in listed] == [second.consultation_id, first.consultation_id]


def test_file_takes_the_files_contact_details_and_keeps_the_registered_name(
    db: Database, practitioner: Actor, tmp_path: Path
):
    first = exchange.import_file(db, practitioner, EXAMPLES[0])
    version = patients.get_patient(db, practitioner, first.patient_id).version
    second = exchange.import_file(
        db, practitioner, _second_file(tmp_path), existing="file", expected_version=version
    )
    assert second.patient_id == first.patient_id
    assert second.contact_updated == ("email", "phone")
    record = patients.get_patient(db, practitioner, first.patient_id)
    assert (record.name, record.email, record.phone) == (
        "Ana Souza", "someone.else@example.org", "+1 555 0199"
    )


def test_new_registers_a_namesake_as_another_patient(
    db: Database, practitioner: Actor, tmp_path: Path
):
    first = exchange.import_file(db, practitioner, EXAMPLES[0])
    before = _contact(db, practitioner, first.patient_id)
    second = exchange.import_file(db, practitioner, _second_file(tmp_path), existing="new")
    assert second.patient_created and second.patient_id != first.patient_id
    assert _contact(db, practitioner, second.patient_id) == (
        "someone.else@example.org", "+1 555 0199"
    )
    assert _contact(db, practitioner, first.patient_id) == before


def test_a_choice_made_on_a_record_changed_since_is_refused(
    db: Database, practitioner: Actor, tmp_path: Path
):
    first = exchange.import_file(db, practitioner, EXAMPLES[0])
    seen = patients.get_patient(db, practitioner, first.patient_id)
    patients.update(
        db, practitioner, first.patient_id, expected_version=seen.version, name=seen.name,
        date_of_birth=seen.date_of_birth, email="new@example.org", phone=seen.phone,
    )
    with pytest.raises(StaleRecord):
        exchange.import_file(
            db, practitioner, _second_file(tmp_path), existing="file",
            expected_version=seen.version,
        )
    assert _contact(db, practitioner, first.patient_id)[0] == "new@example.org"
    assert len(consultations.list_for_patient(db, practitioner, first.patient_id)) == 1


def test_an_unknown_choice_names_the_option(db: Database, practitioner: Actor):
    with pytest.raises(InvalidField, match=r'^existing: "merge" is not one of keep, file, new$'):
        exchange.import_file(db, practitioner, EXAMPLES[0], existing="merge")
    assert patients.search_patients(db, practitioner, "souza") == []


def test_a_bad_file_names_the_field_and_stores_nothing(
    db: Database, practitioner: Actor, tmp_path: Path
):
    document = json.loads(EXAMPLES[0].read_text("utf-8"))
    document["history"]["isotretinoin"] = {"status": "past", "date": "2026-02-30"}
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(document), "utf-8")
    with pytest.raises(InvalidField, match=r'^history.isotretinoin.date: "2026-02-30"'):
        exchange.import_file(db, practitioner, source)
    assert patients.search_patients(db, practitioner, "souza") == []


def test_a_missing_file_is_a_clear_error(db: Database, practitioner: Actor, tmp_path: Path):
    with pytest.raises(ConsultError, match=r"no such file"):
        exchange.import_file(db, practitioner, tmp_path / "missing.json")


def test_reception_may_neither_import_nor_export(
    db: Database, practitioner: Actor, reception: Actor, tmp_path: Path
):
    result = exchange.import_file(db, practitioner, EXAMPLES[0])
    with pytest.raises(PermissionDenied):
        exchange.import_file(db, reception, EXAMPLES[0])
    with pytest.raises(PermissionDenied):
        exchange.export_file(db, reception, result.consultation_id, tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()
