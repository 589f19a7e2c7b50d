"""`consult export-patient PATIENT_ID --out ZIP`: one patient's records in one zip.

For a subject access request: everything the clinic holds about that patient (see
consult.services.protection), selected by id alone. Run by a signed-in account allowed
to export (a practitioner or a manager), who is named in the audit trail's
`patient.export` event.
"""

from __future__ import annotations

import argparse

from consult.app.cli import EXIT_OK, database_url
from consult.commands import signin


def run(args: argparse.Namespace) -> int:
    from consult.services import opening, protection

    with opening.open_existing_clinic(database_url(args)) as database:
        user = signin.sign_in(args, database, "exporting a patient's records")
        report = protection.export_patient_records(user, args.patient_id, args.out)
    print(
        f"patient {args.patient_id} exported to {report.file} "
        f"({report.consultations} consultations, {report.quotes} quotes, "
        f"{report.consents} signed consents, {report.sessions} treatment sessions, "
        f"{report.bookings} bookings, {report.photos} photos, {report.audit_events} audit events; "
        f"sha256 {report.sha256})"
    )
    return EXIT_OK
