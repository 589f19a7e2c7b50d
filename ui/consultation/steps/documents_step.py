"""Step 7: the signed consent and the plan, previewed, saved, printed and stored.

Building and sealing run on the thread pool; when they finish the documents are
already stored with the consultation (and the consultation is completed), so Save
and Print only ever handle a document the clinic has kept.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QWidget

from consult.errors import ConsultError
from consult.pricing import lifecycle
from consult.services import documents
from ui.consultation.draft import UNSAVED, DraftState
from ui.consultation.paperwork import Paperwork, PaperworkRequest, sign_and_store
from ui.consultation.steps.base import Services, Step
from ui.dialogs.seal_key import unlock_for_sealing
from ui.shell.errors import show_problem
from ui.shell.style import make_primary
from ui.shell.workers import Worker
from ui.widgets.pdf_output import print_pdf, save_pdf_as
from ui.widgets.pdf_view import PdfView


def quote_state(paperwork: Paperwork) -> str:
    """Where the quote signed for stands, in words."""
    quote = paperwork.quote_record
    if paperwork.quote_problem:
        return f"⚠ The quote is kept as a draft: {paperwork.quote_problem}."
    if quote.approval == lifecycle.PENDING:
        return (
            "⚠ The quote waits for a manager's approval of its discount; it is kept as a "
            "draft and can be presented once approved."
        )
    if quote.approval == lifecycle.REJECTED:
        return "⚠ A manager rejected the quote's discount; it is kept as a draft."
    return f"The quote is {quote.status}."


class DocumentsStep(Step):
    title = "Documents"
    done = Signal()
    produced = Signal(object)  # Paperwork, once stored

    def __init__(self, draft: DraftState, services: Services, parent: QWidget) -> None:
        super().__init__(draft, services, parent)
        self._worker = Worker(self)
        self.paperwork: Paperwork | None = None
        self.state = self.note("The documents appear here once both signatures are in.")
        self.tabs = QTabWidget(self)
        self.consent_view = PdfView(self.tabs)
        self.plan_view = PdfView(self.tabs)
        self.tabs.addTab(self.consent_view, "Signed consent")
        self.tabs.addTab(self.plan_view, "Treatment plan")
        self.layout_.addWidget(self.tabs, 1)
        self.saved_note = QLabel(self)
        self.saved_note.setObjectName("subtitle")
        self.saved_note.setWordWrap(True)
        self.saved_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.saved_note.setVisible(False)
        self.layout_.addWidget(self.saved_note)
        self.save_consent = QPushButton("Sa&ve consent as…", self)
        self.save_plan = QPushButton("Save pla&n as…", self)
        self.print_consent = QPushButton("&Print consent…", self)
        self.print_plan = QPushButton("Print pl&an…", self)
        self.finish = make_primary(QPushButton("&Finish", self))
        row = QHBoxLayout()
        for button in (self.save_consent, self.save_plan, self.print_consent, self.print_plan):
            row.addWidget(button)
            button.setEnabled(False)
        row.addStretch(1)
        row.addWidget(self.finish)
        self.finish.setEnabled(False)
        self.layout_.addLayout(row)
        self.save_consent.clicked.connect(self._save_consent)
        self.save_plan.clicked.connect(self._save_plan)
        self.print_consent.clicked.connect(self._print_consent)
        self.print_plan.clicked.connect(self._print_plan)
        self.finish.clicked.connect(self.done)
        # Ctrl+P prints the document whose tab is showing, once the documents are stored.
        self.print_shortcut = QShortcut(QKeySequence.StandardKey.Print, self)
        # Anywhere in the window, but only while this page is the one shown.
        self.print_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        self.print_shortcut.activated.connect(self.print_shown)

    def has_documents(self) -> bool:
        return self.paperwork is not None or self._worker.busy()

    def produce(self, request: PaperworkRequest) -> None:
        if not unlock_for_sealing(self):
            self.state.setText("Not sealed: the clinic's sealing key is locked; the draft is kept.")
            return
        context, draft = self.services.context, self.draft
        consultation_id, version = draft.consultation_id, draft.version
        if consultation_id is None or version is None:
            self._failed(ConsultError(UNSAVED))
            return

        def work() -> Paperwork:
            return sign_and_store(context.user, consultation_id, version, request)

        self.state.setText("Sealing and storing the signed documents…")
        self._worker.start(work, self._show, self._failed)

    @Slot(object)
    def _show(self, paperwork: Paperwork) -> None:
        self.paperwork = paperwork
        self.consent_view.load_bytes(paperwork.consent)
        self.plan_view.load_bytes(paperwork.plan)
        for button in (
            self.save_consent,
            self.save_plan,
            self.print_consent,
            self.print_plan,
            self.finish,
        ):
            button.setEnabled(True)
        self.state.setText(
            "Signed, sealed and stored with the consultation. Save or print copies for the "
            f"patient.\n{quote_state(paperwork)}"
        )
        self.finish.setFocus()  # from the keyboard, Enter or Space ends the consultation
        self.produced.emit(paperwork)

    @Slot(object)
    def _failed(self, error: BaseException) -> None:
        self.state.setText("The documents could not be completed; the draft is kept.")
        show_problem(self, error)

    def _file_name(self, kind: str) -> str:
        name = "-".join(self.draft.patient.name.split())
        return f"{kind}-{name}-{self.draft.consultation_date:%Y-%m-%d}.pdf"

    @Slot()
    def _save_consent(self) -> None:
        if self.paperwork is not None:
            self._save("consent", self.paperwork.consent)

    @Slot()
    def _save_plan(self) -> None:
        if self.paperwork is not None:
            self._save("plan", self.paperwork.plan)

    def _save(self, kind: str, pdf: bytes) -> None:
        """Save a copy of a stored document; the export is audited before it is written."""

        def audit_export(path: Path) -> None:
            documents.record_save(
                self.services.context.user, **self._audit_target(kind), file_name=path.name
            )

        try:
            saved = save_pdf_as(self, pdf, self._file_name(kind), before_saving=audit_export)
        except ConsultError as error:
            show_problem(self, error)
            return
        if saved is not None:
            self.saved_note.setText(f"The {kind} was saved to {saved}.")
            self.saved_note.setVisible(True)

    def _audit_target(self, kind: str) -> dict[str, Any]:
        return {
            "patient_id": self.draft.patient.id,
            "document_kind": kind,
            "consultation_id": self.draft.consultation_id,
        }

    @Slot()
    def _print_consent(self) -> None:
        if self.paperwork is not None:
            self._print("consent", self.paperwork.consent)

    @Slot()
    def _print_plan(self) -> None:
        if self.paperwork is not None:
            self._print("plan", self.paperwork.plan)

    @Slot()
    def print_shown(self) -> None:
        """The document on the tab in view (Ctrl+P)."""
        if self.tabs.currentWidget() is self.plan_view:
            self._print_plan()
        else:
            self._print_consent()

    def _print(self, kind: str, pdf: bytes) -> None:
        """Print a stored document; the print is in the audit trail before a page goes out."""
        audit_print = partial(
            documents.record_print, self.services.context.user, **self._audit_target(kind)
        )
        try:
            print_pdf(self, pdf, before_printing=audit_print)
        except ConsultError as error:
            show_problem(self, error)
