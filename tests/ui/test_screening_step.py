"""The screening chain in the app (issue 13, items 1, 3, 4, 5 and 17), driven with qtbot."""

from __future__ import annotations

import subprocess
from datetime import date

import pytest
from PySide6.QtCore import Qt

from consult.clinical.fileformat import AreaRequest, Consultation, HistoryEntry, Patient
from consult.storage import consultations, patients, settings
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS, answer_the_rest_no, stroke
from tests.helpers.signing import signed
from ui.consultation.paperwork import document_input, unsigned_consent
from ui.consultation.steps.consent_step import paperwork_request
from ui.consultation.wizard import CONSENT, SCREENING
from ui.shell.app import build_main_window
from ui.widgets.dates import show_date

pytestmark = OFFSCREEN_SIZE_HINTS
DAY = date(2026, 11, 20)
HISTORY, AREAS = 1, 2


@pytest.fixture
def window(qtbot, db, manager):
    main = build_main_window(signed(db, manager), settings.get_settings(db))
    main.resize(1280, 860)
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.ready, timeout=30000):
        main.show()
    yield main
    main.close()


def _start(qtbot, window, patient):
    window.start_consultation(patient)
    wizard = window.consultation
    wizard.draft.consultation_date = DAY
    # The draft's first save runs on the pool; an override needs the stored consultation.
    qtbot.waitUntil(lambda: wizard.draft.consultation_id is not None, timeout=30_000)
    return wizard


def _click_area(qtbot, wizard, area: str, view: str = "face") -> None:
    step = wizard.steps[AREAS]
    step.map.show_view(view)
    canvas = step.map.canvas
    qtbot.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=canvas.area_position(area).toPoint())


def _choose(qtbot, wizard, area: str, concern: str) -> None:
    _click_area(qtbot, wizard, area)
    card = wizard.steps[AREAS].cards[area]
    qtbot.mouseClick(card.concerns[concern], Qt.MouseButton.LeftButton)


def _pdftotext(pdf: bytes) -> str:
    result = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(result.stdout.decode("utf-8").split())


# --------------------------------------------------------------------------- item 1


def test_an_unanswered_history_gives_no_verdict_and_no_way_on(qtbot, window, ana):
    wizard = _start(qtbot, window, ana)
    assert wizard.go_to(HISTORY)
    history = wizard.steps[HISTORY]
    smoker = history.rows["smoker"]
    qtbot.mouseClick(smoker.yes, Qt.MouseButton.LeftButton)  # a yes without its status
    assert wizard.go_to(AREAS)
    _choose(qtbot, wizard, "cheeks", "acne_scars")
    assert wizard.go_to(SCREENING)

    screening = wizard.steps[SCREENING]
    total = len(history.rows)
    banner = screening.banner.text.text()
    assert f"{total} questions of the medical history not answered yet." in banner
    assert "No verdict" in banner and "Proceed" not in banner
    assert screening.result is None
    listing = screening.findings_box.findChild(type(screening.banner.text), "unanswered")
    assert "Smoking: status not given" in listing.text()
    assert "Prescribed blood thinners: not answered" in listing.text()
    assert not screening.reason.isVisible()
    # Neither the quote nor the consent can be reached.
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.current() == SCREENING
    assert "not answered" in wizard.status.text()
    wizard.step_list.setCurrentRow(CONSENT)
    assert wizard.current() == SCREENING

    assert wizard.go_to(HISTORY)
    answer_the_rest_no(qtbot, history)
    assert wizard.go_to(SCREENING)
    assert "1 question of the medical history not answered yet." in (
        screening.banner.text.text()
    )
    smoker.follow_ups.status.setCurrentIndex(smoker.follow_ups.status.findData("current"))
    assert wizard.go_to(SCREENING + 1)
    assert wizard.go_to(SCREENING)
    assert screening.result.verdict == "precautions"
    assert "Proceed with precautions" in screening.banner.text.text()


def test_a_draft_resumed_at_the_consent_cannot_be_signed_with_questions_unanswered(
    qtbot, window, db, context, ana
):
    # A draft kept from before every question had to be answered, resumed at its step.
    consultation = Consultation(
        DAY,
        Patient("Ana Souza", date(1989, 4, 2), 3),
        "microneedling",
        (AreaRequest("cheeks", ("acne_scars",)),),
        {"smoker": HistoryEntry(status="past")},
    )
    record = consultations.create_draft(db, context.actor, ana.id, consultation, step=CONSENT)
    window.resume_consultation(ana, record.id)
    wizard = window.consultation
    assert wizard.current() == CONSENT
    consent = wizard.steps[CONSENT]
    qtbot.waitUntil(consent.preview_ready, timeout=60_000)
    qtbot.mouseClick(consent.photography.yes, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(consent.marketing.no, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(consent.preview_ready, timeout=60_000)
    for pad in (consent.patient_pad, consent.practitioner_pad):
        pad.show()
        stroke(pad, [(20, 60), (60, 40), (100, 80), (140, 50), (180, 70), (220, 45)])
    assert not consent.sign_button.isEnabled()
    assert "not answered" in consent.waiting.text()
    with qtbot.assertNotEmitted(consent.signed):
        consent.sign()


# --------------------------------------------------------------------------- item 3


@pytest.mark.parametrize(
    ("kind", "rule"),
    [("deep_peel", "laser_or_peel_ablative"), (None, "laser_or_peel_kind_not_given")],
)
def test_the_kind_of_laser_or_peel_is_asked_and_decides(qtbot, window, ana, kind, rule):
    wizard = _start(qtbot, window, ana)
    wizard.go_to(HISTORY)
    history = wizard.steps[HISTORY]
    answer_the_rest_no(qtbot, history)
    wizard.go_to(AREAS)
    _choose(qtbot, wizard, "chin", "acne_scars")
    wizard.go_to(HISTORY)  # the patient remembers the procedure once the areas are chosen
    laser = history.rows["laser_or_peel"]
    qtbot.mouseClick(laser.yes, Qt.MouseButton.LeftButton)
    combo = laser.follow_ups.kind
    combo.setCurrentIndex(combo.findData(kind))
    qtbot.keyClicks(laser.follow_ups.date, show_date(date(2026, 10, 16)))  # 5 weeks ago
    assert wizard.draft.history["laser_or_peel"].kind == kind
    assert wizard.go_to(SCREENING)
    screening = wizard.steps[SCREENING]
    assert screening.result.verdict == "defer"
    assert [finding.rule for finding in screening.result.findings] == [rule]
    assert f"Chin: not today (from {show_date(date(2027, 1, 16))})" in screening.areas.text()
    assert f"First session: on or after 2027-01-16 ({rule})" in screening.areas.text()


# --------------------------------------------------------------------------- item 5


def test_a_partial_verdict_is_told_area_by_area(qtbot, window, ana):
    wizard = _start(qtbot, window, ana)
    wizard.go_to(HISTORY)
    answer_the_rest_no(qtbot, wizard.steps[HISTORY])
    wizard.go_to(AREAS)
    _choose(qtbot, wizard, "cheeks", "acne_scars")
    _choose(qtbot, wizard, "forehead", "fine_lines")
    # The tattoo is mentioned after the areas were chosen.
    wizard.go_to(HISTORY)
    tattoo = wizard.steps[HISTORY].rows["tattoo"]
    qtbot.mouseClick(tattoo.yes, Qt.MouseButton.LeftButton)
    areas = tattoo.follow_ups.areas
    for row in range(areas.count()):
        if areas.item(row).text() == "Forehead":
            areas.item(row).setCheckState(Qt.CheckState.Checked)
    assert wizard.go_to(SCREENING)
    screening = wizard.steps[SCREENING]
    assert screening.result.verdict == "decline"  # the spec's verdict, as requested
    lines = sorted(screening.areas.text().splitlines()[:2])
    assert lines[0] == "Cheeks: can be treated today"
    assert lines[1].startswith("Forehead: not today, left out of the treatment: Tattoo")
    assert "Not to be treated today: Forehead." in screening.banner.text.text()
    # The practitioner still sees the source; the patient's papers never do.
    cards = screening.findings_box.findChildren(type(screening.areas))
    assert any("Source:" in label.text() for label in cards)
    # The cheeks can go ahead: the declined forehead is simply left out, no reason asked.
    assert not screening.reason.isVisible()
    assert wizard.go_to(SCREENING + 1)
    quote = wizard.steps[SCREENING + 1]
    assert quote.quote.lines[0].description.startswith("Face — cheeks")
    assert "forehead" not in quote.quote.lines[0].description
    assert quote.excluded.text().startswith(
        "Not quoted (left out by the screening): Forehead: Tattoo"
    )


# --------------------------------------------------------------------------- items 4, 17


@pytest.fixture
def dark_skinned(db, context):
    return patients.create_patient(
        db, context.actor, Patient("Kofi Mensah", date(1985, 2, 3), 6, None, None)
    )


def test_depth_follows_skin_type_and_an_outside_depth_needs_confirming(
    qtbot, window, dark_skinned
):
    wizard = _start(qtbot, window, dark_skinned)
    wizard.go_to(HISTORY)
    answer_the_rest_no(qtbot, wizard.steps[HISTORY])
    wizard.go_to(AREAS)
    step = wizard.steps[AREAS]
    _choose(qtbot, wizard, "cheeks", "acne_scars")
    card = step.cards["cheeks"]
    # Type VI: the normal 1.0–2.0 mm narrows to 1.0–1.5 mm, starting at 1.0 mm.
    assert card.suggestion.text().startswith("Suggested 1.0–1.5 mm.")
    assert (card.low.value(), card.high.value()) == (1.0, 1.5)
    assert card.confirm.isHidden()

    card.high.setValue(2.0)
    assert wizard.draft.depths["cheeks"][1] == 2
    assert not card.confirm.isHidden() and not card.confirm.isChecked()
    assert "outside the suggested 1.0–1.5 mm" in (step.blocker() or "")
    assert not wizard.go_to(SCREENING)
    qtbot.mouseClick(card.confirm, Qt.MouseButton.LeftButton)
    assert step.blocker() is None
    assert wizard.draft.consultation().extra["depths"]["cheeks"]["confirmed"] is True

    text = _pdftotext(unsigned_consent(paperwork_request(wizard.draft, wizard.services)))
    assert "1.0–2.0 mm" in text
    assert "Outside the suggested 1.0–1.5 mm: chosen on purpose by the practitioner." in text
    assert "A gentler depth range, chosen for your skin." in text

    card.high.setValue(1.25)  # back inside: nothing to confirm
    assert card.confirm.isHidden() and step.blocker() is None


# --------------------------------------------------------------------------- item 6


def test_sessions_wait_for_a_clearance_until_it_is_recorded(qtbot, window, ana):
    wizard = _start(qtbot, window, ana)
    wizard.go_to(HISTORY)
    history = wizard.steps[HISTORY]
    qtbot.mouseClick(history.rows["anticoagulants"].yes, Qt.MouseButton.LeftButton)
    answer_the_rest_no(qtbot, history)
    wizard.go_to(AREAS)
    _choose(qtbot, wizard, "cheeks", "acne_scars")
    assert wizard.go_to(SCREENING)
    screening = wizard.steps[SCREENING]
    assert screening.result.verdict == "clearance"
    assert "First session: not booked until resolved (anticoagulants)" in screening.areas.text()
    before = document_input(paperwork_request(wizard.draft, wizard.services))
    assert before.course.dates == ()  # "after clearance": no date on the plan yet
    assert any("written clearance" in wait for wait in before.course.waits)

    qtbot.keyClicks(screening.reason, "Written clearance from Dr Lee, 18/11/2026, on file.")
    assert wizard.go_to(SCREENING + 1)
    after = document_input(paperwork_request(wizard.draft, wizard.services))
    assert after.course.dates[0] == DAY
    exported = wizard.draft.consultation().extra["screening_override"]
    assert exported == {"reason": "Written clearance from Dr Lee, 18/11/2026, on file."}
