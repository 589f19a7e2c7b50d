"""The shared lazily-paged model when its queries fail: reported once, stale ones dropped."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QCoreApplication, QModelIndex, QThreadPool
from PySide6.QtWidgets import QWidget

from consult.errors import ConsultError
from ui.admin.audit_view import AuditModel
from ui.manager.quotes_model import QuotesModel
from ui.widgets.paged_model import PagedTableModel, TextTableModel


class Broken:
    def __init__(self, gate=None):
        self.gate = gate

    def listing(self, flt, *, limit):
        if self.gate:
            self.gate.wait(60)  # released by the test
        raise ConsultError("database gone")

    page = listing

    def totals(self, flt):
        raise ConsultError("totals gone")


@pytest.fixture
def holder(qtbot):
    w = QWidget()
    qtbot.addWidget(w)
    yield w
    QThreadPool.globalInstance().waitForDone()
    w.deleteLater()
    QCoreApplication.sendPostedEvents()


def test_failure_reaches_failed_with_original_error(qtbot, holder):
    model = AuditModel(Broken(), parent=holder)
    with qtbot.waitSignal(model.failed, timeout=30_000) as blocker:
        model.refresh()
    assert isinstance(blocker.args[0], ConsultError) and str(blocker.args[0]) == "database gone"
    assert not model.is_loading() and not model.canFetchMore(QModelIndex())


def test_quotes_totals_failure(qtbot, holder):
    class Src:
        def page(self, *a):
            return []

        def totals(self, flt):
            raise ConsultError("totals gone")

    model = QuotesModel(Src(), parent=holder)
    with qtbot.waitSignal(model.failed, timeout=30_000) as blocker:
        model.refresh()
    assert str(blocker.args[0]) == "totals gone"


def test_stale_failure_is_dropped(qtbot, holder):
    gate = threading.Event()

    class Src:
        calls = 0

        def listing(self, flt, *, limit):
            Src.calls += 1
            if Src.calls == 1:
                gate.wait(60)  # released by the test once the newer query answered
                raise ConsultError("old")
            from consult.storage.audit_queries import Listing

            return Listing((), 0)

    # The old query holds one pool thread until the gate opens; the newer one needs
    # another even when the machine's pool is small (2 on two cores) and a thread is
    # still finishing an earlier test's work.
    pool = QThreadPool.globalInstance()
    threads = pool.maxThreadCount()
    pool.setMaxThreadCount(max(threads, pool.activeThreadCount() + 2))
    model = AuditModel(Src(), parent=holder)
    errors = []
    model.failed.connect(errors.append)
    try:
        model.refresh()
        with qtbot.waitSignal(model.count_changed, timeout=30_000):
            model.refresh()
    finally:
        gate.set()
        pool.setMaxThreadCount(threads)
    QThreadPool.globalInstance().waitForDone()
    # The finished job's outcome is a queued signal: deliver it, then look.
    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents()
    assert errors == []
    assert model.count == 0


def test_missing_hook_is_named(holder):
    class Half(PagedTableModel):
        def row_cells(self, row):
            return (str(row.id),)

    with pytest.raises(TypeError, match="page_work, next_start"):
        Half(["id"], page_size=2, parent=holder)

    class NoCells(TextTableModel):
        pass

    with pytest.raises(TypeError, match="row_cells"):
        NoCells(["id"], holder)
