"""`consult documents FILE --out DIR`: write the consent form and the treatment plan.

The plan is always sealed with the clinic's certificate; the consent is sealed (a
signed record) when both the patient's and the practitioner's signatures are given.
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
from datetime import datetime
from pathlib import Path

from consult import fileformat
from consult.cli import EXIT_OK
from consult.commands.quote import pricing_sources
from consult.documents.build import blank_input, document_input
from consult.documents.images import check_png
from consult.documents.issue import Issued, issue
from consult.documents.model import DocumentInput, Signatures
from consult.errors import ConsultError, InvalidField
from consult.input_files import read_input


def run(args: argparse.Namespace) -> int:
    out = _output_folder(args.out)
    signatures = Signatures(
        _signature(args.patient_signature, "--patient-signature"),
        _signature(args.practitioner_signature, "--practitioner-signature"),
    )
    if args.blank:
        if signatures.patient_png is not None or signatures.practitioner_png is not None:
            raise ConsultError("--blank: a blank paper form takes no signatures")
        _, settings = pricing_sources(args)
        _report(_issue_into(blank_input(settings), out))
        return EXIT_OK
    if args.file is None:
        raise ConsultError("documents: FILE is required (or --blank for a blank paper form)")
    consultation = fileformat.load(args.file)
    price_list, settings = pricing_sources(args)
    signed = signatures.patient_png is not None or signatures.practitioner_png is not None
    document = document_input(
        consultation,
        price_list,
        settings,
        signatures=signatures,
        signed_at=datetime.now().astimezone() if signed else None,
    )
    _report(_issue_into(document, out))
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


def _issue_into(document: DocumentInput, folder: Path) -> Issued:
    """Issue into `folder`, created only now; if issuing fails, the folders made go again."""
    made = [parent for parent in (folder, *folder.parents) if not parent.exists()]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidField("--out", f"{folder} cannot be created ({exc.strerror})") from None
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
