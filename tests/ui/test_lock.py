"""The idle lock: a new idle time applies at once; the lock screen says who and how."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from consult.storage import settings
from tests.helpers.accounts import MANAGER_PASSWORD
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS
from tests.helpers.signing import signed
from ui.dialogs.settings_dialog import SettingsDialog
from ui.shell.app import build_main_window

pytestmark = OFFSCREEN_SIZE_HINTS


@pytest.fixture
def window(qtbot, db, manager):
    main = build_main_window(signed(db, manager), settings.get_settings(db))
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.ready, timeout=30000):
        main.show()
    return main


def test_locking_by_hand_says_who_locked_it(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert window.is_locked()
    text = window.lock_screen.message.text()
    assert text.startswith("Mara Quinn locked Consult at ")
    assert "without use" not in text


def test_locking_after_idle_says_after_how_many_minutes(qtbot, window):
    window.idle.set_minutes(7)
    window.idle.set_interval_ms(10)
    qtbot.waitUntil(window.is_locked, timeout=30_000)
    text = window.lock_screen.message.text()
    assert "after 7 minutes without use" in text and "Mara Quinn" in text
    qtbot.keyClicks(window.lock_screen.password, MANAGER_PASSWORD)
    with qtbot.waitSignal(window.lock_screen.checked, timeout=30_000):
        qtbot.keyClick(window.lock_screen.password, Qt.Key.Key_Return)
    assert not window.is_locked()


def test_a_new_idle_time_applies_at_once_from_either_settings_button(
    qtbot, window, monkeypatch
):
    assert 4 * 60_000 < window.idle.remaining_ms() <= 5 * 60_000

    def save_with(minutes: int):
        def run(dialog: SettingsDialog) -> int:
            dialog.idle_lock_minutes.setValue(minutes)
            dialog.submit()
            return dialog.result()

        return run

    monkeypatch.setattr(SettingsDialog, "exec", save_with(2))
    window.settings_action.trigger()
    assert 60_000 < window.idle.remaining_ms() <= 2 * 60_000
    assert window.idle.minutes() == 2

    # The manager workspace's own "Clinic settings…" button does the same.
    titles = [window.home.tabText(index) for index in range(window.home.count())]
    window.home.setCurrentIndex(titles.index("Quotes and reports"))
    workspace = window.home.currentWidget()
    monkeypatch.setattr(SettingsDialog, "exec", save_with(9))
    qtbot.mouseClick(workspace.settings_button, Qt.MouseButton.LeftButton)
    assert 8 * 60_000 < window.idle.remaining_ms() <= 9 * 60_000
