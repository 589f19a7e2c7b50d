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
import warnings
from collections.abc import Callable, Sequence
from typing import TextIO

from consult import __version__
from consult.app.lean_imports import defer_imaging_modules
from consult.app.paths import use_private_umask
from consult.commands import record_number, signin
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


def _app_parser() -> _Parser:
    """The options of `consult` itself (the desktop app), without the subcommands."""
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
    return parser


def starts_the_app_only(argv: Sequence[str]) -> bool:
    """Whether `argv` holds nothing but the app's own options (no subcommand, no help).

    The app's start then parses them without building the fifteen subcommands' parsers
    (about 10 ms of every start); anything else goes to the full parser, so errors and
    help read exactly as before.
    """
    waiting_for_url = False
    for word in argv:
        if waiting_for_url:
            waiting_for_url = False
        elif word == "--database":
            waiting_for_url = True
        elif word != "--quit-when-ready" and not word.startswith("--database="):
            return False
    return not waiting_for_url


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    words = sys.argv[1:] if argv is None else list(argv)
    if starts_the_app_only(words):
        return _app_parser().parse_args(words, argparse.Namespace(command=None))
    return build_parser().parse_args(words)


def build_parser() -> argparse.ArgumentParser:
    parser = _app_parser()
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
    signin.add_option(documents)
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
    signin.add_option(backup)

    restore = commands.add_parser("restore", help="restore the clinic database from FILE")
    restore.add_argument("file", metavar="FILE")
    _database_option(restore)
    signin.add_option(restore)

    export = commands.add_parser(
        "export-patient", help="one patient's records and PDFs in one zip (an access request)"
    )
    export.add_argument("patient_id", metavar="PATIENT_ID", type=record_number)
    export.add_argument("--out", metavar="ZIP", required=True)
    _database_option(export)
    signin.add_option(export)

    install_desktop = commands.add_parser(
        "install-desktop", help="add Consult to this user's application menu (Linux)"
    )
    install_desktop.add_argument(
        "--remove", action="store_true", help="take it out of the menu again"
    )

    migrate = commands.add_parser(
        "migrate", help="bring the clinic database's schema up to date (the administrator)"
    )
    migrate.add_argument(
        "--workstation-role",
        metavar="ROLE",
        help="PostgreSQL: the role the workstations connect as, to grant what they need",
    )
    _database_option(migrate)
    _course_commands(commands)
    from consult.commands import photos

    photos.add_parser(commands, _database_option)

    audit = commands.add_parser("audit", help="audit trail tools")
    audit_commands = audit.add_subparsers(
        dest="audit_command", metavar="ACTION", parser_class=_Parser
    )
    audit_verify = audit_commands.add_parser(
        "verify", help="check the audit trail's hash chain, seals and this workstation's anchor"
    )
    _database_option(audit_verify)
    signin.add_option(audit_verify)
    import_key = audit_commands.add_parser(
        "import-key", help="install the clinic's audit key from a key file or a backup's .audit-key"
    )
    import_key.add_argument("file", metavar="FILE")
    return parser


def _course_commands(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    recall = commands.add_parser(
        "recall", help="every session that used a product lot (a manufacturer's recall)"
    )
    recall.add_argument("lot", metavar="LOT")
    recall.add_argument("--product", metavar="NAME", help="only lots of this product")
    recall.add_argument("--json", action="store_true", help="print JSON")
    signin.add_option(recall)
    _database_option(recall)

    lots = commands.add_parser("lots", help="the product lots and how many sessions used each")
    lots.add_argument("--json", action="store_true", help="print JSON")
    signin.add_option(lots)
    _database_option(lots)

    ics = commands.add_parser("booking-ics", help="write a booking as the patient's .ics event")
    ics.add_argument("booking_id", metavar="BOOKING_ID", type=record_number)
    ics.add_argument("--out", metavar="FILE", required=True)
    signin.add_option(ics)
    _database_option(ics)

    aftercare = commands.add_parser(
        "aftercare", help="write a signed session's aftercare sheet for the patient (PDF)"
    )
    aftercare.add_argument("session_id", metavar="SESSION_ID", type=record_number)
    aftercare.add_argument("--out", metavar="FILE", required=True)
    signin.add_option(aftercare)
    _database_option(aftercare)


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
    "install-desktop": "desktop",
    "migrate": "migrate",
    "recall": "course",
    "lots": "course",
    "booking-ics": "course",
    "aftercare": "course",
    "photos": "photos",
}


def main(
    argv: Sequence[str] | None = None,
    open_app: Callable[[argparse.Namespace], int] | None = None,
) -> int:
    """Run a subcommand; with none, `open_app` starts the desktop app (given by ui.shell.main).

    The core never imports the UI: the app's entry point passes its start-up in.
    """
    # Before anything is written: every file and folder this process creates (database,
    # WAL, log, certificates, backups, exports) is owner-only (see consult.app.paths).
    use_private_umask()
    route_warnings_to_log()
    try:
        args = parse_arguments(argv)
        if args.command is None:
            if open_app is None:
                raise ConsultError(
                    "no command given; start the desktop app with `consult` "
                    "(or `python -m ui`), or see `python -m consult --help`"
                )
            return open_app(args)
        if argv is None:
            # A command run as its own process (not a caller's or a test's): imaging
            # libraries load on first use (consult.app.lean_imports).
            defer_imaging_modules()
        module = importlib.import_module(f"consult.commands.{_COMMANDS[args.command]}")
        status: int = module.run(args)
        return status
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
    from consult.app.paths import log_file

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


class LogFileHandler(logging.Handler):
    """Appends records to the log file in the data folder, opened only when one comes.

    Nothing is created for a command that has nothing to log, and a data folder that
    cannot be written falls back to the temporary folder (consult.app.paths.log_file).
    """

    def __init__(self, level: int = logging.WARNING) -> None:
        super().__init__(level)
        self.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        from consult.app.paths import log_file

        try:
            text = self.format(record)
            path = log_file()
            descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            with os.fdopen(descriptor, "a", encoding="utf-8") as handle:
                handle.write(text + "\n")
        except (OSError, ValueError):
            # The log is the last place anything can go: losing a warning is better
            # than a traceback on the user's terminal.
            return


def route_warnings_to_log() -> None:
    """Keep stderr to our own lines, whatever a dependency warns.

    Python warnings (a library's DeprecationWarning, even under `-W default` or
    PYTHONWARNINGS) and log records no handler took (logging's "last resort", which
    prints to stderr) go to the log file in the data folder instead of the terminal.
    """
    warnings.showwarning = _log_warning
    logging.lastResort = _LOG_FILE_HANDLER


def _log_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    text = warnings.formatwarning(message, category, filename, lineno, line).rstrip()
    record = logging.LogRecord("py.warnings", logging.WARNING, filename, lineno, text, None, None)
    _LOG_FILE_HANDLER.handle(record)


_LOG_FILE_HANDLER = LogFileHandler()


def database_url(args: argparse.Namespace) -> str | None:
    """The database the user chose with --database or CONSULT_DATABASE_URL, if any."""
    return getattr(args, "database", None) or os.environ.get("CONSULT_DATABASE_URL") or None
