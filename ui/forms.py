"""Small helpers shared by the forms: field errors shown next to the form, in words."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from consult.errors import ConsultError, InvalidField


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

    def clear_error(self) -> None:
        self.setText("")
        self.setVisible(False)


def describe(error: ConsultError | str, labels: dict[str, str]) -> str:
    """The error in the form's own words: field ids become the labels the user sees."""
    if isinstance(error, InvalidField) and error.field:
        label = labels.get(error.field.rsplit(".", 1)[-1], labels.get(error.field, error.field))
        return f"{label}: {error.problem}"
    return str(error)
