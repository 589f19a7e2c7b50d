"""The one door from the command line into the desktop app.

`consult` with no subcommand ends up here (through ui.shell.main). This module stays
importable without Qt:
it checks for a display first (so a headless server gets one clear line, not a Qt
abort), and only then imports PySide6 and the `ui` package.

Start-up order, for speed: the database is opened on a thread first (SQLAlchemy and
the storage layer), and only then are Qt and the app's screens loaded, on this
thread, while the opening thread waits on the disk. The two kinds of work overlap
instead of queueing for the interpreter one after the other.
The cyclic garbage collector is off until the first window is up (see
`pause_garbage_collection`).

The start-up benchmark signs in with CONSULT_BENCH_USER / CONSULT_BENCH_PASSWORD, an
account it created in its own database; those variables are honoured only with
--quit-when-ready, so they can never leave an unattended session signed in, and the
password is checked like any other.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from consult.records import StoredSettings
    from consult.services.acting import SignedIn
    from consult.services.opening import OpenedDatabase

NO_DISPLAY = (
    "error: no display available: Consult is a desktop app; run it in a graphical session "
    "(or set QT_QPA_PLATFORM=offscreen for testing)"
)
EXIT_NO_DISPLAY = 2
BENCH_USER = "CONSULT_BENCH_USER"
BENCH_PASSWORD = "CONSULT_BENCH_PASSWORD"  # noqa: S105  (the variable's name, not a password)


def display_available(environ: os._Environ[str] | dict[str, str] | None = None) -> bool:
    """False only where Qt would certainly fail: Linux/BSD with no display server named."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return True
    return any(env.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


# Libraries Qt's X11 platform plugin loads; a minimal Debian lacks them, and Qt then
# aborts with a message about "xcb" that names no package. Debian package per library.
X11_LIBRARIES = {
    "xcb-cursor": "libxcb-cursor0",
    "xkbcommon-x11": "libxkbcommon-x11-0",
    "xcb-icccm": "libxcb-icccm4",
    "xcb-keysyms": "libxcb-keysyms1",
    "xcb-render-util": "libxcb-render-util0",
    "xcb-image": "libxcb-image0",
    "xcb-shape": "libxcb-shape0",
}


def missing_x11_packages(
    environ: os._Environ[str] | dict[str, str] | None = None,
    find_library: Callable[[str], str | None] | None = None,
) -> list[str]:
    """Debian packages Qt needs for an X11 window that this machine lacks."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux") or not env.get("DISPLAY"):
        return []
    if env.get("QT_QPA_PLATFORM", "xcb").split(":")[0] != "xcb" or env.get("WAYLAND_DISPLAY"):
        return []
    if find_library is None:
        from ctypes.util import find_library as system_lookup

        find_library = system_lookup
    return [package for name, package in X11_LIBRARIES.items() if find_library(name) is None]


def run_app(args: argparse.Namespace) -> int:
    if not display_available():
        print(NO_DISPLAY, file=sys.stderr)
        return EXIT_NO_DISPLAY
    missing = missing_x11_packages()
    if missing:
        print(
            "error: Qt needs these X11 libraries to open a window: "
            f"sudo apt-get install {' '.join(missing)}",
            file=sys.stderr,
        )
        return EXIT_NO_DISPLAY
    from consult.app.cli import database_url

    pause_garbage_collection()
    quit_when_ready = bool(getattr(args, "quit_when_ready", False))
    url = database_url(args)
    credentials = bench_credentials() if quit_when_ready else None
    # Nobody is there to type a passphrase in an unattended --quit-when-ready run: the
    # normal path then reports the file in one line.
    if not quit_when_ready and encrypted_without_passphrase(url):
        return _run_encrypted(url, credentials, quit_when_ready)
    opening = Opening.start(url, credentials)
    opening.wait_until_database_work_done()
    from PySide6.QtWidgets import QApplication

    from ui.shell.app import run

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    return run(app, opening=opening, quit_when_ready=quit_when_ready)


def pause_garbage_collection() -> None:
    """No cyclic garbage collection until the first window is up (see the resume below).

    Start-up makes hundreds of thousands of objects that all live on: modules, the ORM's
    mappers, Qt's wrappers and enums. Each time enough of them are made, the collector
    walks every one made so far, looking for garbage that is not there: about 100 ms of
    a start, a tenth of it.
    """
    gc.disable()
    _managed.append(True)


# Whether this process's start paused the collector (the app as started by a user; not
# the tests, which build windows in a process of their own making).
_managed: list[bool] = []


def garbage_collection_managed() -> bool:
    return bool(_managed)


def resume_garbage_collection() -> None:
    """Once start-up is over: its objects are set aside (`gc.freeze`), then collect as usual.

    Frozen, they are never walked again, so a later collection, which may come in the
    middle of a keystroke, only looks at what the practitioner's work made. A no-op
    unless `pause_garbage_collection` was called (tests run the app with it on).
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()


def encrypted_without_passphrase(url: str | None) -> bool:
    """An embedded database file encrypted with SQLCipher and no passphrase configured.

    Plain standard library on purpose: this runs before every start, ahead of the
    SQLAlchemy and Qt imports, so it must cost nothing.
    """
    if os.environ.get("CONSULT_DB_PASSPHRASE"):
        return False
    if url is None:
        from consult.app.paths import default_database_file

        path = default_database_file()
    elif url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///").split("?", 1)[0])
    else:
        return False
    try:
        with path.open("rb") as handle:
            header = handle.read(16)
    except OSError:
        return False
    return bool(header) and header != b"SQLite format 3\x00"


def _run_encrypted(
    url: str | None, credentials: tuple[str, str] | None, quit_when_ready: bool
) -> int:
    """Ask for the passphrase first (the app's own dialog), then start as usual."""
    from PySide6.QtWidgets import QApplication, QMessageBox

    from consult.errors import ConsultError
    from ui.dialogs.passphrase_dialog import open_database_interactively
    from ui.shell.app import run
    from ui.shell.style import apply_style

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    apply_style(app)  # the passphrase dialog is the first window: icon and look too
    try:
        db = open_database_interactively(url)
    except ConsultError as error:
        QMessageBox.critical(None, "Consult", f"The clinic database cannot be opened.\n\n{error}")
        return EXIT_NO_DISPLAY
    if db is None:  # the user chose not to open it
        return 0
    opening = Opening.start(url, credentials, db=db)
    return run(app, opening=opening, quit_when_ready=quit_when_ready)


def bench_credentials(
    environ: os._Environ[str] | dict[str, str] | None = None,
) -> tuple[str, str] | None:
    """The benchmark account's (username, password), or None when not both are set."""
    env = os.environ if environ is None else environ
    username, password = env.get(BENCH_USER), env.get(BENCH_PASSWORD)
    if not username or not password:
        return None
    return username, password


@dataclass(frozen=True)
class Opened:
    """What start-up learns from the database before the first window is shown."""

    db: OpenedDatabase
    has_users: bool
    clinic: StoredSettings | None  # None before the first manager


class Opening:
    """The database being opened (and the benchmark password checked) on a thread."""

    def __init__(
        self,
        future: Future[Opened],
        database_work_done: threading.Event,
        credentials: tuple[str, str] | None,
    ) -> None:
        self._future = future
        self._database_work_done = database_work_done
        self._credentials = credentials

    @classmethod
    def start(
        cls,
        database_url: str | None,
        credentials: tuple[str, str] | None,
        db: OpenedDatabase | None = None,
    ) -> Opening:
        """Open the database on a thread; `db`, if given, is one already opened."""
        done = threading.Event()
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="start-up")
        future = pool.submit(_open, database_url, done, db)
        pool.shutdown(wait=False)  # the thread ends by itself once the database is open
        return cls(future, done, credentials)

    def signs_in(self) -> bool:
        """Whether the benchmark account is signed in (no login dialog then)."""
        return self._credentials is not None

    def sign_in_bench_user(self, db: OpenedDatabase) -> SignedIn | None:
        """The benchmark account, signed in on the calling thread once the window's code
        is loaded, as a person's sign-in follows the login dialog; None if refused.

        Not on the opening thread: Argon2 hashes on four lanes, and run beside the
        loading of the screens it took the cores they needed (a two-core machine's
        start was about 80 ms slower). The hash's own time is reported apart
        (`consult.protection.passwords.password_checking_seconds`), as the benchmark leaves it out.
        """
        from consult.errors import ConsultError
        from consult.services import accounts

        if self._credentials is None:
            return None
        username, password = self._credentials
        try:
            return accounts.sign_in(db, username, password)
        except ConsultError:
            return None  # the sign-in dialog asks, as for anyone

    def wait_until_database_work_done(self) -> None:
        """Until only the disk or argon2 is left to wait for (or opening failed)."""
        self._database_work_done.wait()

    def result(self) -> Opened:
        """The opened database; a ConsultError if it cannot be opened."""
        return self._future.result()


def _open(
    database_url: str | None,
    database_work_done: threading.Event,
    db: OpenedDatabase | None = None,
) -> Opened:
    try:
        from consult.services import accounts, opening

        if db is None:
            db = opening.open_clinic(database_url)
    finally:
        database_work_done.set()
    try:
        if accounts.needs_first_manager(db):
            return Opened(db, False, None)
        return Opened(db, True, opening.clinic_on_start(db))
    except BaseException:
        db.close()
        raise
