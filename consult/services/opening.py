"""Opening the clinic database: what start-up does before anyone is signed in.

These are the entry points of the app's start (and of the command line's sign-in):
they take no acting user, because nobody has signed in yet. What they return is the
opened database handle, which the signed-in user then carries (`acting.SignedIn`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from consult.app import paths
from consult.protection import encryption
from consult.records import StoredSettings

if TYPE_CHECKING:
    from consult.app.demo import DemoSummary
    from consult.clinic.settings import ClinicSettings
    from consult.pricing import PriceList
    from consult.storage.administration import MigrationReport
    from consult.storage.db import Database as Database  # the handle commands hold


class OpenedDatabase(Protocol):
    """What a screen may do with the opened database itself: hand it on, and close it.

    Everything else goes through the services, with the signed-in user.
    """

    def close(self) -> None: ...


def open_clinic(url: str | None, passphrase: str | None = None) -> Database:
    """Open (creating and migrating as needed) the clinic database; a ConsultError if not."""
    from consult.storage.db import Database

    return Database.open(url, passphrase=passphrase)


def open_existing_clinic(url: str | None, passphrase: str | None = None) -> Database:
    """Open a clinic database that exists already: a mistyped --database must not
    quietly create an empty clinic (to export from, verify or sign in to)."""
    from consult.errors import ConsultError
    from consult.storage.db import parse_url

    parsed = parse_url(url or paths.default_database_url())
    if parsed.get_backend_name() == "sqlite":
        path = Path(str(parsed.database)).expanduser()
        if not path.is_file():
            raise ConsultError(f"database {path} does not exist")
    return open_clinic(url, passphrase)


def database_label(database: Database) -> str:
    """How screens name the database: its file, or server and database name; no password."""
    from consult.storage.db import where

    return where(database.url)


def database_file_label(url: str | None) -> str:
    """The file an SQLite URL names (for the passphrase prompt)."""
    from consult.storage.db import parse_url

    return str(parse_url(url or paths.default_database_url()).database)


def needs_passphrase(url: str | None) -> bool:
    """Whether opening `url` needs a passphrase nobody has given yet (so ask for it)."""
    from consult.storage.db import is_encrypted_file, parse_url

    if encryption.passphrase_from_environment():
        return False
    parsed = parse_url(url or paths.default_database_url())
    if parsed.get_backend_name() != "sqlite":
        return False
    return is_encrypted_file(Path(str(parsed.database)).expanduser())


def clinic_on_start(database: Database) -> StoredSettings:
    """The clinic's name and lock time for the sign-in screen (no patient data in them)."""
    from consult.storage.settings import get_settings

    return get_settings(database)


def audit_key_missing(database: Database) -> str | None:
    """Why this workstation lacks the clinic's audit key (None: it has it, or none exists)."""
    from consult.storage.audit import missing_key

    return missing_key(database)


def clinic_pricing(url: str | None) -> tuple[PriceList, ClinicSettings]:
    """The clinic's price list and settings, for pricing and printing files (no patients)."""
    from consult.storage import prices, settings

    with open_clinic(url) as database:
        return prices.current_price_list(database), settings.get_settings(database).pricing


def build_demo_clinic(url: str | None, *, patients: int, seed: int) -> tuple[DemoSummary, str]:
    """Fill a new, empty database with the demo clinic; its summary and where it is."""
    from consult.app.demo import build_demo

    with open_clinic(url) as database:
        return build_demo(database, patients=patients, seed=seed), database_label(database)


def migrate_database(url: str, *, workstation_role: str | None) -> MigrationReport:
    """The administrator's schema migration (PostgreSQL: as the schema's owner)."""
    from consult.access import command_line_actor
    from consult.storage.administration import migrate

    return migrate(command_line_actor(), url, workstation_role=workstation_role)
