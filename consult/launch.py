"""The one door from the command line into the desktop app.

`consult` with no subcommand ends up here. This module stays importable without Qt:
it checks for a display first (so a headless server gets one clear line, not a Qt
abort), and only then imports PySide6 and the `ui` package.
"""

from __future__ import annotations

import argparse
import os
import sys

NO_DISPLAY = (
    "error: no display available: Consult is a desktop app; run it in a graphical session "
    "(or set QT_QPA_PLATFORM=offscreen for testing)"
)
EXIT_NO_DISPLAY = 2


def display_available(environ: os._Environ[str] | dict[str, str] | None = None) -> bool:
    """False only where Qt would certainly fail: Linux/BSD with no display server named."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return True
    return any(env.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"))


def run_app(args: argparse.Namespace) -> int:
    if not display_available():
        print(NO_DISPLAY, file=sys.stderr)
        return EXIT_NO_DISPLAY
    from PySide6.QtWidgets import QApplication

    from consult.cli import database_url
    from ui.app import run

    app = QApplication.instance() or QApplication(sys.argv[:1])
    return run(
        app, database_url(args), quit_when_ready=bool(getattr(args, "quit_when_ready", False))
    )
