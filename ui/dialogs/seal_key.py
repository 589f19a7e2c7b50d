"""The clinic's sealing key in the app: unlock it, set its passphrase, export, rotate.

The key itself lives in consult.documents.certificate (encrypted at rest). Where the
computer has no keyring, the manager sets a passphrase here, and the app asks for it
once per start, the first time a document is sealed (`unlock_for_sealing`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Slot
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from consult.access import Actor
from consult.errors import ConsultError
from ui.widgets.forms import ErrorLabel

LABELS = {"passphrase": "Passphrase", "format": "Certificate file"}

# (parent, the reason the last attempt failed or "") -> the passphrase, or None: cancelled
AskPassphrase = Callable[[QWidget | None, str], str | None]


def ask_passphrase(parent: QWidget | None, problem: str) -> str | None:
    text, accepted = QInputDialog.getText(
        parent,
        "Consult: sealing key",
        (problem + "\n\n" if problem else "")
        + "Signed documents are sealed with the clinic's key, which is protected by a "
        "passphrase the manager set. Enter it to seal (asked once per start).",
        QLineEdit.EchoMode.Password,
    )
    return text if accepted else None


def unlock_for_sealing(parent: QWidget | None, ask: AskPassphrase = ask_passphrase) -> bool:
    """Make sure the sealing key can be used, asking for its passphrase if needed.

    False when the user cancels; a wrong passphrase is asked again with the reason.
    """
    from consult.documents import certificate

    problem = ""
    while certificate.is_locked():
        entered = ask(parent, problem)
        if entered is None:
            return False
        try:
            certificate.unlock(entered)
        except ConsultError as error:
            problem = str(error)
    return True


class SealKeyPanel(QGroupBox):
    """The settings dialog's "Sealing key" box (managers only)."""

    def __init__(self, actor: Actor, clinic_name: Callable[[], str], parent: QWidget) -> None:
        super().__init__("Sealing key", parent)
        self.actor = actor
        self.clinic_name = clinic_name
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.passphrase = QLineEdit(self)
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("Passphrase (at least 10 characters)")
        self.unlock_button = QPushButton("Unlock", self)
        self.set_button = QPushButton("Set as new passphrase", self)
        self.export_button = QPushButton("Export certificate…", self)
        self.rotate_button = QPushButton("Replace key…", self)
        self.error = ErrorLabel(self)
        fields = QHBoxLayout()
        fields.addWidget(self.passphrase, 1)
        fields.addWidget(self.unlock_button)
        fields.addWidget(self.set_button)
        actions = QHBoxLayout()
        actions.addWidget(self.export_button)
        actions.addWidget(self.rotate_button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(fields)
        layout.addLayout(actions)
        layout.addWidget(self.error)
        self.unlock_button.clicked.connect(self._unlock)
        self.set_button.clicked.connect(self._set)
        self.export_button.clicked.connect(self._export)
        self.rotate_button.clicked.connect(self._rotate)
        self.refresh()

    def refresh(self) -> None:
        from consult.documents import certificate

        if certificate.is_locked():
            text = "Locked: enter the passphrase to seal documents on this computer."
        elif not certificate.trusted_certificates():
            text = "No key yet: it is made when the first document is sealed."
        else:
            text = "Ready: documents are sealed with the clinic's key on this computer."
        self.status.setText(text)

    def _run(self, action: Callable[..., object], *args: object) -> bool:
        try:
            action(*args)
        except ConsultError as error:
            self.error.show_error(error, LABELS)
            return False
        self.error.clear_error()
        self.passphrase.clear()
        self.refresh()
        return True

    @Slot()
    def _unlock(self) -> None:
        self.unlock_with(self.passphrase.text())

    def unlock_with(self, text: str) -> bool:
        from consult.documents import certificate

        return self._run(certificate.unlock, text)

    @Slot()
    def _set(self) -> None:
        self.set_passphrase_to(self.passphrase.text())

    def set_passphrase_to(self, text: str) -> bool:
        from consult.documents import certificate

        return self._run(certificate.set_passphrase, self.actor, text)

    @Slot()
    def _export(self) -> None:
        chosen, _filter = QFileDialog.getSaveFileName(
            self,
            "Export the clinic's certificate",
            "clinic-certificate.pem",
            "PEM certificate (*.pem);;DER certificate (*.cer *.der)",
        )
        if chosen:
            self.export_to(Path(chosen))

    def export_to(self, path: Path) -> bool:
        from consult.documents import certificate

        encoding = "der" if path.suffix.lower() in (".cer", ".der") else "pem"
        return self._run(certificate.export_certificate, self.actor, path, encoding)

    @Slot()
    def _rotate(self) -> None:
        answer = QMessageBox.question(
            self,
            "Replace the sealing key",
            "Documents will be sealed with a new key from now on. Documents sealed "
            "before keep verifying. Replace the key?",
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.rotate()

    def rotate(self) -> bool:
        from consult.documents import certificate

        return self._run(certificate.rotate_key, self.actor, self.clinic_name())
