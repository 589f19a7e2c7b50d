"""What every step shares: the draft it edits and the wizard's services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ui.consultation.draft import DraftState
from ui.shell.context import AppContext

if TYPE_CHECKING:  # types only: consult.pricing loads its parts when first used
    from consult.clinic.settings import ClinicSettings
    from consult.pricing.prices import PriceList


@dataclass(frozen=True)
class Services:
    """Read once when the consultation opens: who, the clinic's settings and prices."""

    context: AppContext
    settings: ClinicSettings
    price_list: PriceList
    logo: bytes | None = None


class Step(QWidget):
    """A page of the consultation. It edits `draft` and says when it changed."""

    title = ""
    changed = Signal()  # the draft changed: the wizard saves it

    def __init__(self, draft: DraftState, services: Services, parent: QWidget) -> None:
        super().__init__(parent)
        self.draft = draft
        self.services = services
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(24, 18, 24, 12)
        heading = QLabel(self.title, self)
        heading.setObjectName("title")
        self.layout_.addWidget(heading)

    def enter(self) -> None:
        """Called each time the step is shown: refresh from the draft."""

    def build_more(self) -> bool:
        """Build one more piece of a page too big to build at once; False if none was left.

        The wizard calls it once per idle moment, one piece of one page at a time, so no
        moment's work is two pieces long.
        """
        return False

    def blocker(self) -> str | None:
        """Why the practitioner cannot go on from here yet, or None."""
        return None

    def note(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName("subtitle")
        label.setWordWrap(True)
        self.layout_.addWidget(label)
        return label
