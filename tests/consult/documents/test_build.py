"""Making the documents' input from a consultation file with the real core functions."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from consult.clinical import fileformat
from consult.clinical.depths import suggested_depth
from consult.documents.build import blank_input, document_id, document_input
from consult.documents.model import DepthRange, DocumentInput, Signatures
from consult.errors import InvalidField
from consult.pricing import ClinicSettings, build_quote, default_price_list, default_settings


def _load(examples, name, **changes):
    document = json.loads((examples / f"{name}.json").read_text(encoding="utf-8"))
    document.update(changes)
    return fileformat.from_dict(document)


def _input(consultation, **kwargs) -> DocumentInput:
    return document_input(consultation, default_price_list(), default_settings(), **kwargs)


def test_acne_scars_example(examples):
    consultation = _load(examples, "acne-scars")
    doc = _input(consultation)
    assert doc.patient.name == "Ana Souza"
    assert [area.area for area in doc.areas] == ["cheeks", "forehead", "neck"]
    assert [area.view for area in doc.areas] == ["face", "face", "body_front"]
    expected = suggested_depth("cheeks", ("acne_scars",), "microneedling")
    assert (doc.areas[0].depth.min_mm, doc.areas[0].depth.max_mm) == (
        expected.min_mm,
        expected.max_mm,
    )
    # A smoker stops 2 weeks before (before-care): the course starts 2 weeks on.
    assert doc.course.dates[0] == date(2026, 12, 4)
    assert doc.course.waits == (
        "Smoking slows healing: please stop smoking 2 weeks before treatment.",
    )
    assert len(doc.course.dates) == doc.course.sessions
    gaps = {b - a for a, b in zip(doc.course.dates, doc.course.dates[1:], strict=False)}
    assert gaps == {timedelta(weeks=doc.course.interval_weeks)}
    assert {finding.severity for finding in doc.findings} == {"precautions"}
    assert doc.verdict == "precautions"
    assert not doc.is_rf


def test_quote_is_formatted_money_matching_the_quote_engine(examples):
    consultation = _load(examples, "acne-scars")
    quote = build_quote(consultation, default_price_list(), default_settings())
    doc = _input(consultation)
    assert doc.quote.total == f"${quote.total:,.2f}"
    assert doc.quote.totals[-1] == ("Total", doc.quote.total)
    assert [row.amount for row in doc.quote.rows] == [
        f"${line.amount:,.2f}" for line in quote.lines
    ]


def test_declined_areas_are_left_out_and_the_course_waits_for_rebooking(examples):
    doc = _input(_load(examples, "rf-with-history"))
    assert doc.is_rf
    assert [area.area for area in doc.areas] == ["jawline"]  # the tattooed chest is declined
    [chest] = doc.excluded_areas
    assert chest.label == "Chest (décolleté)" and "Tattooed areas" in chest.reason
    # The chest's decline does not speak for the jawline.
    assert all("Chest (décolleté)" not in finding.areas for finding in doc.findings)
    assert doc.verdict == "defer"
    assert not doc.areas[0].today and len(doc.areas[0].waits_for) == 2
    # The clearance has no date: no session is booked, and the plan says what it waits for.
    assert doc.course.dates == ()
    assert any("clearance" in wait for wait in doc.course.waits)
    assert all("Chest" not in row.description for row in doc.quote.rows)


def test_with_the_clearance_on_file_the_course_starts_on_the_rebook_date(examples):
    override = {"reason": "Written clearance from Dr Lee, 2026-11-18, on file."}
    doc = _input(_load(examples, "rf-with-history", screening_override=override))
    # Isotretinoin within 6 months defers RF: the first session is on the rebook date.
    assert doc.course.dates[0] == date(2027, 2, 1)


def test_every_area_blocked_is_a_clear_error(examples):
    consultation = _load(
        examples,
        "acne-scars",
        history={"skin_cancer": {"areas": ["cheeks", "forehead", "neck"]}},
    )
    with pytest.raises(InvalidField, match="nothing to consent to") as raised:
        _input(consultation)
    assert raised.value.field == "areas"


def test_practitioner_and_consent_choices_come_from_the_file(examples):
    consultation = _load(
        examples,
        "acne-scars",
        practitioner="Dr Jane Roe",
        consent={"photography": True, "marketing": False},
    )
    doc = _input(consultation)
    assert doc.practitioner == "Dr Jane Roe"
    assert (doc.choices.photography, doc.choices.marketing) == (True, False)


@pytest.mark.parametrize(
    ("consent", "field"),
    [
        ("yes", "consent"),
        ({"photography": "yes"}, "consent.photography"),
        ({"video": True}, "consent.video"),
    ],
)
def test_bad_consent_choices_name_the_field(examples, consent, field):
    with pytest.raises(InvalidField) as raised:
        _input(_load(examples, "acne-scars", consent=consent))
    assert raised.value.field == field


def test_document_id_is_stable_and_changes_with_the_consultation(examples):
    first = _load(examples, "acne-scars")
    other = _load(examples, "acne-scars", consultation_date="2026-11-21")
    assert document_id(first) == document_id(_load(examples, "acne-scars"))
    assert document_id(first) != document_id(other)
    assert document_id(first).startswith("CN-20261120-")


def test_signatures_and_time_are_passed_through(examples):
    when = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    doc = _input(_load(examples, "acne-scars"), signatures=Signatures(b"p", b"q"), signed_at=when)
    assert doc.signatures.complete and doc.signed_at == when


def test_a_naive_signing_time_is_refused(examples):
    with pytest.raises(InvalidField, match="time zone"):
        _input(_load(examples, "acne-scars"), signed_at=datetime(2026, 11, 20, 10, 0))


def test_clinic_details_come_from_the_settings(examples):
    settings = ClinicSettings(name="Clínica Águeda", address="Rua 1, Lisboa", currency="EUR")
    doc = document_input(_load(examples, "acne-scars"), default_price_list(), settings)
    assert doc.clinic.name == "Clínica Águeda"
    assert "€" in doc.quote.total


def test_blank_input_has_no_patient():
    doc = blank_input(default_settings())
    assert doc.is_blank and doc.patient is None and not doc.areas and doc.course is None
    assert doc.document_id.startswith("FORM-")


def test_depth_range_text():
    assert DepthRange(Decimal("0.5"), Decimal("1.0")).text == "0.5–1.0 mm"
    assert DepthRange(Decimal("0.5"), Decimal("0.5")).text == "0.5 mm"
    with pytest.raises(InvalidField):
        DepthRange(Decimal(2), Decimal(1))
