"""Making a tab's page where QTabWidget keeps it.

A widget added as a tab is moved into the tab widget's own stack of pages; under the
app's style sheet the move styles the page and everything in it again, which cost a
few milliseconds per filled tab of every start. A page made in that stack from the
start is not moved at all.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStackedWidget, QTabWidget, QWidget

# The stack's object name in QTabWidget since Qt 4; should it ever change, pages are
# simply made in the tab widget itself and moved, as before.
STACK_NAME = "qt_tabwidget_stackedwidget"


def page_parent(tabs: QTabWidget) -> QWidget:
    """The widget to make `tabs`' pages in."""
    stack = tabs.findChild(QStackedWidget, STACK_NAME, Qt.FindChildOption.FindDirectChildrenOnly)
    return stack if stack is not None else tabs
