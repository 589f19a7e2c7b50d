"""`consult documents` honours the screening: per-area results, safe dates, depths.

Issue 13, items 4, 5, 6 and 17, through the command line on consult/1 files, with both
PDFs read back by pdftotext.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from consult.app.cli import main
from tests.consult.documents.pdfs import flat, text_of

DAY = "2026-11-20"


REASON = {"screening_override": {"reason": "Discussed with the patient's doctor."}}


def _stopped(history: dict[str, Any]) -> bool:
    from consult.clinical import fileformat
    from consult.clinical.screening import screen
    from consult.documents.gate import stopped_areas

    consultation = fileformat.from_dict(
        {
            "format": "consult/1", "consultation_date": DAY,
            "patient": {"name": "Ana Souza", "date_of_birth": "1989-04-02"},
            "treatment": "microneedling",
            "areas": [{"area": "cheeks", "concerns": ["acne_scars"]}], "history": history,
        }
    )
    return bool(stopped_areas(screen(consultation), consultation.area_ids))


def _file(tmp_path: Path, **changes: Any) -> Path:
    document: dict[str, Any] = {
        "format": "consult/1",
        "consultation_date": DAY,
        "patient": {"name": "Ana Souza", "date_of_birth": "1989-04-02", "fitzpatrick": 3},
        "treatment": "microneedling",
        "areas": [{"area": "cheeks", "concerns": ["acne_scars"]}],
        "history": {},
    }
    document.update(changes)
    path = tmp_path / "consultation.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _documents(capsys, tmp_path: Path, path: Path) -> tuple[str, str]:
    out = tmp_path / "out"
    code = main(["documents", str(path), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    consent = flat(text_of((out / "consent.pdf").read_bytes(), tmp_path, "consent.pdf"))
    plan = flat(text_of((out / "plan.pdf").read_bytes(), tmp_path, "plan.pdf"))
    return consent, plan


def _session_dates(plan: str) -> list[date]:
    found = re.findall(r"Session \d+ (\d{1,2} [A-Z][a-z]{2} \d{4})", plan)
    return [datetime.strptime(text, "%d %b %Y").date() for text in found]


# --------------------------------------------------------------------------- item 5


def test_a_jawline_consent_is_not_declined_because_the_chest_was_excluded(
    capsys, data_dir, tmp_path
):
    path = _file(
        tmp_path,
        areas=[
            {"area": "jawline", "concerns": ["laxity"]},
            {"area": "chest", "concerns": ["texture"]},
        ],
        history={"tattoo": {"areas": ["chest"]}},
    )
    consent, plan = _documents(capsys, tmp_path, path)
    for text in (consent, plan):
        assert "Jawline: can be treated today." in text
        assert (
            "Not treated (left out because of the screening): • Chest (décolleté): "
            "Tattooed areas and permanent make-up are left out of the treatment."
        ) in text
    assert "Overall screening result" not in consent
    assert "Decline" not in consent
    assert "Screening result for the areas in this consent: Can go ahead" in consent
    assert "Chest" not in plan.split("Cost of the course", 1)[1].split("valid until")[0]


def test_an_area_that_waits_says_not_today_and_why(capsys, data_dir, tmp_path):
    path = _file(
        tmp_path,
        areas=[
            {"area": "cheeks", "concerns": ["acne_scars"]},
            {"area": "neck", "concerns": ["fine_lines"]},
        ],
        history={"botox": {"date": "2026-11-10", "areas": ["cheeks"]}},
    )
    consent, plan = _documents(capsys, tmp_path, path)
    for text in (consent, plan):
        assert (
            "Cheeks: not today. An area with anti-wrinkle injections waits 2 weeks after the"
            " injection."
        ) in text
        # One course for both: it starts when the cheeks may be treated, so the neck is
        # not promised for today either.
        assert "Neck: nothing in the screening stands in the way; the first session" in text
    assert _session_dates(plan)[0] == date(2026, 11, 24)
    # Both areas are quoted: the cheeks are planned from their safe date.
    assert "Face — cheeks" in plan and "Neck: micro-needling session" in plan


# --------------------------------------------------------------------------- item 6


@pytest.mark.parametrize(
    ("history", "first"),
    [
        ({"smoker": True}, date(2026, 12, 4)),  # stop smoking 2 weeks before
        ({"botox": {"date": "2026-11-10", "areas": ["cheeks"]}}, date(2026, 11, 24)),
        ({"laser_or_peel": {"date": "2026-10-16"}}, date(2027, 1, 16)),  # kind unknown
        ({"laser_or_peel": {"date": "2026-11-10", "kind": "ipl"}}, date(2026, 12, 1)),
        ({"topical_retinoids": True}, date(2026, 11, 27)),  # no date: 7 days from today
        ({}, date(2026, 11, 20)),
    ],
)
def test_no_session_before_a_dated_wait(capsys, data_dir, tmp_path, history, first):
    # Every area waits today, so the documents print only with a recorded reason to go
    # ahead (spec: `documents`); a wait with a date still holds the first session back.
    _, plan = _documents(capsys, tmp_path, _file(tmp_path, history=history, **REASON))
    dates = _session_dates(plan)
    assert dates and dates[0] == first
    assert dates == sorted(dates)
    if first > date(2026, 11, 20):
        assert f"The first session is not before {first.day} {first:%b %Y}, because:" in plan


@pytest.mark.parametrize(
    ("history", "wait"),
    [
        ({"pregnant": True}, "Treatment waits until after your pregnancy."),
        ({"autoimmune_disease": True}, "We need written clearance from your doctor"),
        ({"cold_sores": {"status": "active"}}, "until your cold sore has fully healed"),
        (
            {"isotretinoin": {"status": "past", "date": "2026-09-01"}},
            "we need written clearance from your doctor first",
        ),
    ],
)
def test_an_undated_wait_books_no_session(capsys, data_dir, tmp_path, history, wait):
    # A clearance alone still prints (the plan waits for it); when every area is stopped
    # today the documents print only with a recorded reason (spec: `documents`).
    reason = REASON if _stopped(history) else {}
    consent, plan = _documents(capsys, tmp_path, _file(tmp_path, history=history, **reason))
    assert _session_dates(plan) == []
    assert "20 Nov 2026 Session" not in plan
    assert "Session 1 to be booked once the wait below is over" in plan
    assert "What the first session waits for:" in plan and wait in plan
    assert "The dates are set once the wait below is over." in consent


def test_a_clearance_on_file_lets_the_dates_be_set(capsys, data_dir, tmp_path):
    path = _file(
        tmp_path,
        history={"autoimmune_disease": True},
        screening_override={"reason": "Written clearance from Dr Lee, 2026-11-18, on file."},
    )
    _, plan = _documents(capsys, tmp_path, path)
    assert _session_dates(plan)[0] == date(2026, 11, 20)


# --------------------------------------------------------------------------- item 4


@pytest.mark.parametrize(
    ("fitzpatrick", "area", "concerns", "depth"),
    [
        (6, "cheeks", ["acne_scars"], "1.0–1.5 mm"),
        (5, "forehead", ["fine_lines"], "0.5–0.62 mm"),  # 0.5–0.75 normally; rounded down
        (6, "periorbital", [], "0.25–0.37 mm"),
        (3, "cheeks", ["acne_scars"], "1.0–2.0 mm"),
    ],
)
def test_depth_follows_skin_type_on_both_documents(
    capsys, data_dir, tmp_path, fitzpatrick, area, concerns, depth
):
    path = _file(
        tmp_path,
        patient={"name": "Ana Souza", "date_of_birth": "1989-04-02", "fitzpatrick": fitzpatrick},
        areas=[{"area": area, "concerns": concerns}],
    )
    consent, plan = _documents(capsys, tmp_path, path)
    for text in (consent, plan):
        assert depth in text
        assert ("A gentler depth range, chosen for your skin." in text) is (fitzpatrick >= 5)


def test_quiescent_rosacea_asks_for_conservative_depth_too(capsys, data_dir, tmp_path):
    path = _file(tmp_path, history={"rosacea": {"status": "history"}})
    consent, plan = _documents(capsys, tmp_path, path)
    assert "1.0–1.5 mm" in consent and "1.0–1.5 mm" in plan


# --------------------------------------------------------------------------- item 17


def test_a_depth_outside_the_suggestion_is_flagged_on_both(capsys, data_dir, tmp_path):
    path = _file(
        tmp_path,
        areas=[
            {"area": "cheeks", "concerns": ["acne_scars"]},
            {"area": "neck", "concerns": ["fine_lines"]},
        ],
        depths={
            "cheeks": {"min_mm": "1.5", "max_mm": "2.5"},
            "neck": {"min_mm": "0.5", "max_mm": "0.75"},
        },
    )
    consent, plan = _documents(capsys, tmp_path, path)
    for text in (consent, plan):
        assert (
            "1.5–2.5 mm Outside the suggested 1.0–2.0 mm: chosen on purpose by the practitioner."
        ) in text
        assert text.count("Outside the suggested") == 1  # the neck is within its range


@pytest.mark.parametrize(
    ("depths", "field"),
    [
        ({"cheeks": {"min_mm": "1.0", "max_mm": "9"}}, "depths.cheeks.max_mm"),
        ({"cheeks": {"min_mm": 1.0, "max_mm": "2"}}, "depths.cheeks.min_mm"),
        ({"cheeks": {"min_mm": "2", "max_mm": "1"}}, "depths.cheeks"),
        ({"elbow": {"min_mm": "1", "max_mm": "2"}}, "depths.elbow"),
    ],
)
def test_a_bad_planned_depth_is_one_line_naming_the_field(
    capsys, data_dir, tmp_path, depths, field
):
    out = tmp_path / "out"
    code = main(["documents", str(_file(tmp_path, depths=depths)), "--out", str(out)])
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    assert captured.err.startswith(f"error: {field}: ") and captured.err.count("\n") == 1
    assert not out.exists() or not any(out.iterdir())


def test_a_before_care_wait_promises_no_treatment_today(capsys, data_dir, tmp_path):
    _, plan = _documents(capsys, tmp_path, _file(tmp_path, history={"smoker": True}))
    assert "can be treated today" not in plan
    assert (
        "Cheeks: nothing in the screening stands in the way; the first session waits as set"
        " out under the sessions."
    ) in plan
    assert "please stop smoking 2 weeks before treatment" in plan


def test_with_a_recorded_override_every_area_goes_ahead_but_dated_waits_hold(
    capsys, data_dir, tmp_path
):
    path = _file(
        tmp_path,
        areas=[
            {"area": "cheeks", "concerns": ["acne_scars"]},
            {"area": "chest", "concerns": ["texture"]},
        ],
        history={
            "tattoo": {"areas": ["chest"]},
            "bleeding_disorder": True,
            "botox": {"date": "2026-11-10", "areas": ["cheeks"]},
        },
        screening_override={"reason": "Haematologist's written plan on file; tattoo avoided."},
    )
    _, plan = _documents(capsys, tmp_path, path)
    assert "Not treated (left out" not in plan
    assert "Chest (décolleté)" in plan.split("Cost of the course", 1)[1]
    assert _session_dates(plan)[0] == date(2026, 11, 24)  # the botox wait still holds
