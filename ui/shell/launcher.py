"""`consult-app`: the desktop app's own entry point ([project.gui-scripts]).

On Windows a gui-script starts without a console window (pythonw), so there is no
terminal for a message: sys.stdout and sys.stderr are None. What would have gone there
is then written to the log file in the data folder, and a reason the app cannot start
is shown in a message box. Elsewhere it behaves exactly like `consult` with no
subcommand: the same options (--database URL, --quit-when-ready), the same exit codes.
"""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from ui.shell.main import main as consult_main

    arguments = list(sys.argv[1:] if argv is None else argv)
    if sys.stderr is not None and sys.stdout is not None:
        return consult_main(arguments)
    captured = io.StringIO()
    sys.stdout = sys.stdout or io.StringIO()
    sys.stderr = captured
    code = consult_main(arguments)
    message = captured.getvalue().strip()
    if message:
        _append_to_log(message)
        if code != 0:
            _show(message.removeprefix("error: "))
    return code


def _append_to_log(message: str) -> None:
    from consult.app.cli import LogFileHandler

    record = logging.LogRecord("consult-app", logging.ERROR, __file__, 0, message, None, None)
    LogFileHandler().handle(record)


def _show(message: str) -> None:
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.shell.icon import set_app_icon

    app = QApplication.instance() or QApplication(sys.argv[:1])
    if isinstance(app, QApplication):
        set_app_icon(app)
    QMessageBox.critical(None, "Consult cannot start", message)


if __name__ == "__main__":
    sys.exit(main())
