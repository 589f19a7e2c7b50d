"""First start (set up the clinic and its first manager) and signing in.

The dialogs only collect and check what is typed; creating the account and checking
a password happen in the core's services (argon2), passed in as plain callables.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any, ClassVar
from zoneinfo import available_timezones

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from consult.clinic.settings import CURRENCIES, ClinicSettings, default_settings
from consult.errors import ConsultError, InvalidField
from consult.pricing.format import LOCALES
from ui.shell.errors import show_problem
from ui.shell.workers import Worker
from ui.widgets.forms import ErrorLabel, dialog_footer

MIN_PASSWORD = 10
WRONG_LOGIN = "The username or password is not right. Please try again."

# clinic, username, full name, password
CreateManager = Callable[[ClinicSettings, str, str, str], Any]
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
    """Shown once, when the database has no users: there are no default accounts.

    The clinic is set up here for real (name, address, phone, currency, time zone and
    locale): every document and seal carries these details, and nothing is sealed
    until they are given. A manager can change them later in Clinic settings.
    """

    LABELS: ClassVar[dict[str, str]] = {
        "clinic": "Clinic name",
        "name": "Clinic name",
        "address": "Address",
        "phone": "Phone",
        "email": "E-mail (optional)",
        "currency": "Currency",
        "time_zone": "Time zone",
        "locale": "Dates and money",
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
        self.address = _text_field(self)
        self.phone = _text_field(self)
        self.email = _text_field(self)
        self.currency = _choice_box(self, sorted(CURRENCIES), "USD")
        self.time_zone = _choice_box(self, sorted(available_timezones()), _local_zone_name())
        self.locale = _choice_box(self, list(LOCALES), "en_US")
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
            f"Passwords need at least {MIN_PASSWORD} characters; a few unrelated words "
            "make a good one, and the most common passwords are refused.",
        ):
            layout.addWidget(label)
        form = QFormLayout()
        for name in ("clinic", "address", "phone", "email", "currency", "time_zone", "locale"):
            form.addRow(self.LABELS[name], getattr(self, name))
        for name in ("username", "full_name", "password", "repeat"):
            form.addRow(self.LABELS[name], getattr(self, name))
        layout.addLayout(form)
        layout.addWidget(self.error)
        self.create_button = dialog_footer(self, layout, "Create clinic", self.submit)

    def clinic_details(self) -> ClinicSettings:
        """The clinic as typed; an InvalidField names the first thing to correct."""
        typed = {
            "name": self.clinic.text().strip(),
            "address": " ".join(self.address.text().split()),
            "phone": self.phone.text().strip(),
        }
        for field, value in typed.items():
            if not value:
                raise InvalidField("clinic" if field == "name" else field, "is required")
        return replace(
            default_settings(),
            **typed,
            email=self.email.text().strip(),
            currency=self.currency.currentText(),
            time_zone=self.time_zone.currentText(),
            locale=self.locale.currentText(),
        )

    def _checked(self) -> tuple[ClinicSettings, str, str, str]:
        clinic = self.clinic_details()
        username = self.username.text().strip()
        full_name = self.full_name.text().strip()
        password = self.password.text()
        for field, value in (("username", username), ("full_name", full_name)):
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


def _choice_box(parent: QWidget, choices: list[str], chosen: str) -> QComboBox:
    box = QComboBox(parent)
    box.addItems(choices)
    if chosen in choices:
        box.setCurrentText(chosen)
    return box


def _local_zone_name() -> str:
    """This computer's IANA zone name, the likely answer for the clinic (UTC if unknown)."""
    local = datetime.now().astimezone().tzinfo
    key = getattr(local, "key", None)
    if key:
        return str(key)
    try:
        link = Path("/etc/localtime").resolve()
    except OSError:
        return "UTC"
    parts = link.parts
    if "zoneinfo" in parts:
        return "/".join(parts[parts.index("zoneinfo") + 1 :])
    return "UTC"


class LoginDialog(QDialog):
    """Username and password; a wrong try never says which of the two was wrong."""

    checked = Signal()  # each attempt's answer is in (refused or accepted)

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
        self._worker = Worker(self)
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
        self.sign_in_button = dialog_footer(self, layout, "Sign in", self.submit)
        if locked_user:
            self.username.setText(locked_user)
            self.password.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def submit(self) -> None:
        """Check the password on the thread pool: Argon2 is slow on purpose, the window not."""
        if self._worker.busy():
            return
        username, password = self.username.text().strip(), self.password.text()
        self.password.clear()
        self.sign_in_button.setEnabled(False)
        self._worker.start(
            partial(self._authenticate, username, password), self._answered, self._refused
        )

    @Slot(object)
    def _answered(self, user: Any) -> None:
        self.sign_in_button.setEnabled(True)
        if user is None:
            self.error.show_error(WRONG_LOGIN)
            self.password.setFocus()
            self.checked.emit()
            return
        self.result_user = user
        self.checked.emit()
        self.accept()

    @Slot(object)
    def _refused(self, error: BaseException) -> None:
        self.sign_in_button.setEnabled(True)
        if isinstance(error, ConsultError):  # a locked account: the one line saying how long
            self.error.show_error(error)
        else:
            show_problem(self, error)
        self.checked.emit()
