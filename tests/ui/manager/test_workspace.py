"""The workspace the main window shows a manager, and what other roles get instead."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

from consult.storage import users
from tests.helpers.signing import signed
from ui.manager.workspace import ManagerWorkspace

# The offscreen platform used by the tests cannot size a shown window to its contents.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def test_a_manager_gets_quotes_reports_and_prices(qtbot, clinic, holder):
    db, actor, _ = clinic
    workspace = ManagerWorkspace(signed(db, actor), holder)
    tabs = [workspace.tabs.tabText(i) for i in range(workspace.tabs.count())]
    assert tabs == ["Quotes", "Reports", "Price list"]
    qtbot.waitUntil(lambda: workspace.quotes.model.rowCount() == 12, timeout=30_000)
    assert workspace.settings_button.isEnabled()


def test_opening_a_quote_and_deciding_refreshes_the_table(qtbot, clinic, holder):
    db, actor, _ = clinic
    workspace = ManagerWorkspace(signed(db, actor), holder)
    qtbot.waitUntil(lambda: workspace.quotes.model.rowCount() == 12, timeout=30_000)
    pending = next(row for row in range(12)
                   if workspace.quotes.model.quote_at(row).approval == "pending")
    quote_id = workspace.quotes.model.quote_at(pending).id
    dialog = workspace.open_quote(quote_id)
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=30_000)
    qtbot.keyClicks(dialog.comment_edit, "ok")
    with qtbot.waitSignal(workspace.quotes.model.page_loaded, timeout=30_000):
        dialog.decide(approve=True)
    refreshed = next(workspace.quotes.model.quote_at(row)
                     for row in range(workspace.quotes.model.rowCount())
                     if workspace.quotes.model.quote_at(row).id == quote_id)
    assert refreshed.approval == "approved"
    QThreadPool.globalInstance().waitForDone()
    dialog.close()
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=30_000)
    workspace.open_quote(quote_id)
    assert dialog not in workspace.open_details  # closed windows are let go


def test_the_settings_link_asks_the_main_window(qtbot, clinic, holder):
    db, actor, _ = clinic
    workspace = ManagerWorkspace(signed(db, actor), holder)
    with qtbot.waitSignal(workspace.settings_requested, timeout=30000):
        workspace.settings_button.click()


def test_other_roles_see_no_quotes(qtbot, clinic, holder):
    db, manager, _ = clinic
    desk = users.create_user(
        db, manager, username="desk", full_name="Front Desk", role="reception",
        password="correct horse battery",
    )
    workspace = ManagerWorkspace(signed(db, desk), holder)
    assert workspace.quotes is None
    assert workspace.tabs.count() == 1
    assert not workspace.settings_button.isEnabled()


def test_without_a_main_window_the_settings_link_opens_the_dialog_itself(qtbot, clinic, holder):
    db, actor, _ = clinic
    workspace = ManagerWorkspace(signed(db, actor), holder)
    seen = []

    def close_it():
        dialog = QApplication.activeModalWidget()
        seen.append(dialog.windowTitle())
        dialog.reject()

    QTimer.singleShot(0, close_it)
    workspace.settings_button.click()
    assert seen == ["Clinic settings"]
