"""Saving the draft as the practitioner works: debounced, off the GUI thread, in order.

A change starts a short timer; when it fires the draft is saved on the thread pool.
Only one save runs at a time, and a change made meanwhile is saved right after, so
saves never overtake each other and the stored version always moves forward.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from ui.shell.workers import Worker, wait_for_background_work

DEBOUNCE_MS = 400

SaveDraft = Callable[[], Callable[[], Any]]  # returns the work to run off-thread


class DraftSaver(QObject):
    saved = Signal(object)  # whatever the save returned (the stored consultation)
    failed = Signal(object)

    def __init__(self, prepare: SaveDraft, parent: QObject) -> None:
        super().__init__(parent)
        self._prepare = prepare
        self._worker = Worker(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._save)
        self._in_flight = False
        self._again = False

    @Slot()
    def schedule(self) -> None:
        self._timer.start()

    @Slot()
    def save_now(self) -> None:
        """Start a save on the thread pool without the debounce (a new record, say)."""
        self._timer.stop()
        self._save()

    def pending(self) -> bool:
        return self._timer.isActive() or self._in_flight or self._again

    def flush(self) -> Any:
        """Save now, on this thread (closing the page or the app must not lose a change).

        A save already running is waited for first; the work itself records the new
        version in the draft, so the save made here follows on from it.
        """
        if self._in_flight:
            wait_for_background_work()
            self._in_flight = False
        if not (self._timer.isActive() or self._again):
            return None
        self._timer.stop()
        self._again = False
        result = self._prepare()()
        self.saved.emit(result)
        return result

    @Slot()
    def _save(self) -> None:
        if self._in_flight:
            self._again = True
            return
        self._in_flight = True
        self._worker.start(self._prepare(), self._done, self._failed)

    @Slot(object)
    def _done(self, result: Any) -> None:
        self._in_flight = False
        self.saved.emit(result)
        self._next()

    @Slot(object)
    def _failed(self, error: BaseException) -> None:
        self._in_flight = False
        self.failed.emit(error)
        self._next()

    def _next(self) -> None:
        if self._again:
            self._again = False
            self._save()
