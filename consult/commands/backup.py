"""`consult backup FILE` and `consult restore FILE` (cli.py sends both here).

Run from the command line by the operating-system user at this seat, who is named
in the audit trail (consult.access.command_line_actor).
"""

from __future__ import annotations

import argparse

from consult.access import command_line_actor
from consult.cli import EXIT_OK, database_url
from consult.paths import default_database_url
from consult.safety.backup import backup_database, restore_database


def run(args: argparse.Namespace) -> int:
    url = database_url(args) or default_database_url()
    actor = command_line_actor()
    if args.command == "restore":
        restored = restore_database(url, args.file, actor)
        print(f"restored the database from {restored.restored_from}")
        if restored.safety_copy is not None:
            print(f"the database as it was before is kept in {restored.safety_copy}")
        if restored.rolled_back is not None:
            first, last = restored.rolled_back
            print(f"audit events {first}–{last} were rolled back (the restore event says so)")
        return EXIT_OK
    report = backup_database(url, args.file, actor)
    print(f"backup written to {report.file} ({report.size} bytes, sha256 {report.sha256})")
    if report.carries_key:
        print(f"its audit key and last event are in {report.audit_file}: keep the two together")
    else:
        print(
            f"its last event is in {report.audit_file}; the audit key is not: this "
            "workstation does not have it"
        )
    return EXIT_OK
