"""Start-up: open the database, set up the clinic on first start, sign in, show the window.

    consult [--database URL] [--quit-when-ready]

A database that cannot be opened (unreachable server, not a database, a newer schema,
a read-only folder) is a message box and exit code 2; nothing is touched. With
--quit-when-ready the app quits as soon as the main window is shown and the event
loop is idle (for start-up timing). The start-up benchmark signs in with the
CONSULT_BENCH_USER / CONSULT_BENCH_PASSWORD of an account it created in its own
database; those variables are honoured only together with --quit-when-ready, so they
can never leave an unattended session signed in.
"""

from __future__ import annotations

import importlib
import sys
from functools import partial
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from consult.clinic.settings import ClinicSettings
from consult.errors import ConsultError
from consult.protection.passwords import password_checking_seconds
from consult.records import StoredSettings
from consult.services import accounts, opening
from consult.services.acting import SignedIn
from consult.services.opening import OpenedDatabase
from ui.shell.context import AppContext
from ui.shell.errors import install_exception_hook
from ui.shell.launch import Opened, Opening, bench_credentials, resume_garbage_collection
from ui.shell.style import apply_style
from ui.shell.wheel import install_wheel_guard
from ui.shell.workers import wait_for_background_work

if TYPE_CHECKING:  # types only: these load after the first paint (start-up time)
    from ui.shell.main_window import MainWindow

EXIT_OK = 0
EXIT_CANNOT_START = 2


def run(
    app: QApplication,
    database_url: str | None = None,
    *,
    quit_when_ready: bool = False,
    opening: Opening | None = None,
) -> int:
    """Run the app on `opening` (ui.shell.launch starts it early) or on `database_url`."""
    if opening is None:
        credentials = bench_credentials() if quit_when_ready else None
        opening = Opening.start(database_url, credentials)
    # Worker threads (search, drafts, PDFs) run Python too; a short switch interval hands
    # the GIL back to the GUI thread within a millisecond instead of five, so events keep
    # flowing while they work.
    sys.setswitchinterval(0.001)
    # Runs with the first turn of whichever event loop comes first (the login dialog's,
    # the main window's, an error box's): the first window is on screen by then.
    QTimer.singleShot(0, resume_garbage_collection)
    app.setApplicationName("Consult")
    app.setOrganizationName("Consult")
    install_exception_hook()
    apply_style(app)
    install_wheel_guard(app)
    if quit_when_ready and opening.signs_in():
        # The window is needed next: its code loads while the database finishes opening.
        importlib.import_module("ui.shell.main_window")
    try:
        opened = opening.result()
    except ConsultError as error:
        if quit_when_ready:  # unattended timing run: nobody is there to close a dialog
            print(f"error: {error}", file=sys.stderr)
        else:
            QMessageBox.critical(None, "Consult cannot start", str(error))
        return EXIT_CANNOT_START
    try:
        user = opening.sign_in_bench_user(opened.db) if opened.has_users else None
        return _run_signed_in(app, opened, quit_when_ready, user)
    finally:
        wait_for_background_work()
        opened.db.close()
        if quit_when_ready and opening.signs_in():
            # For the start-up benchmark, which leaves the deliberately slow hash out.
            checking = password_checking_seconds() * 1000
            print(f"password check: {checking:.1f} ms", flush=True)


def _run_signed_in(
    app: QApplication, opened: Opened, quit_when_ready: bool, user: SignedIn | None
) -> int:
    db, clinic = opened.db, opened.clinic
    if not opened.has_users:
        from ui.dialogs.account_dialogs import SetupDialog

        if quit_when_ready:
            return _quit_when_shown(app, SetupDialog(partial(create_first_manager, db)))
        setup = SetupDialog(partial(create_first_manager, db))
        if not setup.exec():
            return EXIT_OK
        user = setup.result_user
        clinic = opening.clinic_on_start(db)
    if user is None:
        from ui.dialogs.account_dialogs import LoginDialog

        login = LoginDialog(partial(authenticate, db), clinic.name if clinic else "")
        if quit_when_ready:
            return _quit_when_shown(app, login)
        # The window's code loads while the password is typed, not after it.
        QTimer.singleShot(0, partial(importlib.import_module, "ui.shell.main_window"))
        if not login.exec():
            return EXIT_OK
        user = login.result_user
    while True:
        window = build_main_window(user, opening.clinic_on_start(db))
        window.show()
        if quit_when_ready:
            QTimer.singleShot(0, app.quit)
        code = app.exec()
        wait_for_background_work()  # while the window that asked for the work still exists
        if not window.signed_out:
            return code
        # Signed out: the next person signs in on this workstation; nothing of the last
        # session stays on screen or in memory.
        window.deleteLater()
        from ui.dialogs.account_dialogs import LoginDialog

        clinic = opening.clinic_on_start(db)
        login = LoginDialog(partial(authenticate, db), clinic.name)
        if not login.exec():
            return EXIT_OK
        user = login.result_user


def build_main_window(user: SignedIn, clinic: StoredSettings) -> MainWindow:
    from ui.shell.main_window import MainWindow

    context = context_for(user)
    use_clinic_clock(clinic)
    return MainWindow(
        context,
        clinic_name=clinic.name,
        idle_minutes=clinic.idle_lock_minutes,
        check_password=partial(password_matches, user),
    )


def use_clinic_clock(clinic: StoredSettings) -> None:
    """Dates in the clinic's format, times in its zone (ui.widgets.dates), from its settings."""
    from ui.widgets.dates import use_clinic

    # Until the clinic gives its time zone, times are on this workstation's clock.
    use_clinic(clinic.locale, clinic.time_zone or None)


def context_for(user: SignedIn) -> AppContext:
    return AppContext(user, opening.database_label(user.database))


def create_first_manager(
    db: OpenedDatabase, clinic: ClinicSettings, username: str, full_name: str, password: str
) -> SignedIn:
    return accounts.set_up_clinic(
        db, clinic, username=username, full_name=full_name, password=password
    )


def authenticate(db: OpenedDatabase, username: str, password: str) -> SignedIn | None:
    """The signed-in user, or None for a wrong name or password; other refusals raise."""
    try:
        return accounts.sign_in(db, username, password)
    except ConsultError as error:
        if str(error) == accounts.SIGN_IN_REFUSED:
            return None
        raise


def password_matches(user: SignedIn, password: str) -> bool:
    """The lock screen: the same account's password, checked as a sign-in (and audited)."""
    return authenticate(user.database, user.username, password) is not None


def _quit_when_shown(app: QApplication, dialog: Any) -> int:
    """--quit-when-ready before anyone can sign in: ready is the first window shown."""
    dialog.show()
    QTimer.singleShot(0, app.quit)
    return app.exec() and EXIT_OK
