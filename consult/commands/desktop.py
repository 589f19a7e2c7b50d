"""`consult install-desktop [--remove]`: Consult in (or out of) the user's application menu."""

from __future__ import annotations

import argparse

from consult.app import desktop
from consult.app.cli import EXIT_OK


def run(args: argparse.Namespace) -> int:
    desktop.check_platform()
    data_home = desktop.xdg_data_home()
    if args.remove:
        removed = desktop.remove(data_home)
        print(f"removed {len(removed)} files from {data_home}" if removed else "nothing to remove")
        return EXIT_OK
    program = desktop.launcher()
    written = desktop.install(data_home, program)
    print(f"installed {desktop.APP_ID} for {program}:")
    for path in written:
        print(f"  {path}")
    return EXIT_OK
