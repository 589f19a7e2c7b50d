"""`consult backup FILE` and `consult restore FILE` (cli.py sends both here).

Both sign in (--user / CONSULT_USER, CONSULT_PASSWORD or a prompt) as an account allowed
to run backups (a manager), who is named in the audit trail. A restore onto an empty or
unreadable database signs in to the backup's own accounts instead: nobody can sign in
to a database that is lost.
"""

from __future__ import annotations

import argparse

from consult.app.cli import EXIT_OK, database_url
from consult.app.paths import default_database_url
from consult.commands import signin
from consult.errors import ConsultError


def run(args: argparse.Namespace) -> int:
    url = database_url(args) or default_database_url()
    if args.command == "restore":
        return _restore(args, url)
    from consult.protection.backup import check_backup_tools
    from consult.services import opening, protection

    check_backup_tools(url)

    with opening.open_existing_clinic(url) as database:
        user = signin.sign_in(args, database, "backing up the clinic")
        report = protection.backup(user, args.file)
    print(f"backup written to {report.file} ({report.size} bytes, sha256 {report.sha256})")
    if report.carries_key:
        print(f"its audit key and last event are in {report.audit_file}: keep the two together")
    else:
        print(
            f"its last event is in {report.audit_file}; the audit key is not: this "
            "workstation does not have it"
        )
    return EXIT_OK


def _restore(args: argparse.Namespace, url: str) -> int:
    from consult.access import workstation_name
    from consult.protection.backup import check_restorable
    from consult.services import accounts, opening, protection

    check_restorable(url, args.file)  # a wrong file is refused before anything changes
    username, password = signin.credentials(args, "restoring a backup")
    seat = workstation_name()
    try:
        database = opening.open_existing_clinic(url)
    except ConsultError:  # missing or unreadable: the backup's accounts authorise it
        database = None
    if database is None or accounts.needs_first_manager(database):
        if database is not None:
            database.close()
        restored = protection.restore_as_backup_account(
            url, args.file, username, password, workstation=seat
        )
    else:
        with database:
            user = accounts.sign_in(database, username, password, workstation=seat)
            restored = protection.restore(user, args.file)
    print(f"restored the database from {restored.restored_from}")
    if restored.safety_copy is not None:
        print(f"the database as it was before is kept in {restored.safety_copy}")
    if restored.rolled_back is not None:
        first, last = restored.rolled_back
        print(f"audit events {first}–{last} were rolled back (the restore event says so)")
    return EXIT_OK
