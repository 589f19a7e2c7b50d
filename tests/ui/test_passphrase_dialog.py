"""Opening an encrypted clinic database from the app: the passphrase prompt, for real."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit
from sqlalchemy import select

from consult.access import command_line_actor
from consult.clinical import fileformat
from consult.errors import ConsultError
from consult.protection import encryption
from consult.storage import Database, patients
from consult.storage.models import Patient
from ui.dialogs.passphrase_dialog import (
    ATTEMPTS,
    PassphraseDialog,
    ask_passphrase,
    needs_passphrase,
    open_database_interactively,
)

PASSPHRASE = "needles & 'serum' 2026"
WRONG = "needles and serum"
POLL_MS = 10


@pytest.fixture(autouse=True)
def no_passphrase_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(encryption.PASSPHRASE_ENV, raising=False)


@pytest.fixture
def encrypted(tmp_path: Path, data_dir: Path) -> str:
    """The URL of a new encrypted clinic database holding Ana Souza."""
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    with Database.open(url, passphrase=PASSPHRASE) as database:
        patient = fileformat.Patient("Ana Souza", date(1989, 4, 2))
        patients.create_patient(database, command_line_actor(), patient)
    return url


def names_in(database: Database) -> set[str]:
    with database.Session() as session:
        return set(session.scalars(select(Patient.name)))


def answer_prompts(answers: list[str | None]) -> list[str]:
    """Answer each passphrase dialog as it opens (None: Cancel); returns the errors shown."""
    problems: list[str] = []
    answered: set[int] = set()

    def respond() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, PassphraseDialog) or id(dialog) in answered:
            QTimer.singleShot(POLL_MS, respond)
            return
        answered.add(id(dialog))
        problems.append(dialog.error.text())
        answer = answers.pop(0)
        if answer is None:
            dialog.reject()
        else:
            dialog.field.setText(answer)
            dialog.ok_button.click()
        if answers:
            QTimer.singleShot(0, respond)

    QTimer.singleShot(0, respond)
    return problems


class Scripted:
    """An `ask` that answers from a list and remembers what it was told."""

    def __init__(self, *answers: str | None) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[str, str]] = []

    def __call__(self, _parent, label: str, problem: str) -> str | None:
        self.calls.append((label, problem))
        return self.answers.pop(0)


def never_asked(*_args) -> str | None:
    raise AssertionError("the passphrase was asked for, but none is needed")


# --------------------------------------------------------------------------- the dialog


def test_the_dialog_hides_what_is_typed_and_explains_why_it_asks(qtbot):
    dialog = PassphraseDialog(None, "/clinic/clinic.sqlite3")
    qtbot.addWidget(dialog)
    assert dialog.field.echoMode() == QLineEdit.EchoMode.Password
    explanation = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "/clinic/clinic.sqlite3 is encrypted" in explanation
    assert not dialog.ok_button.isEnabled()

    qtbot.keyClicks(dialog.field, PASSPHRASE)
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(dialog.accepted, timeout=30_000):
        dialog.ok_button.click()
    assert dialog.passphrase() == PASSPHRASE


def test_the_dialog_shows_why_the_last_try_failed(qtbot):
    dialog = PassphraseDialog(None, "clinic.sqlite3", "database clinic.sqlite3: wrong passphrase")
    qtbot.addWidget(dialog)
    assert dialog.error.isVisibleTo(dialog)
    assert dialog.error.text() == "database clinic.sqlite3: wrong passphrase"


def test_ask_passphrase_is_modal_and_returns_what_was_typed(qtbot):
    answer_prompts([PASSPHRASE])
    assert ask_passphrase(None, "clinic.sqlite3") == PASSPHRASE


def test_ask_passphrase_returns_none_when_cancelled(qtbot):
    answer_prompts([None])
    assert ask_passphrase(None, "clinic.sqlite3") is None


# --------------------------------------------------------------------------- opening


def test_the_right_passphrase_opens_the_encrypted_database(qtbot, encrypted):
    assert needs_passphrase(encrypted)
    problems = answer_prompts([PASSPHRASE])
    database = open_database_interactively(encrypted)
    assert database is not None
    with database:
        assert names_in(database) == {"Ana Souza"}
    assert problems == [""]


def test_a_wrong_passphrase_is_asked_again_with_the_reason(qtbot, encrypted, tmp_path):
    problems = answer_prompts([WRONG, PASSPHRASE])
    database = open_database_interactively(encrypted)
    assert database is not None
    with database:
        assert names_in(database) == {"Ana Souza"}
    first, second = problems
    assert first == ""
    assert second.startswith(
        f"database {tmp_path / 'clinic.sqlite3'}: wrong passphrase, "
        "or not an encrypted Consult database."
    )
    assert "2 more tries" in second
    assert WRONG not in second and PASSPHRASE not in second


def test_cancelling_the_prompt_opens_nothing(qtbot, encrypted):
    answer_prompts([WRONG, None])
    assert open_database_interactively(encrypted) is None


def test_after_the_last_wrong_try_the_error_is_raised(encrypted):
    ask = Scripted(*[WRONG] * ATTEMPTS)
    with pytest.raises(ConsultError, match="wrong passphrase"):
        open_database_interactively(encrypted, ask=ask)
    assert len(ask.calls) == ATTEMPTS
    first, second, third = (problem for _label, problem in ask.calls)
    assert first == ""
    assert second.endswith("wrong passphrase, or not an encrypted Consult database. 2 more tries.")
    assert third.endswith("1 more try.")


def test_a_plain_database_opens_without_asking(tmp_path, data_dir):
    url = f"sqlite:///{tmp_path / 'plain.sqlite3'}"
    Database.open(url).close()
    assert not needs_passphrase(url)
    database = open_database_interactively(url, ask=never_asked)
    assert database is not None
    database.close()


def test_the_passphrase_from_the_environment_is_still_used(encrypted, monkeypatch):
    monkeypatch.setenv(encryption.PASSPHRASE_ENV, PASSPHRASE)
    assert not needs_passphrase(encrypted)
    database = open_database_interactively(encrypted, ask=never_asked)
    assert database is not None
    with database:
        assert names_in(database) == {"Ana Souza"}
