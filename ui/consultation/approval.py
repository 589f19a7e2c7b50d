"""A discount above the clinic's limit: ask a manager to approve it, or remove it.

Shown on the quote and consent steps whenever the draft's manual discount is over the
clinic's limit. "Ask a manager" stores the quote waiting for approval, where it shows in
the manager's table at once; "Check again" reads the manager's decision. The consent
cannot be signed until a manager approved the very terms asked for (signing checks it
again in consult.services.signing). "Remove the discount" sets it back to nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from consult.clinical.fileformat import Consultation
from consult.errors import ConsultError
from consult.pricing import QuoteOptions, lifecycle
from consult.pricing.format import format_percent
from consult.pricing.quote import discount_needs_approval
from consult.records.quotes import QuoteRecord
from consult.services import quotes
from consult.services.acting import SignedIn
from ui.consultation.draft import UNSAVED, DraftState
from ui.consultation.steps.base import Services
from ui.shell.errors import show_problem
from ui.shell.workers import Worker
from ui.widgets import dates


@dataclass(frozen=True)
class Terms:
    """What a manager is asked to approve: this consultation priced with these choices."""

    consultation_id: int
    consultation: Consultation
    options: QuoteOptions
    override_reason: str


def terms_of(draft: DraftState) -> Terms | None:
    if draft.consultation_id is None:
        return None
    return Terms(
        draft.consultation_id,
        draft.consultation(),
        QuoteOptions(
            add_ons=draft.add_ons,
            pay_upfront=draft.pay_upfront,
            manual_discount_percent=draft.manual_discount_percent,
            sessions_override=draft.sessions_override,
        ),
        draft.override_reason,
    )


def _ask(user: SignedIn, terms: Terms) -> tuple[Terms, QuoteRecord | None]:
    asked = quotes.ask_approval(
        user, terms.consultation_id, terms.consultation, terms.options, terms.override_reason
    )
    return terms, asked


def _status(user: SignedIn, terms: Terms) -> tuple[Terms, QuoteRecord | None]:
    asked = quotes.approval_status(
        user, terms.consultation_id, terms.consultation, terms.options, terms.override_reason
    )
    return terms, asked


class DiscountApproval(QWidget):
    """The discount's approval: what it waits for, and the two ways on."""

    remove_requested = Signal()  # the practitioner chose to remove the discount
    decided = Signal()  # the approval's state is known anew: steps recheck what blocks them

    def __init__(self, draft: DraftState, services: Services, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("discountApproval")
        self.draft = draft
        self.services = services
        self.asked: QuoteRecord | None = None
        self._asked_terms: Terms | None = None
        self._worker = Worker(self)
        self.message = QLabel(self)
        self.message.setObjectName("approval")
        self.message.setWordWrap(True)
        self.ask_button = QPushButton("Ask a manager to approve", self)
        self.check_button = QPushButton("Check again", self)
        self.remove_button = QPushButton("Remove the discount", self)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for button in (self.ask_button, self.check_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.ask_button.clicked.connect(self.ask)
        self.check_button.clicked.connect(self.check)
        self.remove_button.clicked.connect(self._remove)
        self.setVisible(False)

    # ------------------------------------------------------------------ state

    def needed(self) -> bool:
        return discount_needs_approval(self.draft.manual_discount_percent, self.services.settings)

    def approved(self) -> bool:
        """A manager approved exactly the terms on screen (or none is needed)."""
        if not self.needed():
            return True
        return (
            self.asked is not None
            and self.asked.approval == lifecycle.APPROVED
            and self._asked_terms == terms_of(self.draft)
        )

    def blocker(self) -> str | None:
        if self.approved():
            return None
        current = self._current()
        if current is not None and current.approval == lifecycle.PENDING:
            return "The discount waits for a manager's approval: sign once it is approved."
        return (
            "The discount is over the clinic's limit: ask a manager to approve it, "
            "or remove it, before the consent is signed."
        )

    def _current(self) -> QuoteRecord | None:
        """The stored request, if it is for the terms on screen now."""
        if self.asked is not None and self._asked_terms == terms_of(self.draft):
            return self.asked
        return None

    # ------------------------------------------------------------------ actions

    def refresh(self) -> None:
        """Show or hide as the discount stands, and read the manager's decision."""
        self.setVisible(self.needed())
        self._show()
        if self.needed():
            self.check()

    @Slot()
    def ask(self) -> None:
        terms = terms_of(self.draft)
        if terms is None:
            show_problem(self, ConsultError(UNSAVED))
            return
        self._busy("Asking a manager…")
        self._worker.start(
            partial(_ask, self.services.context.user, terms), self._answered, self._failed
        )

    @Slot()
    def check(self) -> None:
        terms = terms_of(self.draft)
        if terms is None or self._worker.busy():
            return
        self._worker.start(
            partial(_status, self.services.context.user, terms), self._answered, self._failed
        )

    @Slot()
    def _remove(self) -> None:
        self.remove_requested.emit()

    @Slot(object)
    def _answered(self, outcome: tuple[Terms, QuoteRecord | None]) -> None:
        terms, asked = outcome
        if terms != terms_of(self.draft):
            self.check()  # the discount changed while this was asked: ask about the new one
            return
        self.asked, self._asked_terms = asked, terms
        self._show()
        self.decided.emit()

    @Slot(object)
    def _failed(self, error: BaseException) -> None:
        self._show()
        show_problem(self, error)

    # ------------------------------------------------------------------ words

    def _busy(self, text: str) -> None:
        self.message.setText(text)
        for button in (self.ask_button, self.check_button):
            button.setEnabled(False)

    def _show(self) -> None:
        limit = format_percent(self.services.settings.manual_discount_limit_percent)
        discount = format_percent(self.draft.manual_discount_percent)
        asked = self._current()
        state = asked.approval if asked is not None else None
        if state == lifecycle.APPROVED:
            text = f"✓ A manager approved the {discount} discount."
        elif state == lifecycle.PENDING:
            when = dates.show_time(asked.created_at) if asked is not None else ""
            text = (
                f"⚠ The {discount} discount is over the clinic's limit of {limit}. "
                f"A manager was asked at {when}; the consent can be signed once it is approved."
            )
        elif state == lifecycle.REJECTED:
            why = f" ({asked.approval_comment})" if asked and asked.approval_comment else ""
            text = (
                f"⚠ A manager rejected the {discount} discount{why}. "
                "Remove or change it before the consent is signed."
            )
        else:
            text = (
                f"⚠ Needs manager approval: the {discount} discount is over the clinic's limit "
                f"of {limit}. Ask a manager to approve it, or remove it."
            )
        self.message.setText(text)
        self.ask_button.setVisible(state is None)
        self.ask_button.setEnabled(True)
        self.check_button.setVisible(state == lifecycle.PENDING)
        self.check_button.setEnabled(True)
        self.remove_button.setVisible(state != lifecycle.APPROVED)
