"""The `consult` command.

`consult` alone opens the desktop app; the subcommands are the public command-line
contract of shared/spec/consultation-format.md. Every command exits 0 on success and
2 with one line `error: …` on stderr for bad input; no traceback ever reaches the
user (unexpected errors are logged to a file and named in one line, exit 1).

Each subcommand lives in its own module under `consult.commands` and is imported
only when used, so `consult --version` and `consult check` stay fast.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from consult import __version__
from consult.errors import ConsultError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2

log = logging.getLogger(__name__)


class _Parser(argparse.ArgumentParser):
    """argparse, but usage errors follow the `error: …`, exit 2 contract in one line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise ConsultError(f"{self.prog}: {message}")


_FILES_HELP = "a consult/1 file, or several, or a folder of .json files"


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database",
        metavar="URL",
        default=argparse.SUPPRESS,
        help="SQLAlchemy URL of the clinic database (default: $CONSULT_DATABASE_URL, "
        "else the embedded SQLite file in your data folder)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="consult", description="Consultation assistant for micro-needling clinics."
    )
    parser.add_argument("--version", action="version", version=f"consult {__version__}")
    parser.add_argument(
        "--quit-when-ready",
        action="store_true",
        help="start the app and exit as soon as the main window is shown (start-up timing)",
    )
    _database_option(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = commands.add_parser(
        "check", help="screen consultation files for contraindications"
    )
    check.add_argument("files", metavar="FILE", nargs="+", help=_FILES_HELP)
    check.add_argument("--json", action="store_true", help="print the spec's JSON")
    _database_option(check)

    quote = commands.add_parser(
        "quote", help="price the course of sessions for consultation files"
    )
    quote.add_argument("files", metavar="FILE", nargs="+", help=_FILES_HELP)
    quote.add_argument("--json", action="store_true", help="print the spec's JSON")
    _database_option(quote)

    documents = commands.add_parser("documents", help="write consent.pdf and plan.pdf")
    documents.add_argument(
        "files", metavar="FILE", nargs="*",
        help=_FILES_HELP + "; with several, DIR/<file name>/ for each",
    )
    documents.add_argument("--out", metavar="DIR", required=True)
    documents.add_argument("--patient-signature", metavar="PNG")
    documents.add_argument("--practitioner-signature", metavar="PNG")
    documents.add_argument(
        "--blank", action="store_true", help="a blank consent form for paper use"
    )
    _database_option(documents)

    verify = commands.add_parser("verify", help="check a signed PDF is intact and the clinic's")
    verify.add_argument("pdf", metavar="PDF")
    _database_option(verify)

    demo = commands.add_parser("demo", help="fill a database with a realistic demo clinic")
    demo.add_argument("--patients", type=int, default=200, metavar="N")
    demo.add_argument("--seed", type=int, default=7, help=argparse.SUPPRESS)
    _database_option(demo)

    backup = commands.add_parser("backup", help="copy the clinic database to FILE while in use")
    backup.add_argument("file", metavar="FILE")
    _database_option(backup)

    restore = commands.add_parser("restore", help="restore the clinic database from FILE")
    restore.add_argument("file", metavar="FILE")
    _database_option(restore)

    export = commands.add_parser(
        "export-patient", help="one patient's records and PDFs in one zip (an access request)"
    )
    export.add_argument("patient_id", metavar="PATIENT_ID", type=int)
    export.add_argument("--out", metavar="ZIP", required=True)
    _database_option(export)

    audit = commands.add_parser("audit", help="audit trail tools")
    audit_commands = audit.add_subparsers(
        dest="audit_command", metavar="ACTION", parser_class=_Parser
    )
    audit_verify = audit_commands.add_parser("verify", help="check the audit trail's hash chain")
    _database_option(audit_verify)
    return parser


# Subcommand name -> module in consult.commands providing `run(args) -> int`.
_COMMANDS = {
    "check": "check",
    "quote": "quote",
    "documents": "documents",
    "verify": "verify",
    "demo": "demo",
    "backup": "backup",
    "restore": "backup",
    "audit": "audit",
    "export-patient": "export",
}


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.command is None:
            from consult.launch import run_app

            return run_app(args)
        module = importlib.import_module(f"consult.commands.{_COMMANDS[args.command]}")
        return module.run(args)
    except ConsultError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `consult check x | head` closing early is not an error worth a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:
        where = _log_crash()
        print(
            f"error: internal error ({type(exc).__name__}: {exc}); details in {where}",
            file=sys.stderr,
        )
        return EXIT_FAILED


def _log_crash() -> str:
    """Write the traceback to the log file, never to the terminal."""
    from consult.paths import log_file

    path = log_file()
    try:
        handler = logging.FileHandler(path, encoding="utf-8")
    except OSError:
        return "(log unavailable)"
    log.addHandler(handler)
    log.exception("unexpected error in consult %s", __version__)
    log.removeHandler(handler)
    handler.close()
    return str(path)


def database_url(args: argparse.Namespace) -> str | None:
    """The database the user chose with --database or CONSULT_DATABASE_URL, if any."""
    return getattr(args, "database", None) or os.environ.get("CONSULT_DATABASE_URL") or None
