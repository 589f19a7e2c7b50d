"""Instant patient search: debounced, run off the GUI thread, newest answer wins.

Each keystroke restarts a short timer; when typing pauses the query runs on the
thread pool with plain arguments, and its rows come back through a Signal. Answers
to older queries that arrive late are dropped, so the list always matches the box.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from ui.shell.workers import Worker

DEBOUNCE_MS = 150
RESULT_LIMIT = 200

Search = Callable[[str, int], Sequence[Any]]  # (text, limit) -> patient records


class PatientSearch(QObject):
    results = Signal(object, str)  # (records, the text they answer)
    failed = Signal(object)

    def __init__(self, search: Search, parent: QObject) -> None:
        super().__init__(parent)
        self._search = search
        self._worker = Worker(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._run)
        self._text = ""
        self._generation = 0

    @Slot(str)
    def request(self, text: str) -> None:
        self._text = text
        self._timer.start()

    def run_now(self, text: str) -> None:
        self._text = text
        self._timer.stop()
        self._run()

    def busy(self) -> bool:
        return self._worker.busy() or self._timer.isActive()

    @Slot()
    def _run(self) -> None:
        self._generation += 1
        generation, text, search = self._generation, self._text, self._search

        def work() -> tuple[int, str, Sequence[Any]]:
            return generation, text, search(text, RESULT_LIMIT)

        self._worker.start(work, self._deliver, self._fail)

    @Slot(object)
    def _deliver(self, outcome: tuple[int, str, Sequence[Any]]) -> None:
        generation, text, rows = outcome
        if generation == self._generation:
            self.results.emit(list(rows), text)

    @Slot(object)
    def _fail(self, error: BaseException) -> None:
        self.failed.emit(error)
