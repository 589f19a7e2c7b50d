"""Account management: driven through the widget, checked in the database."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from consult.access import Actor
from consult.errors import ConsultError, PermissionDenied
from consult.storage import Database, user_admin, users
from consult.storage.models import AuditEvent, User
from tests.helpers.accounts import STAFF_PASSWORD as PASSWORD
from tests.helpers.signing import signed
from ui.admin.users_view import AddAccountDialog, ResetPasswordDialog, UsersModel, UsersView

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
NEW_PASSWORD = "a new long passphrase"


@pytest.fixture
def view(qtbot, db, manager, practitioner, holder) -> UsersView:
    widget = UsersView(signed(db, manager), holder)
    with qtbot.waitSignal(widget.loaded, timeout=30_000):
        pass
    return widget


def _user(db: Database, username: str) -> User | None:
    with db.Session() as session:
        return session.scalar(select(User).where(User.username == username))


def _last_event(db: Database) -> AuditEvent:
    with db.Session() as session:
        return session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()


def _select(qtbot, view: UsersView, username: str) -> None:
    row = next(r for r in range(view.model.rowCount())
               if view.model.user_at(r).username == username)
    view.table.selectRow(row)
    assert view.selected().username == username


def _cells(view: UsersView) -> list[list[str]]:
    model = view.model
    return [[model.data(model.index(r, c)) for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def test_the_model_passes_the_model_tester(qtmodeltester, db, manager, practitioner):
    model = UsersModel()
    model.set_users(user_admin.list_accounts(db, manager))
    qtmodeltester.check(model, force_py=True)
    assert model.data(model.index(0, 0), Qt.ItemDataRole.UserRole) == manager.user_id


def test_the_accounts_are_listed(view):
    assert _cells(view) == [
        ["mara", "Mara Manager", "Manager", "Active"],
        ["pia", "Pia Practitioner", "Practitioner", "Active"],
    ]


def test_a_manager_adds_an_account_through_the_form(qtbot, db, view):
    view.add_button.click()
    dialog = view.dialog
    assert isinstance(dialog, AddAccountDialog)
    qtbot.keyClicks(dialog.username, "Rita")
    qtbot.keyClicks(dialog.full_name, "Rita Reception")
    dialog.role.setCurrentIndex(dialog.role.findData("reception"))
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClicks(dialog.password_repeat, PASSWORD)

    with qtbot.waitSignal(view.loaded, timeout=30_000):
        dialog.ok_button.click()

    row = _user(db, "rita")
    assert (row.full_name, row.role, row.active) == ("Rita Reception", "reception", True)
    assert users.authenticate(db, "rita", PASSWORD, workstation="test") is not None
    created = [e for e in _events(db) if e.action == "user.create"][-1]
    assert (created.username, json.loads(created.detail)) == (
        "mara", {"role": "reception", "user": "rita"}
    )
    assert ["rita", "Rita Reception", "Reception", "Active"] in _cells(view)
    assert view.selected().username == "rita"
    assert view.message.text() == "Rita added."


@pytest.mark.parametrize(
    ("username", "password", "repeat", "message"),
    [
        ("rita", "short", "short", "Password: must be at least 10 characters"),
        ("rita", "password12", "password12", "Password: is one of the most common passwords"),
        ("rita", " " * 10, " " * 10, "Password: must not be only spaces"),
        ("rita", PASSWORD, PASSWORD + "!", "Password again: does not match the password"),
        ("pia", PASSWORD, PASSWORD, 'Username: "pia" is already taken'),
        ("r", PASSWORD, PASSWORD, "Username: "),
    ],
)
def test_a_refused_form_names_the_field_and_stays_open(qtbot, db, view, username, password,
                                                       repeat, message):
    view.add_button.click()
    dialog = view.dialog
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClicks(dialog.full_name, "Someone")
    qtbot.keyClicks(dialog.password, password)
    qtbot.keyClicks(dialog.password_repeat, repeat)

    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.error_label.text() != "", timeout=30_000)

    assert dialog.error_label.text().startswith(message)
    assert dialog.isVisible()
    assert dialog.ok_button.isEnabled()
    with db.Session() as session:
        assert len(session.scalars(select(User)).all()) == 2


def test_deactivating_and_reactivating_an_account(qtbot, db, view):
    _select(qtbot, view, "pia")
    assert view.toggle_button.text() == "Deactivate"

    with qtbot.waitSignal(view.loaded, timeout=30_000):
        view.toggle_button.click()

    assert _user(db, "pia").active is False
    assert users.authenticate(db, "pia", PASSWORD, workstation="test") is None
    assert [e.action for e in _events(db) if e.username == "mara"][-1] == "user.deactivate"
    assert view.selected().username == "pia"
    assert view.toggle_button.text() == "Reactivate"
    assert ["pia", "Pia Practitioner", "Practitioner", "Deactivated"] in _cells(view)

    with qtbot.waitSignal(view.loaded, timeout=30_000):
        view.toggle_button.click()

    assert _user(db, "pia").active is True
    assert _last_event(db).action == "user.reactivate"


def test_a_manager_cannot_deactivate_themselves(qtbot, db, view):
    _select(qtbot, view, "mara")
    view.toggle_button.click()
    qtbot.waitUntil(lambda: view.error_label.text() != "", timeout=30_000)
    assert "your own account" in view.error_label.text()
    assert _user(db, "mara").active is True


def test_the_last_active_manager_stays_active(db, manager):
    command_line = Actor(None, "os:admin", "manager", "server")
    with pytest.raises(ConsultError, match="last active manager"):
        user_admin.set_active(db, command_line, manager.user_id, False)
    assert _user(db, "mara").active is True

    second = user_admin.add_account(db, manager, username="max", full_name="Max Manager",
                                    role="manager", password=PASSWORD, password_repeat=PASSWORD)
    user_admin.set_active(db, command_line, manager.user_id, False)
    assert _user(db, "mara").active is False
    with pytest.raises(ConsultError, match="last active manager"):
        user_admin.set_active(db, command_line, second.id, False)


def test_resetting_a_password_through_the_form(qtbot, db, view):
    _select(qtbot, view, "pia")
    view.reset_button.click()
    dialog = view.dialog
    assert isinstance(dialog, ResetPasswordDialog)
    qtbot.keyClicks(dialog.password, NEW_PASSWORD)
    qtbot.keyClicks(dialog.password_repeat, NEW_PASSWORD)

    with qtbot.waitSignal(view.loaded, timeout=30_000):
        dialog.ok_button.click()

    assert users.authenticate(db, "pia", PASSWORD, workstation="test") is None
    assert users.authenticate(db, "pia", NEW_PASSWORD, workstation="test") is not None
    reset = [e for e in _events(db) if e.action == "user.reset_password"]
    assert [(e.username, json.loads(e.detail)) for e in reset] == [("mara", {"user": "pia"})]


def test_a_practitioner_is_refused_by_the_core_and_the_view(db, practitioner, manager, qtbot):
    calls = (
        lambda: user_admin.list_accounts(db, practitioner),
        lambda: user_admin.add_account(db, practitioner, username="x1", full_name="X",
                                       role="manager", password=PASSWORD,
                                       password_repeat=PASSWORD),
        lambda: user_admin.set_active(db, practitioner, manager.user_id, False),
        lambda: user_admin.reset_password(db, practitioner, manager.user_id,
                                          password=PASSWORD, password_repeat=PASSWORD),
        lambda: UsersView(signed(db, practitioner)),
    )
    for call in calls:
        with pytest.raises(PermissionDenied, match="users: manage"):
            call()
    assert _user(db, "x1") is None
    assert _user(db, "mara").active is True


def test_an_unknown_account_is_named(db, manager):
    with pytest.raises(ConsultError, match="account 999 does not exist"):
        user_admin.set_active(db, manager, 999, False)


def _events(db: Database) -> list[AuditEvent]:
    with db.Session() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _lock(db, username: str) -> None:
    for _ in range(users.MAX_FAILED_SIGN_INS - 1):
        assert users.authenticate(db, username, "a wrong guess", workstation="seat 9") is None
    with pytest.raises(users.AccountLocked):
        users.authenticate(db, username, "a wrong guess", workstation="seat 9")


def test_a_manager_unlocks_a_locked_account_from_the_list(qtbot, db, manager, practitioner,
                                                          holder):
    _lock(db, "pia")
    view = UsersView(signed(db, manager), holder)
    with qtbot.waitSignal(view.loaded, timeout=30_000):
        pass
    locked_row = next(row for row in _cells(view) if row[0] == "pia")
    assert locked_row[3].startswith("Locked until ")
    _select(qtbot, view, "mara")
    assert not view.unlock_button.isEnabled()
    _select(qtbot, view, "pia")
    assert view.unlock_button.isEnabled()

    with qtbot.waitSignal(view.loaded, timeout=30_000):
        view.unlock_button.click()

    assert view.message.text() == "Pia unlocked."
    assert ["pia", "Pia Practitioner", "Practitioner", "Active"] in _cells(view)
    assert not view.unlock_button.isEnabled()
    assert _user(db, "pia").locked_until is None
    assert _last_event(db).action == "user.unlock"
    assert users.authenticate(db, "pia", PASSWORD, workstation="test") is not None
