"""The consult/1 file: validation names the bad field; files round-trip exactly."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consult.clinical import fileformat
from consult.errors import ConsultError, InvalidField

BASE = {
    "format": "consult/1",
    "consultation_date": "2026-11-20",
    "patient": {"name": "Ana Souza", "date_of_birth": "1989-04-02", "fitzpatrick": 3},
    "treatment": "microneedling",
    "areas": [{"area": "cheeks", "concerns": ["acne_scars"]}],
    "history": {"isotretinoin": {"status": "past", "date": "2025-12-01"}, "smoker": True},
}


def with_change(path: list, value) -> dict:
    document = copy.deepcopy(BASE)
    target = document
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return document


def error_for(document: dict) -> str:
    with pytest.raises(ConsultError) as caught:
        fileformat.from_dict(document)
    return str(caught.value)


@pytest.mark.parametrize("name", ["acne-scars.json", "rf-with-history.json"])
def test_spec_examples_round_trip_exactly(examples, name):
    text = (examples / name).read_text(encoding="utf-8")
    consultation = fileformat.loads(text)
    assert json.loads(fileformat.dumps(consultation)) == json.loads(text)
    assert fileformat.loads(fileformat.dumps(consultation)) == consultation


def test_loaded_values_are_typed():
    consultation = fileformat.from_dict(BASE)
    assert consultation.consultation_date == date(2026, 11, 20)
    assert consultation.patient.date_of_birth == date(1989, 4, 2)
    assert consultation.history["isotretinoin"].date == date(2025, 12, 1)
    assert consultation.history["isotretinoin"].is_now is False
    assert consultation.history["smoker"].present is True
    assert consultation.area_ids == ("cheeks",)


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        (
            ["history", "isotretinoin", "date"],
            "2026-02-30",
            'history.isotretinoin.date: "2026-02-30" is not a date',
        ),
        (
            ["consultation_date"],
            "20/11/2026",
            'consultation_date: "20/11/2026" is not a date (use YYYY-MM-DD)',
        ),
        (["consultation_date"], KeyError, "consultation_date: is required"),
        (["format"], "consult/2", "format: \"consult/2\" is not supported (expected 'consult/1')"),
        (["patient", "name"], KeyError, "patient.name: is required"),
        (["patient", "name"], "  ", "patient.name: must not be empty"),
        (
            ["patient", "date_of_birth"],
            "2030-01-01",
            "patient.date_of_birth: 2030-01-01 is after the consultation date",
        ),
        (["patient", "fitzpatrick"], 7, "patient.fitzpatrick: 7 must be a whole number 1 to 6"),
        (
            ["patient", "fitzpatrick"],
            True,
            "patient.fitzpatrick: true must be a whole number 1 to 6",
        ),
        (
            ["treatment"],
            "laser",
            'treatment: "laser" is not one of microneedling, rf_microneedling',
        ),
        (["areas"], [], "areas: must name at least one area"),
        (["areas", 0, "area"], "elbow", 'areas[0].area: "elbow" is not a known area'),
        (
            ["areas", 0, "concerns"],
            ["warts"],
            'areas[0].concerns[0]: "warts" is not a known concern',
        ),
        (
            ["history", "isotretinoin", "status"],
            "maybe",
            'history.isotretinoin.status: "maybe" is not one of active, history, current, past',
        ),
        (["history", "smoker"], "yes", 'history.smoker: "yes" must be true, false or an object'),
        (
            ["history", "isotretinoin", "areas"],
            ["knee"],
            'history.isotretinoin.areas[0]: "knee" is not a known area',
        ),
    ],
)
def test_a_bad_value_names_its_field(path, value, expected):
    assert error_for(with_change(path, value)) == expected


def test_duplicate_area_is_refused():
    document = with_change(["areas"], [{"area": "neck"}, {"area": "neck"}])
    assert error_for(document) == "areas[1].area: 'neck' is listed twice"


def test_unknown_keys_are_kept_on_save():
    document = copy.deepcopy(BASE)
    document["intake_form"] = {"version": 3}
    document["patient"]["preferred_name"] = "Ana"
    document["history"]["smoker"] = {"note": "10 a day", "packs": 1}
    out = json.loads(fileformat.dumps(fileformat.from_dict(document)))
    assert out == document


def test_not_json_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{ not json", encoding="utf-8")
    with pytest.raises(ConsultError, match=r"broken.json: not valid JSON \(line 1, column 3"):
        fileformat.load(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConsultError, match="no such file"):
        fileformat.load(tmp_path / "absent.json")


def test_save_is_atomic_and_loadable(tmp_path):
    consultation = fileformat.from_dict(BASE)
    target = fileformat.save(consultation, tmp_path / "out" / "c.json")
    assert fileformat.load(target) == consultation
    assert [p.name for p in target.parent.iterdir()] == ["c.json"]


def test_age_counts_whole_years_on_the_consultation_date():
    patient = fileformat.Patient("X", date(2008, 11, 21))
    assert patient.age_on(date(2026, 11, 20)) == 17
    assert patient.age_on(date(2026, 11, 21)) == 18
    leap = fileformat.Patient("Y", date(2008, 2, 29))
    assert leap.age_on(date(2026, 2, 28)) == 17
    assert leap.age_on(date(2026, 3, 1)) == 18


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(
    key=st.sampled_from(
        ["format", "consultation_date", "patient", "treatment", "areas", "history"]
    ),
    value=json_values,
)
def test_any_value_anywhere_is_accepted_or_a_consult_error(key, value):
    document = copy.deepcopy(BASE)
    document[key] = value
    try:
        fileformat.from_dict(document)
    except InvalidField as exc:
        assert str(exc).startswith(key)


@pytest.mark.parametrize(
    ("path", "value", "field"),
    [
        (["patient", "name"], "Ana \u202eazuoS", "patient.name"),
        (["patient", "name"], "Ana\u2066 Souza\u2069", "patient.name"),
        (["patient", "phone"], "+1 555\u0085 0100", "patient.phone"),
        (["patient", "email"], "ana@example.org\u202d", "patient.email"),
        (["history", "isotretinoin", "note"], "stopped \u202edaily", "history.isotretinoin.note"),
        (["history", "isotretinoin", "note"], "bell\u0007", "history.isotretinoin.note"),
        (["patient", "name"], "Ana\nSouza", "patient.name"),
        (["practitioner"], "Dr \u202eeeL", "practitioner"),
        (
            ["screening_override"],
            {"reason": "cleared \u2067by Dr Lee"},
            "screening_override.reason",
        ),
    ],
)
def test_text_that_would_show_something_else_is_refused_naming_the_field(path, value, field):
    with pytest.raises(InvalidField) as caught:
        fileformat.from_dict(with_change(path, value))
    assert caught.value.field == field


def test_joiners_and_multi_line_notes_are_kept():
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645 \u0631\u0636\u0627\u06cc\u06cc"
    document = with_change(["patient", "name"], persian)
    document["history"]["isotretinoin"]["note"] = "last dose 1 Dec\r\nby Dr Lee"
    consultation = fileformat.from_dict(document)
    assert consultation.patient.name == persian
    assert consultation.history["isotretinoin"].note == "last dose 1 Dec\r\nby Dr Lee"


def _with_number_literal(location: str) -> str:
    """BASE as JSON text with a 5,000-digit number at `location`."""
    digits = "9" * 5000
    text = json.dumps(BASE)
    if location == "fitzpatrick":
        return text.replace('"fitzpatrick": 3', f'"fitzpatrick": {digits}')
    if location == "unknown key":
        return text[:-1] + f', "intake": {{"ids": [1, {digits}]}}}}'
    return text.replace('"smoker": true', f'"smoker": {{"count": -{digits}.5}}')


@pytest.mark.parametrize(
    ("location", "field"),
    [
        ("fitzpatrick", "patient.fitzpatrick"),
        ("unknown key", "intake.ids[1]"),
        ("history extra", "history.smoker.count"),
    ],
)
def test_a_5000_digit_number_anywhere_is_bad_input_naming_the_field(location, field):
    with pytest.raises(InvalidField) as caught:
        fileformat.loads(_with_number_literal(location))
    assert caught.value.field == field
    assert "numbers in a consultation file have at most 100" in str(caught.value)


def test_ordinary_numbers_still_load():
    consultation = fileformat.loads(json.dumps(with_change(["extra_score"], 12.5)))
    assert consultation.extra == {"extra_score": 12.5}
@pytest.mark.parametrize("kind", fileformat.PROCEDURE_KINDS)
def test_laser_or_peel_kind_round_trips(kind):
    document = copy.deepcopy(BASE)
    document["history"] = {
        "laser_or_peel": {"date": "2026-10-01", "kind": kind, "note": "as the patient said"}
    }
    consultation = fileformat.from_dict(document)
    assert consultation.history["laser_or_peel"].kind == kind
    assert json.loads(fileformat.dumps(consultation)) == document


@pytest.mark.parametrize("kind", ["co2", "", 3, None])
def test_a_bad_laser_or_peel_kind_names_the_field(kind):
    document = copy.deepcopy(BASE)
    document["history"] = {"laser_or_peel": {"kind": kind}}
    if kind is None:
        assert fileformat.from_dict(document).history["laser_or_peel"].kind is None
        return
    with pytest.raises(InvalidField, match=r"^history\.laser_or_peel\.kind: .* is not one of"):
        fileformat.from_dict(document)


def test_kind_on_another_history_item_is_kept_as_an_unknown_key():
    document = copy.deepcopy(BASE)
    document["history"] = {"botox": {"kind": "whatever"}}
    consultation = fileformat.from_dict(document)
    assert consultation.history["botox"].kind is None
    assert json.loads(fileformat.dumps(consultation)) == document
