"""Asking for the passphrase of an encrypted clinic database, and opening it.

A clinic that encrypts its SQLite file (consult.protection.encryption) either sets
CONSULT_DB_PASSPHRASE on the workstation, or has the app ask at start:

    db = open_database_interactively(url)   # None: the user cancelled
    if db is None:
        return EXIT_OK

A wrong passphrase is asked again (with the one-line reason) up to ATTEMPTS times in
all; after that the last error is raised as the ConsultError it is, for the start-up
code to show like any other database that cannot be opened.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from consult.errors import ConsultError
from consult.services import opening
from consult.services.opening import OpenedDatabase, needs_passphrase
from ui.widgets.forms import ErrorLabel

ATTEMPTS = 3
# consult.protection.encryption says this when SQLCipher rejects the key: the one error
# worth asking again for. Any other (a read-only folder, SQLCipher missing) is not.
WRONG_PASSPHRASE = "wrong passphrase"  # noqa: S105  (words of an error message)

# (parent, database label, the reason the last attempt failed or "") -> passphrase or None
Ask = Callable[[QWidget | None, str, str], str | None]


class PassphraseDialog(QDialog):
    """A modal prompt for the database passphrase; the text is never shown."""

    def __init__(self, parent: QWidget | None, database_label: str, problem: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Consult: encrypted database")
        self.setModal(True)
        explanation = QLabel(
            f"The clinic database {database_label} is encrypted, so that nobody can read "
            "patients' records from a copied or stolen file.\n\n"
            "Enter its passphrase to open it. The clinic's manager set it; Consult cannot "
            "recover a forgotten passphrase.",
            self,
        )
        explanation.setWordWrap(True)
        self.field = QLineEdit(self)
        self.field.setObjectName("passphrase")
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        self.field.setAccessibleName("Database passphrase")
        self.error = ErrorLabel(self)
        if problem:
            self.error.show_error(problem)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Open")
        self.ok_button.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.addWidget(explanation)
        layout.addWidget(self.field)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.field.textChanged.connect(self._typed)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    @Slot(str)
    def _typed(self, text: str) -> None:
        # An empty passphrase is never right (SQLCipher refuses it): no need to try it.
        self.ok_button.setEnabled(bool(text))

    def passphrase(self) -> str:
        return self.field.text()


def ask_passphrase(parent: QWidget | None, database_label: str, problem: str = "") -> str | None:
    """The passphrase the user typed, or None if they cancelled."""
    dialog = PassphraseDialog(parent, database_label, problem)
    try:
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.passphrase()
    finally:
        dialog.deleteLater()


def open_database_interactively(
    url: str | None, ask: Ask = ask_passphrase, *, parent: QWidget | None = None
) -> OpenedDatabase | None:
    """Open the clinic database, asking for its passphrase if the file is encrypted.

    Returns None if the user cancels the prompt. A database that needs no passphrase
    (a plain file, PostgreSQL, or CONSULT_DB_PASSPHRASE set) opens at once.
    """
    if not needs_passphrase(url):
        return opening.open_clinic(url)
    label = opening.database_file_label(url)
    problem = ""
    for attempt in range(1, ATTEMPTS):
        passphrase = ask(parent, label, problem)
        if passphrase is None:
            return None
        try:
            return opening.open_clinic(url, passphrase=passphrase)
        except ConsultError as error:
            if WRONG_PASSPHRASE not in str(error):
                raise
            problem = _again(error, ATTEMPTS - attempt)
    # The last try: a wrong passphrase now ends the attempt to open the database.
    passphrase = ask(parent, label, problem)
    return None if passphrase is None else opening.open_clinic(url, passphrase=passphrase)


def _again(error: ConsultError, left: int) -> str:
    return f"{error}. {left} more {'try' if left == 1 else 'tries'}."
