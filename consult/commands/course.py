"""`consult recall`, `lots`, `booking-ics` and `aftercare`: the course on the command line.

`recall` is the clinic's answer to a manufacturer's recall notice: every session that
used the lot (patient, date, practitioner, areas, device). `lots` lists the lots with
their product, expiry and how many sessions used each. Both need a signed-in
practitioner or manager (--user / CONSULT_USER, CONSULT_PASSWORD) and every recall
search is audited. `booking-ics` writes the patient's calendar file for a booking, and
`aftercare` a signed session's aftercare sheet for the patient (both via a temporary file
renamed into place, so a half-written file never appears).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from consult.app.cli import EXIT_OK, database_url
from consult.commands import signin
from consult.records.course import LotRecord, RecallHit


def run(args: argparse.Namespace) -> int:
    from consult.services import opening

    commands = {
        "recall": _recall,
        "lots": _lots,
        "booking-ics": _booking_ics,
        "aftercare": _aftercare,
    }
    with opening.open_existing_clinic(database_url(args)) as database:
        return commands[args.command](args, database)


def _recall(args: argparse.Namespace, database: Any) -> int:
    from consult.services import lots

    user = signin.sign_in(args, database, "a recall search")
    hits = lots.recall(user, args.lot, product=args.product)
    if args.json:
        _print_json(
            {
                "lot": args.lot.strip(),
                "product": args.product.strip() if args.product else None,
                "sessions": [_hit_json(hit) for hit in hits],
            }
        )
        return EXIT_OK
    what = f"lot {args.lot.strip()}" + (f" of {args.product.strip()}" if args.product else "")
    if not hits:
        print(f"no session used {what}")
        return EXIT_OK
    patients = len({hit.patient_id for hit in hits})
    print(f"{len(hits)} session(s) of {patients} patient(s) used {what}:")
    for hit in hits:
        number = f"  {hit.document_number}" if hit.document_number else f"  ({hit.status})"
        if hit.amends_id is not None:
            number += f" (amends session {hit.amends_id})"
        print(
            f"{hit.session_date.isoformat()}  {hit.patient_name} (patient {hit.patient_id})  "
            f"{hit.practitioner}  areas: {', '.join(hit.areas)}  "
            f"device: {', '.join(hit.devices)}{number}"
        )
    return EXIT_OK


def _hit_json(hit: RecallHit) -> dict[str, Any]:
    return {
        "session": hit.session_id,
        "amends_session": hit.amends_id,
        "patient_id": hit.patient_id,
        "patient": hit.patient_name,
        "date": hit.session_date.isoformat(),
        "practitioner": hit.practitioner,
        "areas": list(hit.areas),
        "devices": list(hit.devices),
        "lots": list(hit.lots),
        "status": hit.status,
        "document_number": hit.document_number,
    }


def _lots(args: argparse.Namespace, database: Any) -> int:
    from consult.services import lots

    user = signin.sign_in(args, database, "listing the lots")
    found = lots.list_lots(user)
    today = date.today()
    if args.json:
        _print_json({"lots": [_lot_json(lot, today) for lot in found]})
        return EXIT_OK
    if not found:
        print("no lots registered")
        return EXIT_OK
    for lot in found:
        expired = " (expired)" if lot.expired_on(today) else ""
        print(
            f"{lot.lot_number}  {lot.maker} {lot.product} ({lot.kind})  "
            f"expires {lot.expiry.isoformat()}{expired}  sessions: {lot.sessions_used}"
        )
    return EXIT_OK


def _lot_json(lot: LotRecord, today: date) -> dict[str, Any]:
    return {
        "lot_number": lot.lot_number,
        "maker": lot.maker,
        "product": lot.product,
        "kind": lot.kind,
        "expiry": lot.expiry.isoformat(),
        "expired": lot.expired_on(today),
        "sessions": lot.sessions_used,
    }


def _booking_ics(args: argparse.Namespace, database: Any) -> int:
    from consult.protection import atomic
    from consult.services import bookings

    user = signin.sign_in(args, database, "exporting a booking")
    ics = bookings.export_ics(user, args.booking_id)
    written = atomic.write_bytes(args.out, ics)
    print(f"booking {args.booking_id} written to {written}")
    return EXIT_OK


def _aftercare(args: argparse.Namespace, database: Any) -> int:
    from consult.protection import atomic
    from consult.services import course

    user = signin.sign_in(args, database, "writing an aftercare sheet")
    pdf = course.aftercare_pdf(user, args.session_id)
    course.record_handout(user, args.session_id, "aftercare", "save", file_name=str(args.out))
    written = atomic.write_bytes(args.out, pdf)
    print(f"aftercare sheet of session {args.session_id} written to {written}")
    return EXIT_OK


def _print_json(document: dict[str, Any]) -> None:
    json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
