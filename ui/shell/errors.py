"""What the user sees when something goes wrong: a sentence, never a traceback.

`ConsultError` is a problem the user can act on (bad input, a database that cannot
be opened), shown as its one line. Anything else is a bug: the traceback goes to the
log file and the dialog says where, so support can read it.
"""

from __future__ import annotations

import logging
import sys
import traceback
from types import TracebackType

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from consult.app.paths import log_file
from consult.errors import ConsultError

log = logging.getLogger("consult.ui")


def show_problem(parent: QWidget | None, error: BaseException) -> None:
    """Tell the user about `error` in a dialog; unexpected errors are logged first."""
    if isinstance(error, ConsultError):
        QMessageBox.warning(parent, "Consult", str(error))
        return
    where = log_unexpected(error)
    QMessageBox.critical(
        parent,
        "Consult: unexpected problem",
        "Something went wrong that Consult did not expect. Your saved work is safe.\n\n"
        f"{type(error).__name__}: {error}\n\nDetails were written to {where}.",
    )


def log_unexpected(error: BaseException) -> str:
    path = log_file()
    try:
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return "(the log file could not be opened)"
    log.addHandler(handler)
    log.error(
        "unexpected error in the app\n%s",
        "".join(traceback.format_exception(type(error), error, error.__traceback__)),
    )
    log.removeHandler(handler)
    handler.close()
    return str(path)


def _hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        QApplication.quit()
        return
    error.__traceback__ = tb
    app = QApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        # Widgets belong to the GUI thread; from any other thread the log is the record.
        log_unexpected(error)
        return
    show_problem(QApplication.activeWindow(), error)


def install_exception_hook() -> None:
    """Route exceptions escaping Qt slots to `show_problem` instead of stderr."""
    sys.excepthook = _hook
