"""`consult audit verify`: check the audit trail's hash chain end to end.

Exit 0 with "audit trail intact: N events", or exit 1 naming every problem found
(a rewritten row, a deleted row, rows out of order), so a nightly job can alert. Run
by a signed-in account allowed to read the audit trail (a manager); the check itself
is written to the trail under that account.
"""

from __future__ import annotations

import argparse

from consult.cli import EXIT_FAILED, EXIT_OK, database_url
from consult.commands import signin
from consult.errors import ConsultError


def run(args: argparse.Namespace) -> int:
    if args.audit_command != "verify":
        raise ConsultError("audit: choose an action: consult audit verify")
    from consult.services import audit_trail, opening

    with opening.open_existing_clinic(database_url(args)) as database:
        user = signin.sign_in(args, database, "checking the audit trail")
        check = audit_trail.verify(user)
    if check.problems:
        print(f"audit trail BROKEN: {len(check.problems)} problem(s) in {check.events} events")
        for problem in check.problems:
            print(f"  {problem}")
        return EXIT_FAILED
    print(f"audit trail intact: {check.events} events")
    return EXIT_OK
