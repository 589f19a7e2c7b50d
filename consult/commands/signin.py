"""Signing in on the command line, as in the app: a named account, its password, its role.

Every command that reads or changes the clinic's records (export-patient, backup,
restore, audit verify, documents with signatures) acts as a signed-in account, so each
use is attributable and the role rules of the app apply. The account is `--user NAME`
or CONSULT_USER; the password is CONSULT_PASSWORD, else asked at the terminal (never
an option: it would be kept in the shell's history and shown in the process list).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import TYPE_CHECKING

from consult.errors import ConsultError

if TYPE_CHECKING:
    from consult.services.acting import SignedIn
    from consult.services.opening import Database

USER_ENV = "CONSULT_USER"
PASSWORD_ENV = "CONSULT_PASSWORD"  # noqa: S105  (the variable's name, not a password)


def add_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--user",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help=f"sign in as this account (default: ${USER_ENV}); the password comes from "
        f"${PASSWORD_ENV} or is asked at the terminal",
    )


def credentials(args: argparse.Namespace, why: str) -> tuple[str, str]:
    """The account name and password, or a one-line error saying how to give them."""
    username = getattr(args, "user", None) or os.environ.get(USER_ENV, "")
    if not username.strip():
        raise ConsultError(f"--user: {why} needs a signed-in account: give --user NAME "
                           f"(or set {USER_ENV})")
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        if not sys.stdin.isatty():
            raise ConsultError(
                f"no password for {username}: set {PASSWORD_ENV} or run the command in a "
                "terminal to be asked"
            )
        password = getpass.getpass(f"Password for {username}: ")
    return username.strip(), password


def sign_in(args: argparse.Namespace, database: Database, why: str) -> SignedIn:
    """The signed-in account (audited); wrong name, password or a locked account: exit 2."""
    from consult.access import workstation_name
    from consult.services import accounts

    username, password = credentials(args, why)
    return accounts.sign_in(database, username, password, workstation=workstation_name())
