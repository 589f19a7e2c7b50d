"""The window stays responsive: slow work happens on a worker or a piece per idle moment.

Behaviour only (which thread did the work, what is usable while it runs); how long
anything takes is measured by bench/ui_blocking.py, never here.
"""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt

from consult.clinical import maps
from consult.clinical.fileformat import HistoryEntry
from consult.clinical.questionnaire import questionnaire
from consult.storage import consultations, settings
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS, stroke
from tests.helpers.signing import signed
from ui.consultation import wizard as wizard_module
from ui.consultation.draft import DraftState
from ui.consultation.steps import consent_step
from ui.consultation.steps.consent_step import ConsentStep
from ui.consultation.steps.history_step import HistoryStep, QuestionRow
from ui.consultation.wizard import load_services
from ui.shell.app import build_main_window
from ui.widgets import map_paths
from ui.widgets.area_map import AreaMapWidget

pytestmark = OFFSCREEN_SIZE_HINTS


@pytest.fixture
def window(qtbot, db, manager):
    main = build_main_window(signed(db, manager), settings.get_settings(db))
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.ready, timeout=30_000):
        main.show()
    yield main
    main.close()


@pytest.fixture
def held_creation(monkeypatch):
    """Draft records are created only when the test says so, and it notes on which thread."""
    release = threading.Event()
    threads: list[threading.Thread] = []
    create = wizard_module.consultations.start

    def held(*args, **kwargs):
        threads.append(threading.current_thread())
        release.wait(timeout=30)
        return create(*args, **kwargs)

    monkeypatch.setattr(wizard_module.consultations, "start", held)
    yield release, threads
    release.set()  # never leave a worker waiting, whatever the test did


def test_a_new_consultation_is_usable_while_its_record_is_written_on_a_worker(
    qtbot, window, db, context, ana, held_creation
):
    release, threads = held_creation
    window.start_consultation(ana)
    wizard = window.consultation
    qtbot.waitUntil(lambda: bool(threads), timeout=30_000)
    assert threads[0] is not threading.main_thread()

    # The record is not there yet, and the practitioner works on regardless.
    assert wizard.draft.consultation_id is None
    wizard.next()
    assert wizard.current() == 1
    qtbot.mouseClick(wizard.steps[1].rows["smoker"].yes, Qt.MouseButton.LeftButton)
    assert consultations.list_for_patient(db, context.actor, ana.id) == []

    release.set()
    qtbot.waitUntil(lambda: wizard.draft.consultation_id is not None, timeout=30_000)

    def stored():
        return consultations.get_consultation(db, context.actor, wizard.draft.consultation_id)

    # What was done meanwhile is saved into the new record once it exists.
    qtbot.waitUntil(lambda: "smoker" in stored().consultation.history, timeout=30_000)
    assert stored().draft_step == 1


def test_closing_a_consultation_at_once_still_keeps_its_draft(qtbot, window, db, context, ana):
    window.start_consultation(ana)
    qtbot.mouseClick(window.consultation.close_button, Qt.MouseButton.LeftButton)
    [summary] = consultations.list_for_patient(db, context.actor, ana.id)
    assert summary.status == "draft"


def test_the_consent_preview_is_built_off_the_gui_thread(qtbot, context, ana, monkeypatch):
    threads: list[threading.Thread] = []
    build = consent_step.unsigned_consent

    def noted(request):
        threads.append(threading.current_thread())
        return build(request)

    monkeypatch.setattr(consent_step, "unsigned_consent", noted)
    draft = DraftState(patient=ana, consultation_date=ana.created_at.date())
    draft.areas = {"forehead": ("fine_lines",)}
    step = ConsentStep(draft, load_services(context), None)
    qtbot.addWidget(step)
    step.enter()
    assert threads == []  # entering the page starts nothing on the spot
    assert not step.sign_button.isEnabled()
    qtbot.waitUntil(step.preview_ready, timeout=60_000)
    assert threads and all(thread is not threading.main_thread() for thread in threads)
    assert step.preview.page_count() >= 1


def test_the_map_works_out_its_ticks_in_idle_time_not_while_being_built(qtbot, monkeypatch):
    monkeypatch.setattr(map_paths, "_ANCHORS", {})
    worked_out: list[str | None] = []
    label_points = maps.Shape.label_points

    def noted(shape):
        worked_out.append(shape.area)
        return label_points(shape)

    monkeypatch.setattr(maps.Shape, "label_points", noted)
    picker = AreaMapWidget(None, views=("face",))
    qtbot.addWidget(picker)
    picker.resize(420, 520)
    assert worked_out == []
    face_areas = picker.canvas.areas("face")
    qtbot.waitUntil(lambda: len(worked_out) == len(face_areas), timeout=30_000)
    assert sorted(worked_out) == sorted(face_areas)
    for area in face_areas:
        assert picker.canvas.area_at(picker.canvas.area_position(area)) == area
    assert len(worked_out) == len(face_areas)  # each worked out once, then looked up


def test_the_history_form_is_built_a_section_at_a_time_and_whole_when_asked(qtbot, context, ana):
    step = HistoryStep(
        DraftState(patient=ana, consultation_date=ana.created_at.date()),
        load_services(context),
        None,
    )
    qtbot.addWidget(step)
    sections = questionnaire().sections
    every_question = {q.condition for section in sections for q in section.questions}
    built = [len(step.findChildren(QuestionRow))]
    while step.build_more():
        built.append(len(step.findChildren(QuestionRow)))
    # One section per call: never two pieces of work in one idle moment.
    assert built == [sum(len(s.questions) for s in sections[: n + 1]) for n in range(len(sections))]
    assert built[-1] == len(every_question)

    another = HistoryStep(
        DraftState(patient=ana, consultation_date=ana.created_at.date()),
        load_services(context),
        None,
    )
    qtbot.addWidget(another)
    assert set(another.rows) == every_question  # asked for at once: built at once
    assert not another.build_more()


def test_the_wizard_builds_every_step_and_the_whole_history_form_in_idle_time(
    qtbot, window, ana
):
    window.start_consultation(ana)
    wizard = window.consultation
    questions = sum(len(section.questions) for section in questionnaire().sections)
    every_step = range(len(wizard.steps))
    qtbot.waitUntil(lambda: None not in map(wizard.built_step, every_step), timeout=30_000)
    history = wizard.built_step(1)
    qtbot.waitUntil(lambda: len(history.findChildren(QuestionRow)) == questions, timeout=30_000)
    assert wizard.current() == 0  # all of it while the practitioner is still on step 1


def test_a_choice_made_after_the_preview_blocks_signing_until_the_form_shows_it(
    qtbot, context, ana, confirmations
):
    draft = DraftState(patient=ana, consultation_date=ana.created_at.date())
    draft.areas = {"forehead": ("fine_lines",)}
    # Every question answered "no": an unanswered history cannot be signed at all.
    draft.history = {
        condition: HistoryEntry(present=False, as_flag=True)
        for condition in questionnaire().conditions
    }
    draft.photography, draft.marketing = True, False
    step = ConsentStep(draft, load_services(context), None)
    qtbot.addWidget(step)
    step.show()
    step.enter()
    qtbot.waitUntil(step.preview_ready, timeout=60_000)
    for pad in (step.patient_pad, step.practitioner_pad):
        stroke(pad, [(20, 60), (60, 40), (100, 80), (140, 50), (180, 70), (220, 45)])
    assert step.sign_button.isEnabled()
    signed = []
    step.signed.connect(signed.append)

    qtbot.mouseClick(step.marketing.yes, Qt.MouseButton.LeftButton)
    # What is on screen says "no" to marketing: it must not be signed as "yes".
    assert not step.preview_ready()
    assert not step.sign_button.isEnabled()
    step.sign()
    assert signed == []

    qtbot.waitUntil(step.preview_ready, timeout=60_000)
    assert step.sign_button.isEnabled()
    qtbot.mouseClick(step.sign_button, Qt.MouseButton.LeftButton)
    assert len(signed) == 1
    assert [title for title, _text in confirmations.asked] == ["Sign and seal"]
