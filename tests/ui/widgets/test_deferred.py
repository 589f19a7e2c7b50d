"""A deferred tab builds its page the first time the tab is shown, and only once."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTabWidget, QWidget

from ui.widgets.deferred import DeferredTab


class Builder:
    def __init__(self) -> None:
        self.built: list[QLabel] = []

    def __call__(self, holder: QWidget) -> QLabel:
        page = QLabel(f"page {len(self.built) + 1}", holder)
        self.built.append(page)
        return page


def test_the_page_is_built_when_its_tab_is_first_shown_and_kept(qtbot):
    tabs = QTabWidget()
    qtbot.addWidget(tabs)
    tabs.addTab(QLabel("first"), "First")
    build = Builder()
    holder = DeferredTab(build, tabs)
    tabs.addTab(holder, "Later")
    tabs.show()
    qtbot.waitExposed(tabs)
    assert build.built == [] and not holder.is_built()

    tabs.setCurrentWidget(holder)
    assert holder.is_built()
    assert len(build.built) == 1
    page = build.built[0]
    assert page.parent() is holder and page.isVisible()

    tabs.setCurrentIndex(0)
    tabs.setCurrentWidget(holder)
    assert holder.page() is page
    assert len(build.built) == 1


def test_code_that_asks_for_the_page_gets_it_built_at_once(qtbot):
    host = QWidget()
    qtbot.addWidget(host)
    build = Builder()
    holder = DeferredTab(build, host)
    page = holder.page()
    assert page.text() == "page 1"
    assert holder.page() is page and len(build.built) == 1
