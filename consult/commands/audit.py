"""`consult audit verify` and `consult audit import-key FILE`.

`verify` checks the whole trail: the hash chain, each event's seal under the clinic's
audit key, and that the trail still reaches the newest event this workstation saw
(its head anchor). Exit 0 with "audit trail intact: N events" (and a line for each
restore from a backup, saying what it rolled back); exit 1 naming every problem
found, or saying that this workstation lacks the audit key, so a nightly job can
alert. `import-key` installs the key from a copied key file or a backup's
`.audit-key` file (see consult.storage.anchor).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from consult.app.cli import EXIT_FAILED, EXIT_OK, database_url
from consult.commands import signin
from consult.errors import ConsultError


def run(args: argparse.Namespace) -> int:
    from consult.services import audit_trail, opening

    if args.audit_command == "import-key":
        installed = audit_trail.install_key(Path(args.file))
        print(f"audit key {installed.key_id} installed in {installed.path}")
        return EXIT_OK
    if args.audit_command != "verify":
        raise ConsultError("audit: choose an action: consult audit verify")
    with opening.open_existing_clinic(database_url(args)) as database:
        missing = opening.audit_key_missing(database)
        if missing is None:
            user = signin.sign_in(args, database, "checking the audit trail")
            check = audit_trail.verify(user)
    if missing is not None:
        print(f"audit trail NOT VERIFIED: {missing}")
        return EXIT_FAILED
    if check.problems:
        print(f"audit trail BROKEN: {len(check.problems)} problem(s) in {check.events} events")
        for problem in check.problems:
            print(f"  {problem}")
        return EXIT_FAILED
    if check.missing_key is not None:
        print(f"audit trail NOT VERIFIED ({check.events} events): {check.missing_key}")
        return EXIT_FAILED
    print(f"audit trail intact: {check.events} events")
    for note in check.notes:
        print(f"  {note}")
    return EXIT_OK
