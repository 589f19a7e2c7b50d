"""The patient's aftercare sheet, read back with pdftotext."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from consult.documents.aftercare import AftercareInput, build_aftercare
from consult.documents.model import Clinic
from tests.consult.documents.pdfs import flat, text_of

CLINIC = Clinic(
    "Harbour Skin Clinic",
    "4 Quay Street, Portsmouth PO1 2AB",
    "+44 23 9200 0000",
    time_zone="Europe/London",
)


def sheet(**changes) -> AftercareInput:
    values = {
        "patient_name": "José da Silva-Ñúñez",
        "session_date": date(2026, 11, 20),
        "areas": ("Cheeks", "Forehead"),
        "sheet_id": "AC-20261120-7",
    }
    values.update(changes)
    return AftercareInput(**values)


def test_the_sheet_speaks_to_the_patient(tmp_path):
    text = flat(text_of(build_aftercare(sheet(), CLINIC), tmp_path))
    assert "Harbour Skin Clinic" in text
    assert "Caring for your skin after treatment" in text
    assert "José da Silva-Ñúñez" in text  # the name as written
    assert "20 Nov 2026" in text and "Cheeks, Forehead" in text
    assert "broad-spectrum sunscreen every day" in text
    assert "peeling" in text
    assert "Phone: +44 23 9200 0000" in text
    # Nothing for the practitioner: no depths, lots, findings or file names.
    assert re.search(r"\d mm\b|\blots?\b|finding|\.toml|\bseed|screening", text, re.I) is None


def test_with_a_next_appointment_it_gives_its_local_time_and_the_before_care(tmp_path):
    next_at = datetime(2026, 12, 18, 10, 0, tzinfo=ZoneInfo("UTC"))  # stored in UTC
    text = flat(text_of(build_aftercare(sheet(next_appointment=next_at), CLINIC), tmp_path))
    assert "Next appointment" in text
    assert "18 Dec 2026, 10:00 GMT" in text
    assert "Before your next session" in text
    assert "Do not wax, shave or exfoliate the area before treatment." in text
    assert "continued for about a week after treatment" in text


def test_without_a_next_appointment_there_is_no_before_care(tmp_path):
    text = flat(text_of(build_aftercare(sheet(), CLINIC), tmp_path))
    assert "Next appointment" not in text
    assert "Before your next session" not in text
