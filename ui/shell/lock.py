"""The idle lock: after the clinic's idle time, patient data goes behind a lock screen.

`IdleWatcher` watches every key, mouse and touch event of the application's windows;
when none arrives for the set minutes it emits `idle`. The main window then shows `LockScreen`
instead of its pages (the open consultation stays where it was, already saved as a
draft) until the signed-in user types their password again.

Dialogs are windows of their own, so the lock screen cannot cover them: `close_dialogs`
closes every open dialog and menu (a message box, a stored consent, the patient
editor) so no patient data stays on screen while locked. A dialog closed this way is
marked (`closed_by_lock`); the patient editor uses that to come back with what was
typed once the user unlocks.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from consult.errors import ConsultError
from ui.shell.style import make_primary
from ui.shell.workers import Worker
from ui.widgets.dates import now, show_time

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


CLOSED_BY_LOCK = "closedByLock"


def close_dialogs() -> int:
    """Close every open popup menu and dialog, newest first; returns how many dialogs.

    A modal dialog's `exec()` returns Rejected, as if the user had cancelled it.
    """
    while (popup := QApplication.activePopupWidget()) is not None:
        popup.close()
    dialogs = [
        widget
        for widget in QApplication.topLevelWidgets()
        if isinstance(widget, QDialog) and widget.isVisible()
    ]
    # Innermost first: a dialog opened from another is closed before its opener.
    modal = QApplication.activeModalWidget()
    dialogs.sort(key=lambda dialog: dialog is not modal)
    for dialog in dialogs:
        dialog.setProperty(CLOSED_BY_LOCK, True)
        dialog.reject()
    return len(dialogs)


def closed_by_lock(dialog: QDialog) -> bool:
    return bool(dialog.property(CLOSED_BY_LOCK))


class IdleWatcher(QObject):
    idle = Signal()

    def __init__(self, minutes: int, parent: QObject) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        # A coarse timer may shift a restart by up to 5% (15 s of 5 minutes): precise, so
        # every input gives exactly the clinic's idle time again.
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.idle)
        self._watching = False
        self._minutes = max(1, minutes)
        self._started = False
        self.set_minutes(minutes)

    def start_watching(self) -> None:
        """Reset the countdown on every input event of the application's windows from now on.

        The filter sits on the top-level windows (QWindow), where the platform's input
        arrives before it is handed to a widget, not on the application: an application
        filter is called for every event of every widget (each polish, layout and paint of
        a page being shown), which made showing a large page a fifth slower. A window
        opened later (a dialog, a menu) is watched from the moment it takes the focus.
        """
        app = QGuiApplication.instance()
        if not isinstance(app, QGuiApplication):
            return
        app.focusWindowChanged.connect(self._watch_windows)
        self._watching = True
        self._watch_windows()

    @Slot()
    def _watch_windows(self) -> None:
        # Installing a filter again only moves it to the front: never twice.
        for window in QGuiApplication.topLevelWindows():
            window.installEventFilter(self)

    def set_minutes(self, minutes: int) -> None:
        """A new idle time, counted afresh from now (left paused while locked)."""
        self._minutes = max(1, minutes)
        paused = self._started and not self._timer.isActive()
        self._timer.setInterval(self._minutes * 60_000)
        self._started = True
        if not paused:
            self._timer.start()

    def minutes(self) -> int:
        return self._minutes

    def set_interval_ms(self, milliseconds: int) -> None:
        """For tests: a lock after a few milliseconds instead of minutes."""
        self._timer.setInterval(milliseconds)
        self._timer.start()

    def remaining_ms(self) -> int:
        """Milliseconds left before the lock (-1 while paused)."""
        return self._timer.remainingTime()

    def pause(self) -> None:
        self._timer.stop()

    def resume(self) -> None:
        self._timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS and self._timer.isActive():
            self._timer.start()
        return False

    def stop_watching(self) -> None:
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication) and self._watching:
            self._watching = False
            app.focusWindowChanged.disconnect(self._watch_windows)
            for window in QGuiApplication.topLevelWindows():
                window.removeEventFilter(self)
        self._timer.stop()


class LockScreen(QWidget):
    """Hides everything; only the signed-in user's password opens it again."""

    unlocked = Signal()
    quit_requested = Signal()
    checked = Signal()  # each unlock attempt's answer is in

    def __init__(self, check_password: Callable[[str], bool], parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self._check = check_password
        self._worker = Worker(self)
        self.message = QLabel(self)
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("Password")
        self.password.setMaximumWidth(320)
        self.error = QLabel("", self)
        self.unlock_button = make_primary(QPushButton("Unlock", self))
        self.quit_button = QPushButton("Quit Consult", self)
        self._build()

    def _build(self) -> None:
        title = QLabel("Consult is locked", self)
        title.setObjectName("title")
        title.setStyleSheet("color: #ffffff;")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        for widget in (title, self.message, self.password, self.error):
            layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignHCenter)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.quit_button)
        row.addWidget(self.unlock_button)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)
        self.password.returnPressed.connect(self.try_unlock)
        self.unlock_button.clicked.connect(self.try_unlock)
        self.quit_button.clicked.connect(self.quit_requested)

    def arm(self, who: str, *, idle_minutes: int | None = None) -> None:
        """Show who locked it and how: by hand, or after `idle_minutes` without use."""
        at = show_time(now())
        if idle_minutes is None:
            how = f"{who} locked Consult at {at}."
        else:
            quiet = "1 minute" if idle_minutes == 1 else f"{idle_minutes} minutes"
            how = f"Locked at {at} after {quiet} without use; {who} was signed in."
        self.message.setText(f"{how}\n{who}, type your password to go on.")
        self.message.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.error.setText("")
        self.password.clear()
        self.password.setFocus()

    @Slot()
    def try_unlock(self) -> None:
        """Check the password on the thread pool: Argon2 is slow on purpose, the screen not."""
        if self._worker.busy():
            return
        typed = self.password.text()
        self.password.clear()
        self.unlock_button.setEnabled(False)
        self._worker.start(partial(self._check, typed), self._answered, self._refused)

    @Slot(object)
    def _answered(self, matches: bool) -> None:
        self.unlock_button.setEnabled(True)
        if matches:
            self.error.setText("")
            self.checked.emit()
            self.unlocked.emit()
            return
        self.error.setText("That password is not right.")
        self.checked.emit()

    @Slot(object)
    def _refused(self, error: BaseException) -> None:
        self.unlock_button.setEnabled(True)
        if not isinstance(error, ConsultError):
            raise error  # a bug: the app's exception hook reports it
        self.error.setText(str(error))  # the account is locked after too many wrong tries
        self.checked.emit()
