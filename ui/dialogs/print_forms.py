"""Blank consent forms for paper, printed from the app by every role allowed to.

Reception prints these for walk-in patients: the form names no patient and holds no
one's data, so `forms.print_blank` is all it takes (reception has it, and neither
medical histories nor consultations). The form is the very one `consult documents
--blank` writes: the clinic's details from its settings, a box for each treatment and
the radio-frequency paragraphs marked "if radio-frequency is chosen". It is built off
the GUI thread, shown with Print… and Save as…, and each print is in the audit trail,
with the version of the wording it carries, before a page goes out.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QWidget

from consult.services.acting import SignedIn
from ui.shell.context import AppContext
from ui.shell.errors import show_problem
from ui.shell.workers import Worker

if TYPE_CHECKING:  # the document service loads when a form is asked for (start-up time)
    from consult.services.documents import BlankForm

ACTION_TEXT = "Print blank consent form…"
PERMISSION = "forms.print_blank"


def build_blank_form(user: SignedIn) -> BlankForm:
    """Runs on the thread pool: the blank consent form with the clinic's details."""
    from consult.services import documents

    return documents.blank_consent_form(user)


class BlankFormAction(QAction):
    """The menu entry: builds the form, then opens it in the viewer (emits `opened`)."""

    opened = Signal(object)  # the PdfDialog showing the form

    def __init__(
        self, context: AppContext, window: QWidget, locked: Callable[[], bool] | None = None
    ) -> None:
        super().__init__(ACTION_TEXT, window)
        self.context = context
        self._window = window
        self._locked = locked  # True while the app is locked: then nothing is shown
        self._worker = Worker(self)
        self.setStatusTip("A consent form with no patient on it, to fill in by hand")
        self.triggered.connect(self.build)

    @Slot()
    def build(self) -> None:
        if self._worker.busy():
            return
        self.setEnabled(False)
        self._window.setCursor(Qt.CursorShape.BusyCursor)
        self._worker.start(
            partial(build_blank_form, self.context.user),
            self._show,
            self._problem,
        )

    def _show(self, form: BlankForm) -> None:
        self._done()
        if self._locked is not None and self._locked():
            return  # asked for before the lock; the user asks again after unlocking
        from consult.services import documents
        from ui.dialogs.pdf_dialog import Handout, PdfDialog

        handout = Handout(
            file_name=f"consent-form-{form.form_id}.pdf",
            before_printing=partial(
                documents.record_blank_form_print, self.context.user, form_id=form.form_id
            ),
        )
        dialog = PdfDialog(
            f"Blank consent form ({form.form_id})", form.pdf, self._window, handout=handout
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        self.opened.emit(dialog)

    def _problem(self, error: BaseException) -> None:
        self._done()
        show_problem(self._window, error)

    def _done(self) -> None:
        self.setEnabled(True)
        self._window.unsetCursor()


def blank_form_action(
    context: AppContext, window: QWidget, locked: Callable[[], bool] | None = None
) -> BlankFormAction | None:
    """The action for the menu, or None when the role may not print blank forms."""
    if not context.actor.may(PERMISSION):
        return None
    return BlankFormAction(context, window, locked)
