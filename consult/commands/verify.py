"""`consult verify PDF`: is this document intact and sealed by this clinic?

Exit 0 and `intact: signed by <clinic> at <time>`; exit 1 with `error: <reason>` for a
document that fails the check (changed, appended to, unsigned, another certificate);
exit 2 for a file that does not exist or is not a PDF (through the usual ConsultError).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from consult.app.cli import EXIT_FAILED, EXIT_OK
from consult.documents.certificate import trusted_certificates
from consult.documents.verify import NotVerified, verify_pdf
from consult.protection.input_files import read_input


def run(args: argparse.Namespace) -> int:
    path = Path(args.pdf)
    data = _read(path)
    try:
        result = verify_pdf(data, trusted_certificates(), source=str(path))
    except NotVerified as exc:
        print(f"error: {path}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    # On this computer's clock (the clinic's), with its zone, never bare UTC.
    signed_at = result.signed_at.astimezone() if result.signed_at else None
    when = f" at {signed_at:%Y-%m-%d %H:%M:%S %Z (UTC%z)}" if signed_at else ""
    print(f"intact: signed by {result.signer}{when}")
    return EXIT_OK


def _read(path: Path) -> bytes:
    return read_input(path, "PDF file")
