"""The clinic's accounts, for a manager: list, add, deactivate or reactivate, reset a password,
and unlock an account locked after too many wrong passwords (before its lock runs out).

The screen only collects what is typed and shows answers; the rules (who may, the
password's length, never yourself, never the last manager) and the audit events are
in consult.services.accounts. Every call runs off the GUI thread (argon2 hashing is
deliberately slow), and a refusal is shown in words under the table or the form.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from consult.access import ROLES, role_label
from consult.errors import ConsultError
from consult.records import UserRecord
from consult.services import accounts
from consult.services.accounts import MIN_PASSWORD
from consult.services.acting import SignedIn, check_allowed, permission_for
from ui.shell.errors import show_problem
from ui.shell.workers import Worker
from ui.widgets.forms import ErrorLabel
from ui.widgets.paged_model import TextTableModel

HEADERS = ("Username", "Full name", "Role", "Status")
FIELD_LABELS = {
    "username": "Username",
    "full_name": "Full name",
    "role": "Role",
    "password": "Password",
    "password_repeat": "Password again",
}


def display_cells(user: UserRecord, now: datetime | None = None) -> tuple[str, str, str, str]:
    return (user.username, user.full_name, role_label(user.role), status_text(user, now))


def status_text(user: UserRecord, now: datetime | None = None) -> str:
    if not user.active:
        return "Deactivated"
    if user.locked_until is not None and user.locked_at(now or datetime.now(UTC)):
        return f"Locked until {user.locked_until.astimezone():%H:%M} (wrong passwords)"
    return "Active"


def is_locked(user: UserRecord | None) -> bool:
    return user is not None and user.locked_at(datetime.now(UTC))


class UsersModel(TextTableModel):
    """The accounts as precomputed text; the row's account id under UserRole."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(HEADERS, parent)

    def set_users(self, users: list[UserRecord]) -> None:
        self.set_rows(users)

    def user_at(self, row: int) -> UserRecord:
        user: UserRecord = self.row_at(row)  # the rows are the UserRecords set above
        return user

    def row_of(self, user_id: int) -> int | None:
        for row, user in enumerate(self.rows_held()):
            if user.id == user_id:
                return row
        return None

    def row_cells(self, user: UserRecord) -> tuple[str, ...]:
        return display_cells(user)


class UsersView(QWidget):
    """Account management for a manager (the core refuses anyone without users.manage)."""

    loaded = Signal(int)  # accounts listed
    changed = Signal(str)  # what was done, in words

    def __init__(self, user: SignedIn, parent: QWidget | None = None) -> None:
        # Refused (and audited) before any widget exists for a role without users.manage.
        check_allowed(user, "accounts.list", permission_for("accounts.list"))
        super().__init__(parent)
        self._user = user
        self._worker = Worker(self)
        self.model = UsersModel(self)
        self.table = _table(self.model)
        self.add_button = QPushButton("Add account…", self)
        self.toggle_button = QPushButton("Deactivate", self)
        self.reset_button = QPushButton("Reset password…", self)
        self.unlock_button = QPushButton("Unlock", self)
        self.message = QLabel(self)
        self.message.setObjectName("subtitle")
        self.error_label = ErrorLabel(self)
        self.dialog: QDialog | None = None  # the form open on top, if any
        self._lay_out()
        self.add_button.clicked.connect(self.open_add_dialog)
        self.toggle_button.clicked.connect(self.toggle_selected)
        self.reset_button.clicked.connect(self.open_reset_dialog)
        self.unlock_button.clicked.connect(self.unlock_selected)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self._selection_changed()
        self.reload()

    def _lay_out(self) -> None:
        buttons = QHBoxLayout()
        for button in (self.add_button, self.toggle_button, self.reset_button,
                       self.unlock_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.error_label)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)

    # --- reading -----------------------------------------------------------------------

    def reload(self, select_id: int | None = None) -> None:
        self._worker.start(
            partial(_accounts, self._user, select_id),
            self._show,
            self._failed,
        )

    @Slot(object)
    def _show(self, answer: tuple[list[UserRecord], int | None]) -> None:
        users, select_id = answer
        self.model.set_users(users)
        row = self.model.row_of(select_id) if select_id is not None else None
        if row is not None:
            self.table.selectRow(row)
        self._selection_changed()
        self.loaded.emit(len(users))

    def selected(self) -> UserRecord | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.user_at(rows[0].row()) if rows else None

    def _selection_changed(self, *_args: object) -> None:
        user = self.selected()
        self.toggle_button.setEnabled(user is not None)
        self.reset_button.setEnabled(user is not None)
        self.unlock_button.setEnabled(is_locked(user))
        self.toggle_button.setText("Reactivate" if user and not user.active else "Deactivate")

    # --- actions -------------------------------------------------------------------------

    def toggle_selected(self) -> None:
        user = self.selected()
        if user is None:
            return
        self.error_label.clear_error()
        self._worker.start(
            partial(accounts.set_active, self._user, user.id, not user.active),
            self._toggled,
            self._failed,
        )

    def _toggled(self, user: UserRecord) -> None:
        verb = "reactivated" if user.active else "deactivated"
        self._done(f"{user.username} {verb}", user.id)

    def unlock_selected(self) -> None:
        user = self.selected()
        if user is None:
            return
        self.error_label.clear_error()
        self._worker.start(
            partial(accounts.unlock, self._user, user.id),
            self._unlocked,
            self._failed,
        )

    def _unlocked(self, user: UserRecord) -> None:
        self._done(f"{user.username} unlocked", user.id)

    def open_add_dialog(self) -> None:
        self.error_label.clear_error()
        dialog = AddAccountDialog(partial(accounts.add_account, self._user), self)
        dialog.saved.connect(self._added)
        self._open(dialog)

    @Slot(object)
    def _added(self, user: UserRecord) -> None:
        self._done(f"{user.username} added", user.id)

    def open_reset_dialog(self) -> None:
        user = self.selected()
        if user is None:
            return
        self.error_label.clear_error()
        reset = partial(accounts.reset_password, self._user, user.id)
        dialog = ResetPasswordDialog(user, reset, self)
        dialog.saved.connect(self._password_reset)
        self._open(dialog)

    @Slot(object)
    def _password_reset(self, user: UserRecord) -> None:
        self._done(f"password of {user.username} reset", user.id)

    def _open(self, dialog: QDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(self._closed)
        dialog.open()

    @Slot(int)
    def _closed(self, _result: int) -> None:
        dialog = self.sender()  # the form that just closed (it may no longer be the open one)
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def _done(self, message: str, user_id: int) -> None:
        self.message.setText(message[:1].upper() + message[1:] + ".")
        self.changed.emit(message)
        self.reload(select_id=user_id)

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, ConsultError):
            self.error_label.show_error(error, FIELD_LABELS)
        else:
            show_problem(self, error)


def _accounts(user: SignedIn, select_id: int | None) -> tuple[list[UserRecord], int | None]:
    """Runs on the pool: the accounts, with the one to select once they are shown."""
    return list(accounts.list_accounts(user)), select_id


def _table(model: UsersModel) -> QTableView:
    table = QTableView()
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


# --------------------------------------------------------------------------- forms


class _AccountForm(QDialog):
    """A form ending in a new password, typed twice; OK runs `call(**values())` off the
    GUI thread, and a refusal stays in the form, naming the field."""

    saved = Signal(object)  # the UserRecord the core returned

    def __init__(self, title: str, call: Callable[..., UserRecord], parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        self._call = call
        self._worker = Worker(self)
        self.form = QFormLayout()
        self.password = self._password_field()
        self.password_repeat = self._password_field()
        self.error_label = ErrorLabel(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)

    def _password_field(self) -> QLineEdit:
        field = QLineEdit(self)
        field.setEchoMode(QLineEdit.EchoMode.Password)
        field.setPlaceholderText(f"at least {MIN_PASSWORD} characters")
        return field

    def _add_password_rows(self) -> None:
        self.form.addRow(FIELD_LABELS["password"], self.password)
        self.form.addRow(FIELD_LABELS["password_repeat"], self.password_repeat)

    def values(self) -> dict[str, Any]:
        return {"password": self.password.text(), "password_repeat": self.password_repeat.text()}

    def submit(self) -> None:
        self.error_label.clear_error()
        self.buttons.setEnabled(False)
        self._worker.start(partial(self._call, **self.values()), self._succeeded, self._refused)

    def reject(self) -> None:
        # Closing while the core works would delete the object its answer goes to; the
        # call is short (one hash, one transaction), so the form waits for it.
        if not self._worker.busy():
            super().reject()

    def _succeeded(self, user: UserRecord) -> None:
        self.saved.emit(user)
        self.accept()

    def _refused(self, error: BaseException) -> None:
        self.buttons.setEnabled(True)
        if isinstance(error, ConsultError):
            self.error_label.show_error(error, FIELD_LABELS)
        else:
            show_problem(self, error)


class AddAccountDialog(_AccountForm):
    def __init__(self, add: Callable[..., UserRecord], parent: QWidget) -> None:
        super().__init__("Add an account", add, parent)
        self.username = QLineEdit(self)
        self.full_name = QLineEdit(self)
        self.role = QComboBox(self)
        for role in ROLES:
            self.role.addItem(role_label(role), role)
        self.form.addRow(FIELD_LABELS["username"], self.username)
        self.form.addRow(FIELD_LABELS["full_name"], self.full_name)
        self.form.addRow(FIELD_LABELS["role"], self.role)
        self._add_password_rows()

    def values(self) -> dict[str, Any]:
        return {
            "username": self.username.text(),
            "full_name": self.full_name.text(),
            "role": self.role.currentData(),
            **super().values(),
        }


class ResetPasswordDialog(_AccountForm):
    def __init__(self, user: UserRecord, reset: Callable[..., UserRecord],
                 parent: QWidget) -> None:
        super().__init__(f"New password for {user.username}", reset, parent)
        self.form.addRow(QLabel(f"{user.full_name} ({user.username})", self))
        self._add_password_rows()
