"""The `consult` command: the desktop app, or one of the command line's subcommands.

The entry point lives here, in the app's package, so the core never imports the UI:
`consult.app.cli` parses the command line and runs a subcommand without loading Qt; with
no subcommand it hands back to `open_app` below, which starts the desktop app.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from consult.app import cli

    return cli.main(argv, open_app=open_app)


def open_app(args: argparse.Namespace) -> int:
    from ui.shell.launch import run_app

    return run_app(args)
