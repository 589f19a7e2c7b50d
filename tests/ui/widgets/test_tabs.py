"""A page made in `page_parent` is added as a tab where it already is, not moved there."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QTabWidget

from ui.widgets.tabs import page_parent


class ParentChanges(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, _watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ParentChange:
            self.count += 1
        return False


def test_a_page_made_in_the_tab_widgets_stack_is_not_moved_when_added(qtbot):
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    made_there = QLabel("made there", page_parent(tabs))
    made_outside = QLabel("made outside", tabs)
    watcher = ParentChanges()
    made_there.installEventFilter(watcher)
    tabs.addTab(made_there, "One")
    assert watcher.count == 0
    made_outside.installEventFilter(watcher)
    tabs.addTab(made_outside, "Two")
    assert watcher.count == 1  # the old way: moved into the stack
    assert [tabs.widget(i) for i in range(2)] == [made_there, made_outside]
    assert made_there.parent() is made_outside.parent() is page_parent(tabs)
    tabs.show()
    tabs.setCurrentIndex(0)
    assert made_there.isVisible() and not made_outside.isVisible()
