"""The consent and care wording: the corrected clinical facts, and patient-facing words only.

Read back from the PDFs (pdftotext), as the patient gets them: the consent (signed and
blank) and the treatment plan, which both print the care sheet.
"""

from __future__ import annotations

import re

import pytest

from consult import data
from consult.documents import wording
from consult.documents.build import blank_input
from consult.documents.consent import build_consent
from consult.documents.plan import build_plan
from consult.pricing import default_settings
from tests.consult.documents.conftest import make_input
from tests.consult.documents.pdfs import flat, text_of


@pytest.fixture(params=["consent", "blank consent", "plan"])
def patient_page(request, data_dir, tmp_path) -> str:
    if request.param == "consent":
        pdf = build_consent(make_input())
    elif request.param == "blank consent":
        pdf = build_consent(blank_input(default_settings()))
    else:
        pdf = build_plan(make_input())
    return flat(text_of(pdf, tmp_path))


def test_antiviral_as_prescribed_and_continued_after_treatment(patient_page):
    line = next(item for item in wording.care_list("before") if "antiviral" in item)
    assert flat(line) in patient_page
    assert "as your doctor prescribes it" in line
    assert "about a week after treatment" in line
    assert "only before" not in patient_page.lower()


def test_before_care_rules_out_waxing_and_shaving_the_area(patient_page):
    assert "Do not wax, shave or exfoliate the area before treatment." in patient_page


def test_peeling_is_among_what_to_report(patient_page):
    line = next(item for item in wording.care_list("after") if item.startswith("Contact"))
    assert "peeling" in line and "cold sore" in line and "infection" in line
    assert flat(line) in patient_page


def test_blood_thinners_are_never_stopped_by_the_clinic(patient_page):
    assert "Keep taking blood thinners your doctor prescribed" in patient_page
    assert "stop using blood thinners" not in patient_page.lower()


# Internal references and words meant for staff that must never reach a patient's page.
INTERNAL = re.compile(
    r"seed \d|seeds? 0\d\d|clinical-facts|\.md\b|\.toml\b|\.py\b|https?://|www\.|"
    r"easymanua|consult verify|consult check|never advise|practitioner should",
    re.IGNORECASE,
)


def test_no_internal_reference_or_staff_instruction_on_patient_pages(patient_page):
    assert INTERNAL.findall(patient_page) == []


def _texts(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [text for value in node.values() for text in _texts(value)]
    if isinstance(node, list):
        return [text for value in node for text in _texts(value)]
    return []


@pytest.mark.parametrize("resource", [wording.CONSENT, wording.CARE])
def test_every_printed_text_in_the_wording_files_is_for_the_patient(resource):
    # The files' comments may name sources; the quoted texts are printed as they are.
    texts = _texts(data.read_toml(resource))
    assert texts
    assert [text for text in texts if INTERNAL.search(text)] == []
