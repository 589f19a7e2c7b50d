"""The question asked before something that cannot be taken back: the safe answer is default."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from ui.shell import confirm

REAL_ASK = confirm.ask  # read before the tests' fixture answers questions for them


def _click_when_shown(role: QMessageBox.ButtonRole, seen: list[str]) -> None:
    def act() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, act)
            return
        seen.append(box.text())
        for button in box.buttons():
            if box.buttonRole(button) == role:
                button.click()

    QTimer.singleShot(0, act)


def test_the_question_names_its_answers_and_defaults_to_the_safe_one(qtbot):
    box = confirm.question_box(None, "Sign and seal", confirm.SIGN_AND_SEAL, "Sign and seal",
                               "Not yet")
    qtbot.addWidget(box)
    assert box.text() == "Sign and seal? This cannot be changed afterwards."
    assert sorted(button.text() for button in box.buttons()) == ["Not yet", "Sign and seal"]
    assert box.defaultButton().text() == "Not yet"
    assert box.escapeButton().text() == "Not yet"


def test_ask_is_true_only_for_the_yes_button(qtbot):
    seen: list[str] = []
    _click_when_shown(QMessageBox.ButtonRole.AcceptRole, seen)
    assert REAL_ASK(None, "Quit", "Quit now?", "Quit") is True
    _click_when_shown(QMessageBox.ButtonRole.RejectRole, seen)
    assert REAL_ASK(None, "Quit", "Quit now?", "Quit") is False
    assert seen == ["Quit now?", "Quit now?"]
