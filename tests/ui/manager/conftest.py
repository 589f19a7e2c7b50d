"""A real clinic database for the manager workspace's widget tests."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QThreadPool

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
def holder(clinic, holder):
    """tests/ui's holder, set up after the clinic so it is deleted before the database closes."""
    return holder
