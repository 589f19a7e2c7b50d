"""The Qt binding keeps Python's reference counts straight.

PySide6 6.12.0 under Python 3.11 dropped a reference to None on every void call and
to True on every Signal.emit, and the app aborted after a few thousand clicks
("Fatal Python error: none_dealloc"). pyproject.toml keeps PySide6 below 6.12; this
test fails at once if a build with that fault is installed again.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

CALLS = 1000


class _Sender(QObject):
    ping = Signal(str)


def test_void_calls_keep_their_reference_to_none(qtbot):
    widget = QWidget()
    qtbot.addWidget(widget)
    before = sys.getrefcount(None)
    for _ in range(CALLS):
        widget.setToolTip("area")
    assert abs(sys.getrefcount(None) - before) < CALLS // 10


def test_emitting_keeps_the_reference_to_true():
    sender = _Sender()
    before = sys.getrefcount(True)
    for _ in range(CALLS):
        sender.ping.emit("area")
    assert abs(sys.getrefcount(True) - before) < CALLS // 10
