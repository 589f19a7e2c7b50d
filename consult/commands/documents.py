"""`consult documents FILE --out DIR`: write the consent form and the treatment plan.

The plan is always sealed with the clinic's certificate. With both signatures the
consent is a signed record: the command signs in (`--user`), and the signing service
checks every rule of a signed record, seals both documents in the clinic's name and
keeps them in the clinic database before they are written here.
`--blank` writes a blank consent form for paper use and no plan. Both PDFs are built
in memory before either is written, and each is written atomically, so an error never
leaves a half-written file. Prices and clinic details come from the clinic database
when there is one, else the shipped defaults (as for `consult quote`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

from consult import atomic, fileformat
from consult.cli import EXIT_OK, database_url
from consult.clinical.screening import screen
from consult.commands import signin
from consult.commands.quote import pricing_sources
from consult.documents.build import (
    blank_input,
    consent_choices,
    document_input,
    screening_override,
)
from consult.documents.gate import check_printable
from consult.documents.images import check_png
from consult.documents.ink import require_ink
from consult.documents.issue import CONSENT_FILE, PLAN_FILE, Issued, issue
from consult.documents.model import DocumentInput
from consult.errors import ConsultError, InvalidField
from consult.input_files import read_input


def run(args: argparse.Namespace) -> int:
    out = _output_folder(args.out)
    patient = _signature(args.patient_signature, "--patient-signature")
    practitioner = _signature(args.practitioner_signature, "--practitioner-signature")
    if args.blank:
        if patient is not None or practitioner is not None:
            raise ConsultError("--blank: a blank paper form takes no signatures")
        _, settings = pricing_sources(args)
        _report(_issue_into(blank_input(settings), out))
        return EXIT_OK
    if args.file is None:
        raise ConsultError("documents: FILE is required (or --blank for a blank paper form)")
    consultation = fileformat.load(args.file)
    override = screening_override(consultation)
    if patient is not None or practitioner is not None:
        return _sign(args, consultation, patient, practitioner, override)
    price_list, settings = pricing_sources(args)
    check_printable(screen(consultation), consultation.area_ids, override)
    document = document_input(consultation, price_list, settings, override_reason=override)
    _report(_issue_into(document, out))
    return EXIT_OK


def _sign(
    args: argparse.Namespace,
    consultation: fileformat.Consultation,
    patient: bytes | None,
    practitioner: bytes | None,
    override: str,
) -> int:
    """A signed record: sealed in the clinic's name by the signed-in practitioner, and kept."""
    if patient is None:
        raise InvalidField(
            "--patient-signature", "missing: a signed consent needs both signatures"
        )
    if practitioner is None:
        raise InvalidField(
            "--practitioner-signature", "missing: a signed consent needs both signatures"
        )
    require_ink(patient, "--patient-signature")
    require_ink(practitioner, "--practitioner-signature")
    choices = consent_choices(consultation)
    for name in ("photography", "marketing"):
        if getattr(choices, name) is None:
            raise InvalidField(
                f"consent.{name}", "a signed consent needs the patient's answer (true or false)"
            )
    from consult.services import opening, signing

    with opening.open_existing_clinic(database_url(args)) as database:
        user = signin.sign_in(args, database, "signing a consent")
        record = signing.sign(
            user,
            signing.SigningRequest(
                consultation=consultation,
                photography=choices.photography,
                marketing=choices.marketing,
                patient_signature=patient,
                practitioner_signature=practitioner,
                override_reason=override,
            ),
        )
    folder = _made_folder(Path(args.out))
    consent = atomic.write_bytes(folder / CONSENT_FILE, record.consent_pdf)
    plan = atomic.write_bytes(folder / PLAN_FILE, record.plan_pdf)
    written = {
        "consent": str(consent),
        "plan": str(plan),
        "signed": True,
        "consent_number": record.consent_number,
        "plan_number": record.plan_number,
    }
    sys.stdout.write(json.dumps(written, ensure_ascii=False) + "\n")
    return EXIT_OK


def _report(issued: Issued) -> None:
    written: dict[str, object] = {"consent": str(issued.consent.path)}
    if issued.plan is not None:
        written["plan"] = str(issued.plan.path)
    written["signed"] = issued.consent.sealed
    sys.stdout.write(json.dumps(written, ensure_ascii=False) + "\n")


def _output_folder(value: str) -> Path:
    """The --out folder, checked but not yet created: bad input must leave nothing behind."""
    folder = Path(value)
    if folder.exists() and not folder.is_dir():
        raise InvalidField("--out", f"{folder} is a file, not a folder")
    return folder


def _made_folder(folder: Path) -> Path:
    """The --out folder, created now that everything checked out."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidField("--out", f"{folder} cannot be created ({exc.strerror})") from None
    return folder


def _issue_into(document: DocumentInput, folder: Path) -> Issued:
    """Issue into `folder`, created only now; if issuing fails, the folders made go again."""
    made = [parent for parent in (folder, *folder.parents) if not parent.exists()]
    _made_folder(folder)
    try:
        return issue(document, folder)
    except BaseException:
        for created in made:  # innermost first; a folder something was put in stays
            with contextlib.suppress(OSError):
                created.rmdir()
        raise


def _signature(value: str | None, option: str) -> bytes | None:
    if value is None:
        return None
    return check_png(read_input(value, "PNG image", field=option), option)
