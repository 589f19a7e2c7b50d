"""`consult export-patient PATIENT_ID --out ZIP`: one patient's records in one zip.

For a subject access request: everything the clinic holds about that patient (see
consult.safety.patient_export), selected by id alone. Run by the operating-system
user at this seat (consult.access.command_line_actor), who is named in the audit
trail's `patient.export` event.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from consult.access import command_line_actor
from consult.cli import EXIT_OK, database_url
from consult.errors import ConsultError
from consult.paths import default_database_url


def run(args: argparse.Namespace) -> int:
    from consult.safety.patient_export import export_patient
    from consult.storage import Database

    url = database_url(args) or default_database_url()
    _refuse_missing_sqlite_file(url)
    with Database.open(url) as database:
        report = export_patient(database, command_line_actor(), args.patient_id, args.out)
    print(
        f"patient {args.patient_id} exported to {report.file} "
        f"({report.consultations} consultations, {report.quotes} quotes, "
        f"{report.consents} signed consents, {report.audit_events} audit events; "
        f"sha256 {report.sha256})"
    )
    return EXIT_OK


def _refuse_missing_sqlite_file(url: str) -> None:
    """A mistyped --database must not quietly create an empty clinic to export from."""
    from consult.storage.db import parse_url

    parsed = parse_url(url)
    if parsed.get_backend_name() != "sqlite":
        return
    path = Path(str(parsed.database)).expanduser()
    if not path.is_file():
        raise ConsultError(f"database {path} does not exist")
