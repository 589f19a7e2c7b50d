"""`consult documents FILE… --out DIR`: write the consent form and the treatment plan.

Once the clinic is set up the plan is sealed with its certificate, each sealed version
under a number of its own. With both signatures the consent is a signed record: the
command signs in (`--user`), and the signing service checks every rule of a signed
record, seals both documents in the clinic's name and keeps them in the clinic
database before they are written here. `--blank` writes a blank consent form for paper
use and no plan. Documents refuse what the screening refuses (spec: `documents`). Both
PDFs are built in memory before either is written, each atomically, and the --out
folder is made only when something is written, so bad input leaves nothing behind.
Prices and clinic details come from the clinic database when there is one, else the
shipped defaults (as for `consult quote`).

Several files or a folder (consult.commands.batch): unsigned documents for each in
DIR/<file stem>/, in one process, and a JSON list of what was written (null for a bad
file); signatures are refused with more than one file.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path

from consult.app.cli import EXIT_BAD_INPUT, EXIT_OK, database_url
from consult.clinical import fileformat
from consult.clinical.screening import screen
from consult.commands import batch, signin
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
from consult.pricing import ClinicSettings, PriceList
from consult.protection import atomic
from consult.protection.input_files import read_input


def run(args: argparse.Namespace) -> int:
    inputs = batch.expand(args.files)
    signed = bool(args.patient_signature or args.practitioner_signature)
    if inputs.several and signed:
        raise ConsultError(
            "documents: signatures are refused with more than one file "
            "(each signed record is its own command)"
        )
    out = _output_folder(args.out)
    patient = _signature(args.patient_signature, "--patient-signature")
    practitioner = _signature(args.practitioner_signature, "--practitioner-signature")
    if args.blank:
        if signed:
            raise ConsultError("--blank: a blank paper form takes no signatures")
        _, settings = pricing_sources(args)
        _print(_written(_issue_into(blank_input(settings), out)))
        return EXIT_OK
    if not inputs.files and not inputs.problems:
        raise ConsultError("documents: FILE is required (or --blank for a blank paper form)")
    if inputs.several:
        return _issue_each(inputs, out, args)
    consultation = fileformat.load(inputs.files[0])
    if signed:
        return _sign(args, consultation, patient, practitioner)
    price_list, settings = pricing_sources(args)
    _print(_written(_issue_into(_unsigned(consultation, price_list, settings), out)))
    return EXIT_OK


def _unsigned(
    consultation: fileformat.Consultation, price_list: PriceList, settings: ClinicSettings
) -> DocumentInput:
    """The documents of a consultation the screening lets print (spec: `documents`)."""
    override = screening_override(consultation)
    check_printable(screen(consultation), consultation.area_ids, override)
    return document_input(consultation, price_list, settings, override_reason=override)


def _issue_each(inputs: batch.Inputs, out: Path, args: argparse.Namespace) -> int:
    """Unsigned documents for every file, each in DIR/<file stem>/; a JSON list printed."""
    price_list, settings = pricing_sources(args)  # once for every file
    taken: set[str] = set()

    def one(file: Path) -> dict[str, object]:
        folder = out / file.stem
        if file.stem in taken:
            raise ConsultError(f"another file given already writes {folder}")
        document = _unsigned(fileformat.load(file), price_list, settings)
        issued = _issue_into(document, folder)
        taken.add(file.stem)
        return _written(issued)

    answers, good = batch.each(inputs, one)
    _print(answers)
    return EXIT_OK if good else EXIT_BAD_INPUT


def _sign(
    args: argparse.Namespace,
    consultation: fileformat.Consultation,
    patient: bytes | None,
    practitioner: bytes | None,
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
    override = screening_override(consultation)
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
    _print(
        {
            "consent": str(consent),
            "plan": str(plan),
            "signed": True,
            "consent_number": record.consent_number,
            "plan_number": record.plan_number,
        }
    )
    return EXIT_OK


def _written(issued: Issued) -> dict[str, object]:
    written: dict[str, object] = {"consent": str(issued.consent.path)}
    if issued.plan is not None:
        written["plan"] = str(issued.plan.path)
    written["signed"] = issued.consent.sealed
    return written


def _print(answer: object) -> None:
    sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")


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
