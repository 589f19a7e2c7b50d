"""A tab whose page is built the first time it is shown.

The patient card's Photos tab pulls in image decoding (Pillow) and the photo service;
building it with the window cost about 40 ms of every start, for a tab most starts
never open. The holder stands in the tab bar from the start (so the tabs, their order
and their titles are as before) and builds its page on the first show, or when code
asks for the page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

Page = TypeVar("Page", bound=QWidget)


class DeferredTab(QWidget, Generic[Page]):
    """Holds the place of a page made by `build(holder)` until it is first needed."""

    def __init__(self, build: Callable[[QWidget], Page], parent: QWidget) -> None:
        super().__init__(parent)
        self._build = build
        self._page: Page | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)

    def is_built(self) -> bool:
        return self._page is not None

    def page(self) -> Page:
        """The page, built now if it was not yet."""
        if self._page is None:
            self._page = self._build(self)
            self.layout().addWidget(self._page)
            # A child made after its parent was shown stays hidden unless shown itself.
            self._page.show()
        return self._page

    def showEvent(self, event: QShowEvent) -> None:
        self.page()
        super().showEvent(event)
