"""`consult migrate [--workstation-role ROLE]`: the administrator brings the schema up to date.

On PostgreSQL run it as the schema's owner (`--database` naming that role) whenever
Consult is upgraded; with `--workstation-role` it also grants the role the
workstations connect as what they need, and no more (consult.storage.administration).
A workstation that finds an older schema refuses to start and says to run this.
On SQLite it migrates the file (the app also does so itself at start).
"""

from __future__ import annotations

import argparse

from consult.app.cli import EXIT_OK, database_url
from consult.app.paths import default_database_url


def run(args: argparse.Namespace) -> int:
    from consult.services import opening

    url = database_url(args) or default_database_url()
    report = opening.migrate_database(url, workstation_role=args.workstation_role)
    if report.before == report.after:
        print(f"{report.database} is up to date (schema revision {report.after})")
    else:
        was = f"revision {report.before}" if report.before else "a new database"
        print(f"{report.database} migrated from {was} to revision {report.after}")
    if report.workstation_role:
        print(
            f"the role {report.workstation_role} may read and write the clinic's records, "
            "and only add to the audit trail and the signed consents"
        )
    return EXIT_OK
