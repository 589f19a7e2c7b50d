"""A PDF (a stored signed consent or plan, a blank form) opened in its own window.

With a `Handout` the window also offers Print… and Save as…: every copy that leaves
the app passes through the handout's audit hooks first, so the audit trail shows the
print or the export even if the printer or the disk then fails. Without one the
document can only be read.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from consult.errors import ConsultError
from consult.services import documents
from ui.shell.context import AppContext
from ui.shell.errors import show_problem
from ui.widgets.pdf_output import print_pdf, save_pdf_as
from ui.widgets.pdf_view import PdfView


@dataclass(frozen=True)
class Handout:
    """How copies of the shown document may leave the app, and what is audited first."""

    file_name: str  # suggested by Save as…
    before_printing: Callable[[], object] | None = None
    before_saving: Callable[[Path], object] | None = None


def stored_document_handout(context: AppContext, record: Any, patient_name: str) -> Handout | None:
    """Print and save for a stored consent or plan, audited against its patient.

    `record` is a consult.records.ConsentInfo. None when the role may not hand
    out a patient's documents: the viewer then only shows it.
    """
    if not context.actor.may("documents.print"):
        return None
    target = {
        "patient_id": record.patient_id,
        "document_kind": record.kind,
        "consultation_id": record.consultation_id,
    }

    def audit_export(path: Path) -> None:
        documents.record_save(context.user, **target, file_name=path.name)

    kept = record.signed_at or record.created_at
    name = "-".join(patient_name.split())
    return Handout(
        file_name=f"{record.kind}-{name}-{kept.astimezone():%Y-%m-%d}.pdf",
        before_printing=partial(documents.record_print, context.user, **target),
        before_saving=audit_export,
    )


class PdfDialog(QDialog):
    def __init__(
        self,
        title: str,
        pdf: bytes,
        parent: QWidget | None = None,
        *,
        handout: Handout | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(*_fitting_size(parent, 820, 900))
        self.pdf = pdf
        self.handout = handout
        layout = QVBoxLayout(self)
        self.view = PdfView(self)
        self.view.load_bytes(pdf)
        layout.addWidget(self.view, 1)
        self.saved_note = QLabel(self)
        self.saved_note.setWordWrap(True)
        self.saved_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.saved_note.setVisible(False)
        layout.addWidget(self.saved_note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        self.print_button: QPushButton | None = None
        self.save_button: QPushButton | None = None
        if handout is not None:
            self.print_button = self._add_button(buttons, "Print…", self.print_document)
            self.save_button = self._add_button(buttons, "Save as…", self.save_document)
        layout.addWidget(buttons)

    def _add_button(
        self, buttons: QDialogButtonBox, text: str, slot: Callable[[], Any]
    ) -> QPushButton:
        button = buttons.addButton(text, QDialogButtonBox.ButtonRole.ActionRole)
        button.clicked.connect(slot)
        return button

    @Slot()
    def print_document(self) -> bool:
        """Print through Qt's print dialog; True once the pages went to the printer."""
        if self.handout is None:
            return False
        try:
            return print_pdf(self, self.pdf, before_printing=self.handout.before_printing)
        except ConsultError as error:
            show_problem(self, error)
            return False

    @Slot()
    def save_document(self) -> Path | None:
        """Save a copy where the user chooses; the written path, or None."""
        if self.handout is None:
            return None
        try:
            saved = save_pdf_as(
                self, self.pdf, self.handout.file_name, before_saving=self.handout.before_saving
            )
        except ConsultError as error:
            show_problem(self, error)
            return None
        if saved is not None:
            self.saved_note.setText(f"Saved to {saved}.")
            self.saved_note.setVisible(True)
        return saved


def _fitting_size(parent: QWidget | None, width: int, height: int) -> tuple[int, int]:
    """`width`×`height`, or less where the screen is smaller (room left for a title bar)."""
    screen = parent.screen() if parent is not None else None
    if screen is None:
        return width, height
    available = screen.availableGeometry()
    return min(width, available.width()), min(height, available.height() - 70)
