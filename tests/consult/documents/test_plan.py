"""The treatment plan, read back with pdftotext and pypdf."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO

import pytest
from pypdf import PdfReader

from consult.clinical import fileformat
from consult.documents.build import document_input
from consult.documents.plan import build_plan
from consult.errors import InvalidField
from consult.pricing import default_price_list, default_settings
from tests.consult.documents.pdfs import flat, pages_text, qpdf_check, text_of
from tests.helpers.documents import MARKUP_NAME


@pytest.fixture
def plan(document) -> bytes:
    return build_plan(document)


def test_patient_and_treatment(plan, tmp_path):
    text = flat(text_of(plan, tmp_path))
    assert MARKUP_NAME in text
    assert "2 Apr 1989" in text
    assert "Micro-needling (mechanical pen)" in text


def test_areas_with_concern_and_depth(plan, tmp_path):
    text = flat(text_of(plan, tmp_path))
    assert "1 Cheeks Acne scars 1.0–2.0 mm" in text
    assert "2 Neck Fine lines and wrinkles 0.25–0.75 mm Guidance only." in text


def test_maps_are_vectors_with_numbered_areas(plan, tmp_path):
    reader = PdfReader(BytesIO(plan))
    first = reader.pages[0]
    # No raster images of the maps: the only image in the plan is the signature.
    assert sum(len(page.images) for page in reader.pages) == 1
    text = text_of(plan, tmp_path)
    assert "Face" in text and "Body, front" in text
    assert "Body, back" not in text
    # Both cheeks carry the number 1; the neck carries 2 (the badges are text).
    assert first.extract_text().count("1") >= 2


def test_schedule_dates(plan, tmp_path):
    text = flat(text_of(plan, tmp_path))
    assert "4 sessions, about 4 weeks apart" in text
    for number, when in enumerate(["20 Nov 2026", "18 Dec 2026", "15 Jan 2027", "12 Feb 2027"], 1):
        assert f"Session {number} {when}" in text
    assert "A yearly touch-up once the course is complete." in text


def test_quote_table_and_totals(plan, tmp_path):
    text = flat(text_of(plan, tmp_path))
    assert "Face — cheeks: micro-needling session 4 $199.00 $796.00" in text
    assert "Neck: micro-needling session 4 $75.00 $300.00" in text
    assert "Subtotal $1,096.00" in text
    assert "Tax (8.25 %) $90.42" in text
    assert "Total $1,186.42" in text
    assert "valid until 20 Dec 2026" in text


def test_care_and_practitioner_signature(plan, tmp_path):
    text = flat(text_of(plan, tmp_path))
    assert "Keep taking blood thinners your doctor prescribed" in text
    assert "No make-up on the day of treatment" in text
    assert "Printed name: Dr Ελένη Παπαδοπούλου" in text
    assert "Date and time: 20 Nov 2026, 14:05 CET (UTC+01:00)" in text


def _page_signed_on(pdf: bytes) -> str:
    (page,) = [text for text in pages_text(pdf) if "Printed name" in text]
    return page


def test_the_signature_shares_its_page_with_the_quote(examples):
    # The acne-scars example once put the signature alone on a third page.
    consultation = fileformat.load(examples / "acne-scars.json")
    doc = document_input(consultation, default_price_list(), default_settings())
    assert "Total" in _page_signed_on(build_plan(doc))


@pytest.mark.parametrize("extra_areas", range(6))
def test_the_signature_never_has_a_page_to_itself(document, extra_areas):
    # Each added area pushes the end of the plan further down; wherever the page
    # breaks, the signature travels with the last section.
    areas = document.areas + tuple(
        replace(document.areas[1], area=f"extra{n}", label=f"Extra area {n}")
        for n in range(extra_areas)
    )
    with_quote = replace(document, areas=areas)
    assert "Total" in _page_signed_on(build_plan(with_quote))
    without_quote = replace(with_quote, quote=None)
    assert "After each session" in _page_signed_on(build_plan(without_quote))


def test_pages_numbered_and_qpdf_clean(plan, tmp_path):
    pages = pages_text(plan)
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "CN-20261120-TEST0001" in page
    qpdf_check(plan, tmp_path)


def test_body_back_map_when_an_area_is_on_it(document, tmp_path):
    back = replace(document.areas[1], area="back", label="Back", view="body_back")
    text = text_of(build_plan(replace(document, areas=(document.areas[0], back))), tmp_path)
    assert "Body, back" in text and "Body, front" not in text


def test_a_blank_form_has_no_plan(document):
    with pytest.raises(InvalidField, match="patient"):
        build_plan(replace(document, patient=None))


def test_a_plan_needs_areas(document):
    with pytest.raises(InvalidField, match="areas"):
        build_plan(replace(document, areas=()))
