"""Problems reach the user as a sentence; the traceback goes to the log file only."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from consult.app.paths import log_file
from consult.errors import InvalidField
from ui.shell import errors
from ui.shell.app import EXIT_CANNOT_START, run


class Shown:
    def __init__(self) -> None:
        self.messages: list[tuple[str, str]] = []

    def __call__(self, _parent, title: str, text: str, *rest) -> QMessageBox.StandardButton:
        self.messages.append((title, text))
        return QMessageBox.StandardButton.Ok


def test_an_unexpected_error_is_logged_and_described_without_a_traceback(qtbot, monkeypatch):
    shown = Shown()
    monkeypatch.setattr(QMessageBox, "critical", shown)
    try:
        {}["missing"]
    except KeyError:
        kind, error, tb = sys.exc_info()
    errors._hook(kind, error, tb)
    [(title, text)] = shown.messages
    assert "unexpected" in title
    assert "KeyError" in text and str(log_file()) in text
    assert "Traceback" not in text
    logged = log_file().read_text(encoding="utf-8")
    assert "Traceback" in logged and "KeyError: 'missing'" in logged


def test_a_user_error_is_shown_as_its_one_line(qtbot, monkeypatch):
    shown = Shown()
    monkeypatch.setattr(QMessageBox, "warning", shown)
    errors.show_problem(None, InvalidField("patient.name", "must not be empty"))
    assert shown.messages == [("Consult", "patient.name: must not be empty")]


def test_a_database_that_cannot_be_opened_is_a_message_and_exit_2(qtbot, monkeypatch, tmp_path):
    shown = Shown()
    monkeypatch.setattr(QMessageBox, "critical", shown)
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run() installs its own hook
    app = QApplication.instance()
    style, font, sheet = app.style().name(), app.font(), app.styleSheet()
    not_a_database = tmp_path / "clinic.sqlite3"
    not_a_database.write_bytes(b"this is not SQLite" * 100)
    try:
        code = run(app, f"sqlite:///{not_a_database}")
    finally:  # run() styles the whole application; give the other tests theirs back
        app.setStyleSheet(sheet)
        app.setStyle(style)
        app.setFont(font)
    assert code == EXIT_CANNOT_START
    [(title, text)] = shown.messages
    assert title == "Consult cannot start"
    assert str(not_a_database) in text
    assert not_a_database.read_bytes() == b"this is not SQLite" * 100
