"""consult/1 files in and out of the database, round-tripping exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consult import fileformat
from consult.access import Actor
from consult.errors import ConsultError, InvalidField, PermissionDenied
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


def test_a_second_file_for_the_same_patient_finds_them(
    db: Database, practitioner: Actor, tmp_path: Path
):
    first = exchange.import_file(db, practitioner, EXAMPLES[0])
    document = json.loads(EXAMPLES[0].read_text("utf-8"))
    document["patient"]["name"] = "ANA SOUZA"
    document["patient"]["phone"] = "+1 555 0199"
    document["consultation_date"] = "2026-12-01"
    source = tmp_path / "again.json"
    source.write_text(json.dumps(document), "utf-8")

    second = exchange.import_file(db, practitioner, source)

    assert second.patient_id == first.patient_id and not second.patient_created
    record = patients.get_patient(db, practitioner, first.patient_id)
    assert (record.name, record.phone) == ("Ana Souza", "+1 555 0199")
    listed = consultations.list_for_patient(db, practitioner, first.patient_id)
    assert [c.id for c in listed] == [second.consultation_id, first.consultation_id]


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
