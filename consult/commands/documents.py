"""`consult documents FILE --out DIR`: write the consent form and the treatment plan.

The plan is always sealed with the clinic's certificate; the consent is sealed (a
signed record) when both the patient's and the practitioner's signatures are given.
`--blank` writes a blank consent form for paper use and no plan. Both PDFs are built
in memory before either is written, and each is written atomically, so an error never
leaves a half-written file. Prices and clinic details come from the clinic database
when there is one, else the shipped defaults (as for `consult quote`).

Several files or a folder (consult.commands.batch): unsigned documents for each in
DIR/<file stem>/, in one process, and a JSON list of what was written (null for a bad
file); signatures are refused with more than one file.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from consult import fileformat
from consult.cli import EXIT_BAD_INPUT, EXIT_OK
from consult.commands import batch
from consult.commands.quote import pricing_sources
from consult.documents.build import blank_input, document_input
from consult.documents.images import check_png
from consult.documents.issue import Issued, issue
from consult.documents.model import Signatures
from consult.errors import ConsultError, InvalidField


def run(args: argparse.Namespace) -> int:
    inputs = batch.expand(args.files)
    if inputs.several and (args.patient_signature or args.practitioner_signature):
        raise ConsultError(
            "documents: signatures are refused with more than one file "
            "(each signed record is its own command)"
        )
    out = _output_folder(args.out)
    signatures = Signatures(
        _signature(args.patient_signature, "--patient-signature"),
        _signature(args.practitioner_signature, "--practitioner-signature"),
    )
    if args.blank:
        if signatures.patient_png is not None or signatures.practitioner_png is not None:
            raise ConsultError("--blank: a blank paper form takes no signatures")
        _, settings = pricing_sources(args)
        _print(_written(issue(blank_input(settings), out)))
        return EXIT_OK
    if not inputs.files and not inputs.problems:
        raise ConsultError("documents: FILE is required (or --blank for a blank paper form)")
    if not inputs.several:
        _print(_written(_issue_one(inputs.files[0], out, signatures, args)))
        return EXIT_OK
    return _issue_each(inputs, out, args)


def _issue_one(
    file: Path, out: Path, signatures: Signatures, args: argparse.Namespace
) -> Issued:
    consultation = fileformat.load(file)
    price_list, settings = pricing_sources(args)
    signed = signatures.patient_png is not None or signatures.practitioner_png is not None
    document = document_input(
        consultation,
        price_list,
        settings,
        signatures=signatures,
        signed_at=datetime.now().astimezone() if signed else None,
    )
    return issue(document, out)


def _issue_each(inputs: batch.Inputs, out: Path, args: argparse.Namespace) -> int:
    """Unsigned documents for every file, each in DIR/<file stem>/; a JSON list printed."""
    price_list, settings = pricing_sources(args)  # once for every file
    taken: set[str] = set()

    def one(file: Path) -> dict[str, object]:
        folder = out / file.stem
        if file.stem in taken:
            raise ConsultError(f"another file given already writes {folder}")
        document = document_input(
            fileformat.load(file), price_list, settings, signatures=Signatures(None, None)
        )
        created = not folder.exists()
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise InvalidField("--out", f"{folder} cannot be created ({exc.strerror})") from None
        try:
            issued = issue(document, folder)
        except BaseException:
            if created and not any(folder.iterdir()):
                folder.rmdir()  # nothing half-written, not even an empty folder
            raise
        taken.add(file.stem)
        return _written(issued)

    answers, good = batch.each(inputs, one)
    _print(answers)
    return EXIT_OK if good else EXIT_BAD_INPUT


def _written(issued: Issued) -> dict[str, object]:
    written: dict[str, object] = {"consent": str(issued.consent.path)}
    if issued.plan is not None:
        written["plan"] = str(issued.plan.path)
    written["signed"] = issued.consent.sealed
    return written


def _print(answer: object) -> None:
    sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")


def _output_folder(value: str) -> Path:
    folder = Path(value)
    if folder.exists() and not folder.is_dir():
        raise InvalidField("--out", f"{folder} is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidField("--out", f"{folder} cannot be created ({exc.strerror})") from None
    return folder


def _signature(value: str | None, option: str) -> bytes | None:
    if value is None:
        return None
    path = Path(value)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InvalidField(option, f"{path}: no such file") from None
    except OSError as exc:
        raise InvalidField(option, f"{path}: cannot be read ({exc.strerror})") from None
    return check_png(data, option)
