"""First start sets up the clinic and its first manager; signing in checks the password."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt

from consult.clinic.setup import is_set_up
from consult.storage import settings, users
from tests.helpers.accounts import MANAGER_PASSWORD
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS
from ui.dialogs.account_dialogs import WRONG_LOGIN, LoginDialog, SetupDialog
from ui.shell.app import authenticate, create_first_manager

pytestmark = OFFSCREEN_SIZE_HINTS


def _fill_setup(qtbot, dialog: SetupDialog, password: str, repeat: str) -> None:
    qtbot.keyClicks(dialog.clinic, "Harbour Skin Clinic")
    qtbot.keyClicks(dialog.address, "4 Quay Street, Portsmouth")
    qtbot.keyClicks(dialog.phone, "+44 23 9200 0000")
    dialog.time_zone.setCurrentText("Europe/London")
    dialog.currency.setCurrentText("GBP")
    dialog.locale.setCurrentText("en_GB")
    qtbot.keyClicks(dialog.username, "mara")
    qtbot.keyClicks(dialog.full_name, "Mara Quinn")
    qtbot.keyClicks(dialog.password, password)
    qtbot.keyClicks(dialog.repeat, repeat)


def test_first_start_creates_one_manager_and_no_other_account(qtbot, db):
    assert users.count_users(db) == 0
    dialog = SetupDialog(partial(create_first_manager, db))
    qtbot.addWidget(dialog)
    _fill_setup(qtbot, dialog, "twelve chars ok", "twelve chars ok")
    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert users.count_users(db) == 1
    manager = dialog.result_user
    assert (manager.username, manager.full_name, manager.role) == ("mara", "Mara Quinn", "manager")
    stored = settings.get_settings(db)
    assert (stored.name, stored.address, stored.phone) == (
        "Harbour Skin Clinic",
        "4 Quay Street, Portsmouth",
        "+44 23 9200 0000",
    )
    assert (stored.time_zone, stored.currency, stored.locale) == ("Europe/London", "GBP", "en_GB")
    assert is_set_up(stored.pricing)
    assert [user.username for user in users.list_users(db, manager.actor)] == ["mara"]


def test_setup_requires_the_clinic_details_a_patient_needs(qtbot, db):
    dialog = SetupDialog(partial(create_first_manager, db))
    qtbot.addWidget(dialog)
    _fill_setup(qtbot, dialog, "twelve chars ok", "twelve chars ok")
    dialog.address.clear()
    dialog.submit()
    assert dialog.error.text() == "Address: is required"
    dialog.address.setText("4 Quay Street")
    dialog.phone.clear()
    dialog.submit()
    assert dialog.error.text() == "Phone: is required"
    assert users.count_users(db) == 0


def test_setup_refuses_a_short_or_mistyped_password_naming_the_field(qtbot, db):
    dialog = SetupDialog(partial(create_first_manager, db))
    qtbot.addWidget(dialog)
    _fill_setup(qtbot, dialog, "short", "short")
    dialog.submit()
    assert dialog.error.text() == "Password: must have at least 10 characters"
    dialog.password.setText("twelve chars ok")
    dialog.repeat.setText("twelve chars no")
    dialog.submit()
    assert dialog.error.text() == "Password again: does not match the password"
    assert users.count_users(db) == 0


def test_setup_names_a_bad_username(qtbot, db):
    dialog = SetupDialog(partial(create_first_manager, db))
    qtbot.addWidget(dialog)
    _fill_setup(qtbot, dialog, "twelve chars ok", "twelve chars ok")
    dialog.username.setText("mara quinn!")
    dialog.submit()
    assert dialog.error.text().startswith("Username: ")
    assert users.count_users(db) == 0


def test_login_wrong_password_does_not_say_which_part_was_wrong(qtbot, db, manager):
    dialog = LoginDialog(partial(authenticate, db), "Harbour Skin Clinic")
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.username, "mara")
    qtbot.keyClicks(dialog.password, "not the password")
    with qtbot.waitSignal(dialog.checked, timeout=30_000):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.result_user is None
    assert dialog.error.text() == WRONG_LOGIN
    assert dialog.password.text() == ""
    dialog.username.setText("nobody")
    dialog.password.setText(MANAGER_PASSWORD)
    _attempt(qtbot, dialog)
    assert dialog.error.text() == WRONG_LOGIN


def test_login_right_password_signs_in_as_that_user(qtbot, db, manager):
    dialog = LoginDialog(partial(authenticate, db), "Harbour Skin Clinic")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.username, "Mara")
    qtbot.keyClicks(dialog.password, MANAGER_PASSWORD)
    with qtbot.waitSignal(dialog.checked, timeout=30_000):
        qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.result_user.actor.user_id == manager.id
    assert dialog.result_user.role == "manager"


def test_setup_refuses_a_common_password_naming_the_field(qtbot, db):
    dialog = SetupDialog(partial(create_first_manager, db))
    qtbot.addWidget(dialog)
    _fill_setup(qtbot, dialog, "Password12!", "Password12!")
    dialog.submit()
    assert dialog.error.text().startswith("Password: is one of the most common passwords")
    assert users.count_users(db) == 0


def test_login_says_in_one_line_that_the_account_is_locked(qtbot, db, manager):
    dialog = LoginDialog(partial(authenticate, db), "Harbour Skin Clinic")
    qtbot.addWidget(dialog)
    dialog.username.setText("mara")
    for _ in range(users.MAX_FAILED_SIGN_INS - 1):
        dialog.password.setText("not the password")
        _attempt(qtbot, dialog)
        assert dialog.error.text() == WRONG_LOGIN
    locked = (
        "account mara is locked after 5 wrong passwords in a row: "
        "try again in 5 minutes, or ask a manager to unlock it"
    )
    dialog.password.setText("not the password")
    _attempt(qtbot, dialog)
    assert dialog.error.text() == locked
    dialog.password.setText(MANAGER_PASSWORD)
    _attempt(qtbot, dialog)
    assert dialog.error.text() == locked
    assert dialog.result_user is None
    assert dialog.password.text() == ""
def test_a_wrong_password_keeps_the_fields_their_size_and_the_message_wraps(qtbot, db, manager):
    dialog = LoginDialog(partial(authenticate, db), "Harbour Skin Clinic")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    heights = (dialog.username.height(), dialog.password.height())
    width = dialog.width()
    qtbot.keyClicks(dialog.username, "mara")
    qtbot.keyClicks(dialog.password, "not the password")
    with qtbot.waitSignal(dialog.checked, timeout=30_000):
        qtbot.mouseClick(dialog.sign_in_button, Qt.MouseButton.LeftButton)
    assert dialog.error.text() == WRONG_LOGIN
    assert dialog.error.wordWrap()
    assert (dialog.username.height(), dialog.password.height()) == heights
    assert dialog.width() == width  # the message wraps instead of widening the dialog
    assert dialog.error.height() >= dialog.error.heightForWidth(dialog.error.width())


def _attempt(qtbot, dialog: LoginDialog) -> None:
    """One sign-in attempt, answered: the password is checked on the thread pool."""
    with qtbot.waitSignal(dialog.checked, timeout=30_000):
        dialog.submit()


def test_the_password_is_checked_off_the_gui_thread(qtbot, db, manager):
    import threading

    threads: list[threading.Thread] = []

    def noting(username: str, password: str):
        threads.append(threading.current_thread())
        return authenticate(db, username, password)

    dialog = LoginDialog(noting, "Harbour Skin Clinic")
    qtbot.addWidget(dialog)
    dialog.username.setText("mara")
    dialog.password.setText(MANAGER_PASSWORD)
    _attempt(qtbot, dialog)
    assert dialog.result_user is not None
    assert threads and threads[0] is not threading.main_thread()
