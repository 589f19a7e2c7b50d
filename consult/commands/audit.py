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

from consult.access import Actor, command_line_actor, require
from consult.cli import EXIT_FAILED, EXIT_OK, database_url
from consult.errors import ConsultError


def run(args: argparse.Namespace) -> int:
    actor = command_line_actor()
    if args.audit_command == "verify":
        return verify(actor, database_url(args))
    if args.audit_command == "import-key":
        return import_key(actor, Path(args.file))
    raise ConsultError("audit: choose an action: consult audit verify")


def verify(actor: Actor, url: str | None) -> int:
    require(actor, "audit.read")
    from consult.storage import Database
    from consult.storage.audit import verify_trail

    with Database.open(url) as database:
        report = verify_trail(database)
    if report.problems:
        print(f"audit trail BROKEN: {len(report.problems)} problem(s) in {report.events} events")
        for problem in report.problems:
            print(f"  {problem}")
        return EXIT_FAILED
    if report.missing_key is not None:
        print(f"audit trail NOT VERIFIED ({report.events} events): {report.missing_key}")
        return EXIT_FAILED
    print(f"audit trail intact: {report.events} events")
    for note in report.notes:
        print(f"  {note}")
    return EXIT_OK


def import_key(actor: Actor, file: Path) -> int:
    require(actor, "audit.read")
    from consult.storage.anchor import import_key_file, key_path

    key = import_key_file(file)
    print(f"audit key {key.id} installed in {key_path(key.id)}")
    return EXIT_OK
