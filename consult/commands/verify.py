"""`consult verify PDF`: is this document intact and sealed by this clinic?

Exit 0 and `intact: signed by <clinic> at <time>`; exit 1 with `error: <reason>` for a
document that fails the check (changed, appended to, unsigned, another certificate);
exit 2 for a file that does not exist or is not a PDF (through the usual ConsultError).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from consult.cli import EXIT_FAILED, EXIT_OK
from consult.documents.certificate import trusted_certificates
from consult.documents.verify import NotVerified, verify_pdf
from consult.errors import ConsultError


def run(args: argparse.Namespace) -> int:
    path = Path(args.pdf)
    data = _read(path)
    try:
        result = verify_pdf(data, trusted_certificates(), source=str(path))
    except NotVerified as exc:
        print(f"error: {path}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    when = f" at {result.signed_at:%Y-%m-%d %H:%M:%S %Z}" if result.signed_at else ""
    print(f"intact: signed by {result.signer}{when}")
    return EXIT_OK


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ConsultError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ConsultError(f"{path}: is a folder, not a PDF file") from None
    except OSError as exc:
        raise ConsultError(f"{path}: cannot be read ({exc.strerror})") from None
