"""Background jobs: answers come back to the GUI thread, even after the asker is gone."""

from __future__ import annotations

import threading

from PySide6.QtCore import QEvent, QObject, QThread, Slot
from PySide6.QtWidgets import QApplication
from shiboken6 import isValid

from ui.shell.workers import Worker, wait_for_background_work


class Receiver(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.results: list[object] = []
        self.errors: list[BaseException] = []
        self.threads: list[QThread] = []

    @Slot(object)
    def got(self, value: object) -> None:
        self.results.append(value)
        self.threads.append(QThread.currentThread())

    @Slot(object)
    def failed(self, error: BaseException) -> None:
        self.errors.append(error)


def test_a_result_arrives_in_the_gui_thread(qtbot):
    receiver = Receiver()
    worker = Worker(receiver)
    worker.start(lambda: threading.current_thread().name, receiver.got, receiver.failed)
    qtbot.waitUntil(lambda: bool(receiver.results), timeout=30_000)
    assert receiver.results[0] != threading.current_thread().name  # it ran elsewhere
    assert receiver.threads == [QApplication.instance().thread()]
    assert not worker.busy()


def test_an_exception_is_handed_back_not_dropped(qtbot):
    receiver = Receiver()
    worker = Worker(receiver)
    worker.start(lambda: int("forty-two"), receiver.got, receiver.failed)
    qtbot.waitUntil(lambda: bool(receiver.errors), timeout=30_000)
    assert isinstance(receiver.errors[0], ValueError)
    assert receiver.results == []


def test_an_answer_for_a_closed_page_goes_nowhere(qtbot):
    release = threading.Event()
    receiver = Receiver()
    worker = Worker(receiver)
    worker.start(release.wait, receiver.got, receiver.failed)
    receiver.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)  # deleted now
    assert not isValid(receiver)
    release.set()
    assert wait_for_background_work()
    QApplication.processEvents()
    assert receiver.results == [] and receiver.errors == []  # the Python side saw nothing
    assert not isValid(worker)  # it was the page's child, so it went with it
