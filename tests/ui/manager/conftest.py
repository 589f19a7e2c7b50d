"""A real clinic database for the manager workspace's widget tests."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QWidget

from tests.ui.manager.clinic_data import add_manager, fill, open_database


@pytest.fixture
def clinic(tmp_path, qapp):
    db = open_database(tmp_path)
    actor = add_manager(db)
    ids = fill(db)
    yield db, actor, ids
    # No query may still be running on the pool when the database closes.
    QThreadPool.globalInstance().waitForDone()
    db.close()


@pytest.fixture
def holder(qtbot, clinic):
    """A widget owning the models and views of a test, deleted on the GUI thread.

    Without an owner, a model caught in a reference cycle could be collected by
    Python's garbage collector on whichever thread runs next: a query thread.
    """
    widget = QWidget()
    qtbot.addWidget(widget)
    yield widget
    QThreadPool.globalInstance().waitForDone()
    widget.deleteLater()
    qtbot.wait(0)
