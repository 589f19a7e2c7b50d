"""Questions asked before something that cannot be taken back or that leaves a patient's work.

One function, so every such question looks the same and tests can answer it
(`monkeypatch.setattr(ui.shell.confirm, "ask", ...)`) or drive the box itself.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

SIGN_AND_SEAL = "Sign and seal? This cannot be changed afterwards."


def question_box(
    parent: QWidget | None, title: str, text: str, yes: str, no: str = "Cancel"
) -> QMessageBox:
    """The box `ask` shows: `yes` and `no` buttons named for what they do, `no` the default."""
    box = QMessageBox(QMessageBox.Icon.Question, title, text, QMessageBox.StandardButton.NoButton,
                      parent)
    box.setObjectName("confirmation")
    box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    # Enter must not do the thing that cannot be taken back: the safe answer is the default.
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    return box


def ask(parent: QWidget | None, title: str, text: str, yes: str, no: str = "Cancel") -> bool:
    """True when the user chose `yes`."""
    box = question_box(parent, title, text, yes, no)
    try:
        box.exec()
        clicked = box.clickedButton()
        return clicked is not None and box.buttonRole(clicked) == QMessageBox.ButtonRole.AcceptRole
    finally:
        box.deleteLater()
