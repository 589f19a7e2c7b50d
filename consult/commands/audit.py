"""`consult audit verify`: check the audit trail's hash chain end to end.

Exit 0 with "audit trail intact: N events", or exit 1 naming every problem found
(a rewritten row, a deleted row, rows out of order), so a nightly job can alert.
"""

from __future__ import annotations

import argparse

from sqlalchemy import func, select

from consult.access import command_line_actor, require
from consult.cli import EXIT_FAILED, EXIT_OK, database_url
from consult.errors import ConsultError


def run(args: argparse.Namespace) -> int:
    if args.audit_command != "verify":
        raise ConsultError("audit: choose an action: consult audit verify")
    require(command_line_actor(), "audit.read")
    return verify(database_url(args))


def verify(url: str | None) -> int:
    from consult.storage import Database
    from consult.storage.audit import verify_chain
    from consult.storage.models import AuditEvent

    with Database.open(url) as database:
        problems = verify_chain(database)
        with database.Session() as session:
            count = session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    if problems:
        print(f"audit trail BROKEN: {len(problems)} problem(s) in {count} events")
        for problem in problems:
            print(f"  {problem}")
        return EXIT_FAILED
    print(f"audit trail intact: {count} events")
    return EXIT_OK
