"""Running slow work off the GUI thread.

Plain data goes in, a Signal carries the result (or the exception) back to the GUI
thread, so typing, clicking and painting never wait for the database or for a PDF.

Each job reports through its own relay object. Relays live in the GUI thread and are
kept alive here until their job has reported, whatever happens to the page that
asked: a page closed while its job runs simply never hears the answer, and nothing
reports into a deleted object.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from shiboken6 import isValid

_LIVE: set[_Relay] = set()


class _Relay(QObject):
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        _LIVE.add(self)

    def retire_after_delivery(self) -> None:
        """Connected last, so the relay goes only after every receiver has its answer."""
        self.succeeded.connect(self._retire)
        self.failed.connect(self._retire)

    @Slot(object)
    def _retire(self, _outcome: object) -> None:
        _LIVE.discard(self)
        self.deleteLater()


class _Job(QRunnable):
    def __init__(self, work: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._work()
        except Exception as exc:  # handed to the GUI thread's error handler, never dropped
            self._report(self._relay.failed, exc)
            return
        self._report(self._relay.succeeded, result)

    def _report(self, signal: Any, outcome: object) -> None:
        # Only at the very end of the process can a relay be gone (Qt tears its objects
        # down); then there is no one left to tell.
        if isValid(self._relay):
            signal.emit(outcome)


class Worker(QObject):
    """Starts jobs on the global thread pool and routes their outcome back.

    The worker is a child of the page that asks; if the page is closed before the
    answer comes, the worker is deleted with it and the answer is dropped.
    """

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self._running = 0

    def start(
        self,
        work: Callable[[], Any],
        on_result: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        relay = _Relay()
        relay.succeeded.connect(partial(_deliver, self, on_result))
        relay.failed.connect(partial(_deliver, self, on_error))
        relay.retire_after_delivery()
        self._running += 1
        QThreadPool.globalInstance().start(_Job(work, relay))

    def busy(self) -> bool:
        return self._running > 0


def _deliver(worker: Worker, callback: Callable[[Any], None], outcome: object) -> None:
    """Runs in the GUI thread; hands the outcome on only if the asking page still exists."""
    if not isValid(worker):
        return
    worker._running -= 1
    callback(outcome)


def wait_for_background_work(timeout_ms: int = 60_000) -> bool:
    """Let running jobs finish (at exit, so no thread outlives the database)."""
    return QThreadPool.globalInstance().waitForDone(timeout_ms)
