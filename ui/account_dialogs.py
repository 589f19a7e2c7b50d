"""First start (set up the clinic and its first manager) and signing in.

The dialogs only collect and check what is typed; creating the account and checking
a password happen in the storage layer (argon2), passed in as plain callables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from consult.errors import ConsultError, InvalidField
from ui.forms import ErrorLabel
from ui.style import make_primary

MIN_PASSWORD = 10
WRONG_LOGIN = "The username or password is not right. Please try again."

CreateManager = Callable[[str, str, str, str], Any]  # clinic, username, full name, password
Authenticate = Callable[[str, str], Any]  # username, password -> signed-in user or None


def _text_field(parent: QWidget) -> QLineEdit:
    """A field that keeps its height when a message appears under the form (it wraps)."""
    field = QLineEdit(parent)
    field.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return field


def _password_field(parent: QWidget) -> QLineEdit:
    field = _text_field(parent)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def _heading(parent: QWidget, title: str, subtitle: str) -> tuple[QLabel, QLabel]:
    head = QLabel(title, parent)
    head.setObjectName("title")
    sub = QLabel(subtitle, parent)
    sub.setObjectName("subtitle")
    sub.setWordWrap(True)
    return head, sub


class SetupDialog(QDialog):
    """Shown once, when the database has no users: there are no default accounts."""

    LABELS: ClassVar[dict[str, str]] = {
        "clinic": "Clinic name",
        "username": "Username",
        "full_name": "Full name",
        "password": "Password",
        "repeat": "Password again",
    }

    def __init__(self, create_manager: CreateManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Set up your clinic")
        self.setMinimumWidth(460)
        self._create = create_manager
        self.result_user: Any = None
        self.clinic = _text_field(self)
        self.username = _text_field(self)
        self.full_name = _text_field(self)
        self.password = _password_field(self)
        self.repeat = _password_field(self)
        self.error = ErrorLabel(self)
        self._build()

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        for label in _heading(
            self,
            "Set up your clinic",
            "Welcome to Consult. Name your clinic and create the first manager's account. "
            f"Passwords need at least {MIN_PASSWORD} characters.",
        ):
            layout.addWidget(label)
        form = QFormLayout()
        for name in ("clinic", "username", "full_name", "password", "repeat"):
            form.addRow(self.LABELS[name], getattr(self, name))
        layout.addLayout(form)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.create_button = make_primary(
            buttons.addButton("Create clinic", QDialogButtonBox.ButtonRole.AcceptRole)
        )
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _checked(self) -> tuple[str, str, str, str]:
        clinic = self.clinic.text().strip()
        username = self.username.text().strip()
        full_name = self.full_name.text().strip()
        password = self.password.text()
        for field, value in (("clinic", clinic), ("username", username), ("full_name", full_name)):
            if not value:
                raise InvalidField(field, "is required")
        if len(password) < MIN_PASSWORD:
            raise InvalidField("password", f"must have at least {MIN_PASSWORD} characters")
        if password != self.repeat.text():
            raise InvalidField("repeat", "does not match the password")
        return clinic, username, full_name, password

    @Slot()
    def submit(self) -> None:
        try:
            values = self._checked()
            self.result_user = self._create(*values)
        except ConsultError as error:
            self.error.show_error(error, self.LABELS)
            return
        self.accept()


class LoginDialog(QDialog):
    """Username and password; a wrong try never says which of the two was wrong."""

    def __init__(
        self,
        authenticate: Authenticate,
        clinic_name: str,
        parent: QWidget | None = None,
        *,
        locked_user: str | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign in to Consult")
        self.setMinimumWidth(380)
        self._authenticate = authenticate
        self.result_user: Any = None
        self.username = _text_field(self)
        self.password = _password_field(self)
        self.error = ErrorLabel(self)
        self._build(clinic_name, locked_user)

    def _build(self, clinic_name: str, locked_user: str | None) -> None:
        layout = QVBoxLayout(self)
        subtitle = (
            "Sign in with your own account."
            if locked_user is None
            else ("The screen was locked. Sign in again to continue where you left off.")
        )
        for label in _heading(self, clinic_name or "Consult", subtitle):
            layout.addWidget(label)
        form = QFormLayout()
        form.addRow("Username", self.username)
        form.addRow("Password", self.password)
        layout.addLayout(form)
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.sign_in_button = make_primary(
            buttons.addButton("Sign in", QDialogButtonBox.ButtonRole.AcceptRole)
        )
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if locked_user:
            self.username.setText(locked_user)
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def submit(self) -> None:
        user = self._authenticate(self.username.text().strip(), self.password.text())
        self.password.clear()
        if user is None:
            self.error.show_error(WRONG_LOGIN)
            self.password.setFocus()
            return
        self.result_user = user
        self.accept()
