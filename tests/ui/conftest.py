"""Fixtures for the app's tests: a real clinic database with a signed-in manager."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication, QWidget

from consult.clinical.fileformat import Patient
from consult.storage import Database, patients, users
from tests.helpers.accounts import MANAGER_PASSWORD
from tests.helpers.clinic import quick_password_hashing  # noqa: F401  (autouse: cheap Argon2)
from tests.helpers.signing import SET_UP_CLINIC, signed
from tests.helpers.templates import copy_of_new_database
from ui.shell.app import context_for
from ui.shell.context import AppContext
from ui.shell.workers import wait_for_background_work
from ui.widgets import dates


@pytest.fixture
def db(tmp_path: Path, data_dir: Path):
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    copy_of_new_database(url)
    database = Database.open(url)
    yield database
    wait_for_background_work()
    database.close()


@pytest.fixture
def manager(db):
    return users.create_first_manager(
        db,
        clinic_name="Harbour Skin Clinic",
        username="mara",
        full_name="Mara Quinn",
        password=MANAGER_PASSWORD,
        clinic=SET_UP_CLINIC,
    )


@pytest.fixture
def context(db, manager) -> AppContext:
    return context_for(signed(db, manager))


@pytest.fixture
def ana(db, context):
    return patients.create_patient(
        db,
        context.actor,
        Patient("Ana Souza", date(1989, 4, 2), 3, "ana@example.org", "+1 555 0100"),
    )


@pytest.fixture(autouse=True)
def _dates_back_to_the_default_clinic():
    """The clinic's date format is process-wide (a main window sets it from the clinic's
    settings): each test starts from the default so none depends on the one before."""
    dates.use_clinic(dates.DEFAULT_LOCALE)
    yield
    dates.use_clinic(dates.DEFAULT_LOCALE)


@pytest.fixture(autouse=True)
def _no_background_work_left():
    """Every test ends with the thread pool idle, so no job outlives its database."""
    yield
    wait_for_background_work()
    QApplication.processEvents()


@pytest.fixture
def holder(qtbot):
    """The parent of a test's widgets, deleted on the GUI thread after the pool is idle.

    Without an owner, a model caught in a reference cycle could be collected by
    Python's garbage collector on whichever thread runs next: a query thread.
    """
    widget = QWidget()
    qtbot.addWidget(widget)
    yield widget
    QThreadPool.globalInstance().waitForDone()
    widget.deleteLater()
    qtbot.wait(0)  # one pass of the event loop: the deletion happens on the GUI thread


class Confirmations:
    """Stands in for ui.shell.confirm.ask: records each question and gives the set answer."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked: list[tuple[str, str]] = []

    def __call__(self, parent, title: str, text: str, yes: str, no: str = "Cancel") -> bool:
        self.asked.append((title, text))
        return self.answer


@pytest.fixture(autouse=True)
def confirmations(monkeypatch) -> Confirmations:
    """Every confirmation question (ui.shell.confirm.ask) is recorded and answered yes.

    For every test: a modal question has nobody to answer it offscreen, and closing a
    window with a consultation open at a test's end asks one. A test about a question
    asserts on `.asked`, or sets `.answer = False` to refuse.
    """
    from ui.shell import confirm

    answers = Confirmations(True)
    monkeypatch.setattr(confirm, "ask", answers)
    return answers
