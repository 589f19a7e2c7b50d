"""A whole consultation from the keyboard: only the two signatures are drawn with a pointer.

Focus moves with Tab and the arrow keys, choices are made with Space and Enter (Back
and Next also carry the mnemonics Alt+B and Alt+N), Ctrl+F finds a patient, Ctrl+S
saves the draft at once and Ctrl+P prints the document shown. Nothing here calls a slot.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QRadioButton, QWidget

from consult.storage import consultations, settings
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS, stroke
from tests.helpers.signing import signed
from ui.consultation.steps import documents_step
from ui.consultation.wizard import CONSENT, DOCUMENTS
from ui.shell.app import build_main_window

pytestmark = [OFFSCREEN_SIZE_HINTS, pytest.mark.slow]
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(qtbot, db, manager, ana):
    main = build_main_window(signed(db, manager), settings.get_settings(db))
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.ready, timeout=30000):
        main.show()
    qtbot.waitActive(main)
    return main


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def press(qtbot, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier):
    """A key as the keyboard sends it: to whatever has the focus (a shortcut to its window)."""
    target = focused()
    assert target is not None, "nothing has the keyboard focus"
    if modifier != Qt.KeyboardModifier.NoModifier:
        target = target.window()
    qtbot.keyClick(target, key, modifier)
    qtbot.wait(0)


def tab_to(qtbot, wanted: QWidget, *, limit: int = 250) -> None:
    """Press Tab until `wanted` (or, for a radio button, its group) has the focus."""
    group = [wanted]
    if isinstance(wanted, QRadioButton) and wanted.group() is not None:
        group = list(wanted.group().buttons())
    visited: list[str] = []
    for _ in range(limit):
        if focused() in group:
            break
        visited.append(type(focused()).__name__ + ":" + (focused().accessibleName() or ""))
        press(qtbot, Qt.Key.Key_Tab)
    else:
        name = wanted.accessibleName() or wanted.text()
        pytest.fail(f"Tab never reached {name}; it went {sorted(set(visited))}")
    for _ in range(len(group)):  # arrows move between the radio buttons of one question
        if focused() is wanted:
            return
        press(qtbot, Qt.Key.Key_Right)
    assert focused() is wanted


def go_on(qtbot, wizard) -> None:
    """Next, reached with Tab and pressed with Space (its mnemonic is Alt+N)."""
    tab_to(qtbot, wizard.next_button)
    press(qtbot, Qt.Key.Key_Space)


def test_back_and_next_have_mnemonics(qtbot, window, ana):
    window.start_consultation(ana)
    wizard = window.consultation
    assert QKeySequence.mnemonic(wizard.next_button.text()).toString() == "Alt+N"
    assert QKeySequence.mnemonic(wizard.back_button.text()).toString() == "Alt+B"


def test_a_whole_consultation_without_the_mouse(qtbot, window, db, context, ana, confirmations,
                                                monkeypatch):
    printed: list[bytes] = []
    monkeypatch.setattr(
        documents_step, "print_pdf", lambda parent, pdf, before_printing=None: printed.append(pdf)
    )
    window.patients.new_button.setFocus()  # somewhere else: Ctrl+F brings it back
    press(qtbot, Qt.Key.Key_F, CTRL)
    assert focused() is window.patients.search_box
    qtbot.keyClicks(window.patients.search_box, "souza")
    qtbot.waitUntil(lambda: window.patients.model.rowCount() == 1, timeout=30000)
    tab_to(qtbot, window.patients.table)  # on the first row, not chosen yet
    press(qtbot, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: window.patients.detail.patient is not None, timeout=30000)
    tab_to(qtbot, window.patients.detail.start_button)
    press(qtbot, Qt.Key.Key_Space)
    wizard = window.consultation
    assert wizard is not None and wizard.current() == 0
    assert focused() is wizard.next_button  # Enter or Alt+N goes on
    qtbot.waitUntil(lambda: wizard.draft.consultation_id is not None, timeout=30_000)

    press(qtbot, Qt.Key.Key_Return)  # the focused Next button
    assert wizard.current() == 1
    smoker = wizard.steps[1].rows["smoker"]
    tab_to(qtbot, smoker.yes)
    press(qtbot, Qt.Key.Key_Space)
    assert wizard.draft.history["smoker"].present
    status = smoker.follow_ups.status  # a smoker is asked whether still smoking
    tab_to(qtbot, status)
    press(qtbot, Qt.Key.Key_Down)
    assert wizard.draft.history["smoker"].status == status.currentData()
    # Silence is not "no": every other question is answered, still from the keyboard.
    for row in wizard.steps[1].rows.values():
        if not (row.yes.isChecked() or row.no.isChecked()):
            tab_to(qtbot, row.no)
            press(qtbot, Qt.Key.Key_Space)
            assert row.no.isChecked(), row.no.accessibleName()
    press(qtbot, Qt.Key.Key_S, CTRL)  # saved now, without waiting for the autosave
    qtbot.waitUntil(lambda: _stored_history(db, context, ana).get("smoker") is not None,
                    timeout=30_000)

    go_on(qtbot, wizard)
    assert wizard.current() == 2
    areas = wizard.steps[2]
    tab_to(qtbot, areas.area_list)
    press(qtbot, Qt.Key.Key_Home)  # the first area of the list: the forehead
    assert areas.area_list.currentItem().text() == "Forehead"
    press(qtbot, Qt.Key.Key_Space)
    assert areas.map.selected() == ("forehead",)
    assert wizard.draft.areas == {"forehead": ()}
    card = areas.cards["forehead"]
    first_concern, box = next(iter(card.concerns.items()))
    # The card appears on the layout's next pass; a real key press is queued behind it,
    # while the test's keys are sent at once.
    qtbot.waitUntil(box.isVisible, timeout=30_000)
    tab_to(qtbot, box)  # from the tick list on into the new card's concerns
    press(qtbot, Qt.Key.Key_Space)
    assert wizard.draft.areas == {"forehead": (first_concern,)}

    for expected in (3, 4, CONSENT):
        go_on(qtbot, wizard)
        assert wizard.current() == expected, wizard.status.text()
    tab_to(qtbot, wizard.back_button)
    press(qtbot, Qt.Key.Key_Space)
    assert wizard.current() == 4
    go_on(qtbot, wizard)
    consent = wizard.steps[CONSENT]
    qtbot.waitUntil(consent.preview_ready, timeout=60_000)
    tab_to(qtbot, consent.photography.yes)
    press(qtbot, Qt.Key.Key_Space)
    tab_to(qtbot, consent.marketing.no)
    press(qtbot, Qt.Key.Key_Space)
    assert (wizard.draft.photography, wizard.draft.marketing) == (True, False)
    qtbot.waitUntil(consent.preview_ready, timeout=60_000)
    for pad in (consent.patient_pad, consent.practitioner_pad):  # the one thing drawn
        stroke(pad, [(20, 60), (60, 40), (100, 80), (140, 50), (180, 70), (220, 45)])
    assert consent.sign_button.isEnabled()
    tab_to(qtbot, consent.sign_button)
    press(qtbot, Qt.Key.Key_Space)  # Sign…
    assert [title for title, _ in confirmations.asked] == ["Sign and seal"]

    documents = wizard.steps[DOCUMENTS]
    qtbot.waitUntil(lambda: documents.paperwork is not None, timeout=120_000)
    assert focused() is documents.finish  # Enter or Space ends the consultation
    press(qtbot, Qt.Key.Key_P, CTRL)
    assert printed == [documents.paperwork.consent]
    press(qtbot, Qt.Key.Key_Space)
    assert window.consultation is None


def _stored_history(db, context, ana) -> dict:
    [summary] = consultations.list_for_patient(db, context.actor, ana.id)
    record = consultations.get_consultation(db, context.actor, summary.id)
    return record.consultation.history
