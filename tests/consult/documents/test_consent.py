"""The consent form, read back with pdftotext and pypdf."""

from __future__ import annotations

from dataclasses import replace
from io import BytesIO

import pytest
from pypdf import PdfReader

from consult.documents import wording
from consult.documents.build import blank_input
from consult.documents.consent import build_consent
from consult.documents.model import ConsentChoices, FindingNote
from consult.errors import InvalidField
from consult.pricing import default_settings
from tests.consult.documents.pdfs import flat, pages_text, qpdf_check, signature_png, text_of
from tests.helpers.documents import MARKUP_NAME, make_input


def test_user_markup_prints_literally(document, tmp_path):
    text = text_of(build_consent(document), tmp_path)
    assert MARKUP_NAME in text


@pytest.mark.parametrize(
    "name",
    ["Ζωή Παπαδοπούλου", "Пётр Ильич Чайковский", "Łukasz Żółć-Ångström", "Nguyễn Thị Ðào"],
)
def test_names_in_any_script_come_back_exactly(name, tmp_path):
    text = text_of(build_consent(make_input(name=name)), tmp_path)
    assert name in text


def test_every_section_heading_is_printed_in_order(document, tmp_path):
    text = text_of(build_consent(document), tmp_path)
    positions = [text.find(heading) for heading in wording.headings()]
    missing = [heading for heading in wording.headings() if heading not in text]
    assert not missing
    assert positions == sorted(positions)
    assert len(positions) == 12


def test_identity_treatment_areas_and_depth(document, tmp_path):
    text = flat(text_of(build_consent(document), tmp_path))
    assert "2 Apr 1989" in text
    assert "Micro-needling (mechanical pen)" in text
    assert "Cheeks" in text and "1.0–2.0 mm" in text
    assert "0.25–0.75 mm" in text


def test_procedure_course_cost_and_expectations(document, tmp_path):
    text = flat(text_of(build_consent(document), tmp_path))
    assert "numbing" in text
    assert "20–60 minutes" in text
    assert "4 sessions, about 4 weeks apart" in text
    assert "Planned from 20 Nov 2026 to 12 Feb 2027" in text
    assert "$1,186.42" in text
    assert "3–6 months" in text and "not guaranteed" in text
    assert "No treatment" in text


def test_rf_risks_only_for_rf(tmp_path):
    rf_risks = wording.consent_list("risks.rf")
    mechanical = flat(text_of(build_consent(make_input()), tmp_path, "m.pdf"))
    rf = flat(text_of(build_consent(make_input(treatment="rf_microneedling")), tmp_path, "r.pdf"))
    for risk in rf_risks:
        assert risk in rf
        assert risk not in mechanical
    assert "Nerve damage" in rf and "Burns" in rf
    assert "Burns" not in mechanical


def test_common_and_less_common_risks_always_printed(document, tmp_path):
    text = flat(text_of(build_consent(document), tmp_path))
    for risk in wording.consent_list("risks.common") + wording.consent_list("risks.less_common"):
        assert risk in text


def test_findings_and_agreed_actions(document, tmp_path):
    text = flat(text_of(build_consent(document), tmp_path))
    assert (
        "History of cold sores. Antiviral prophylaxis as prescribed before each session."
        " (areas: Around the mouth)"
    ) in text
    assert wording.consent_text("history.statement") in text
    # The result for the areas consented to, in the patient's words.
    assert "Screening result for the areas in this consent: Can go ahead with care." in text
    assert "Overall screening result" not in text


def test_no_findings_says_so(tmp_path):
    text = flat(text_of(build_consent(make_input(findings=())), tmp_path))
    assert wording.consent_text("history.no_findings") in text


def test_care_keeps_blood_thinners(document, tmp_path):
    text = flat(text_of(build_consent(document), tmp_path))
    assert "Keep taking blood thinners your doctor prescribed" in text
    assert "stop using blood thinners" not in text.lower()
    for advice in wording.care_list("after"):
        assert advice in text


@pytest.mark.parametrize(
    ("choices", "photo", "marketing"),
    [
        (ConsentChoices(True, False), "☒ Yes ☐ No", "☐ Yes ☒ No"),
        (ConsentChoices(False, True), "☐ Yes ☒ No", "☒ Yes ☐ No"),
        (ConsentChoices(None, None), "☐ Yes ☐ No", "☐ Yes ☐ No"),
    ],
)
def test_photography_and_marketing_are_separate_choices(choices, photo, marketing, tmp_path):
    text = flat(text_of(build_consent(make_input(choices=choices)), tmp_path))
    clinical = wording.consent_text("photography.clinical")
    market = wording.consent_text("photography.marketing")
    assert f"{clinical} {photo}" in text
    assert f"{market} {marketing}" in text


def test_signatures_names_and_zoned_time(document, tmp_path):
    pdf = build_consent(document)
    text = flat(text_of(pdf, tmp_path))
    assert f"Printed name: {MARKUP_NAME}" in text
    assert "Printed name: Dr Ελένη Παπαδοπούλου" in text
    # Both signatures and the seal block.
    assert text.count("20 Nov 2026, 14:05 CET (UTC+01:00)") == 3
    assert _image_count(pdf) == 2


def test_unsigned_form_has_lines_to_sign(tmp_path):
    pdf = build_consent(make_input(signed=False))
    text = flat(text_of(pdf, tmp_path))
    assert "Date and time: ____" in text
    assert _image_count(pdf) == 0
    assert wording.consent_text("seal.title") not in text


def test_page_x_of_n_and_document_id_on_every_page(document):
    pages = pages_text(build_consent(document))
    total = len(pages)
    assert total >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {total}" in page
        assert "CN-20261120-TEST0001" in page


def test_qpdf_accepts_it(document, tmp_path):
    qpdf_check(build_consent(document), tmp_path)


def test_same_input_same_bytes(document):
    # tests/conftest.py sets rl_config.invariant, as a clinic's records need.
    assert build_consent(document) == build_consent(document)


def test_long_free_text_wraps_instead_of_failing(tmp_path):
    long_note = "Patient reports a reaction to numbing cream years ago. " * 30
    finding = FindingNote("precautions", long_note.strip(), "Use a different anaesthetic.")
    pdf = build_consent(make_input(findings=(finding,)))
    assert "Use a different anaesthetic." in flat(text_of(pdf, tmp_path))


class TestBlankForm:
    @pytest.fixture
    def blank(self):
        return build_consent(blank_input(default_settings()))

    def test_no_patient_data(self, blank, tmp_path, document):
        text = flat(text_of(blank, tmp_path))
        for detail in (MARKUP_NAME, "2 Apr 1989", "Cheeks", "$1,186.42", "History of cold sores"):
            assert detail not in text
        assert "Name ____" in text and "Date of birth ____" in text
        assert "Printed name: ____" in text

    def test_all_headings_and_empty_boxes(self, blank, tmp_path):
        text = flat(text_of(blank, tmp_path))
        for heading in wording.headings():
            assert heading in text
        assert "☒" not in text
        assert text.count("☐ Yes ☐ No") == 2
        assert "☐ Micro-needling (mechanical pen)" in text
        assert "☐ Radio-frequency micro-needling" in text

    def test_rf_risks_marked_as_rf_only(self, blank, tmp_path):
        text = flat(text_of(blank, tmp_path))
        assert wording.consent_text("risks.rf_blank_title") in text
        assert "Nerve damage" in text

    def test_pages_numbered_and_valid(self, blank, tmp_path):
        pages = pages_text(blank)
        for number, page in enumerate(pages, start=1):
            assert f"Page {number} of {len(pages)}" in page
        qpdf_check(blank, tmp_path)


def test_logo_is_printed(document):
    with_logo = replace(document, clinic=replace(document.clinic, logo=signature_png()))
    assert _image_count(build_consent(with_logo)) == _image_count(build_consent(document)) + 1


def _image_count(pdf: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(BytesIO(pdf)).pages)


def test_a_broken_signature_image_is_a_clear_error(document):
    broken = replace(document, signatures=replace(document.signatures, patient_png=b"nope"))
    with pytest.raises(InvalidField, match="patient signature: not a PNG image"):
        build_consent(broken)


def test_a_broken_logo_is_a_clear_error(document):
    broken = replace(document, clinic=replace(document.clinic, logo=b"nope"))
    with pytest.raises(InvalidField, match=r"clinic\.logo"):
        build_consent(broken)


def test_a_long_clinic_name_is_shortened_in_the_footer(document):
    long_name = "The Very Long Named Aesthetic and Dermatology Clinic of Springfield"
    pages = pages_text(
        build_consent(replace(document, clinic=replace(document.clinic, name=long_name)))
    )
    assert long_name in " ".join(pages[0].split())  # the header prints it whole (wrapped)
    assert all("The Very Long Named Aesthetic and Dermatology Cli…" in page for page in pages)
