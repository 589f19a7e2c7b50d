"""Small helpers shared by the forms: field errors shown next to the form, in words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QBoxLayout,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QWidget,
)

from consult.errors import ConsultError, InvalidField
from ui.shell.style import make_primary
from ui.widgets.dates import date_format

T = TypeVar("T")


class ErrorLabel(QLabel):
    """A line under a form that names the field at fault; empty when all is well."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("fieldError")
        self.setWordWrap(True)
        self.setVisible(False)

    def show_error(self, error: ConsultError | str, labels: dict[str, str] | None = None) -> None:
        self.setText(describe(error, labels or {}))
        self.setVisible(True)
        self._make_room()

    def _make_room(self) -> None:
        """Grow a dialog by the wrapped message's height instead of squeezing its fields.

        A dialog's minimum height leaves out a word-wrapped label's height for its width,
        so without this the fields above would be pressed flat to make room for it.
        """
        window = self.window()
        layout = window.layout()
        if not isinstance(window, QDialog) or layout is None or not layout.hasHeightForWidth():
            return
        layout.activate()
        needed = layout.totalHeightForWidth(window.width())
        if needed > window.height():
            window.resize(window.width(), needed)

    def clear_error(self) -> None:
        self.setText("")
        self.setVisible(False)


def describe(error: ConsultError | str, labels: dict[str, str]) -> str:
    """The error in the form's own words: field ids become the labels the user sees."""
    if isinstance(error, InvalidField) and error.field:
        label = labels.get(error.field.rsplit(".", 1)[-1], labels.get(error.field, error.field))
        return f"{label}: {error.problem}"
    return str(error)


def form_value(build: Callable[[], T], error_label: ErrorLabel,
               labels: dict[str, str] | None = None) -> T | None:
    """What `build()` reads from the form; None after showing its refusal under the form."""
    try:
        value = build()
    except ConsultError as error:
        error_label.show_error(error, labels)
        return None
    error_label.clear_error()
    return value


def date_edit(initial: QDate) -> QDateEdit:
    """A filter's date field: a calendar pop-up, in the clinic's date format."""
    edit = QDateEdit(initial)
    edit.setCalendarPopup(True)
    edit.setDisplayFormat(date_format())
    return edit


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def dialog_footer(
    dialog: QDialog, layout: QBoxLayout, action: str, on_accept: Callable[[], None]
) -> QPushButton:
    """Cancel and the dialog's one main action (Enter presses it), added under `layout`."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, dialog)
    primary = make_primary(buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole))
    buttons.accepted.connect(on_accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    return primary
