"""Dumping and restoring a PostgreSQL clinic database with pg_dump / pg_restore.

The password travels in PGPASSWORD, not on the command line, where any user of the
machine could read it in the process list.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from consult.errors import ConsultError
from consult.protection.files import publish, temporary_beside
from consult.protection.input_files import require_regular_file
from consult.protection.sqlite_files import VERSION_TABLE

_SEARCH_PATH = re.compile(r"-c\s*search_path=([^\s,]+)")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise ConsultError(
            f"{name} is not installed or not on PATH; install the PostgreSQL client tools "
            "to back up or restore a PostgreSQL database"
        )
    return path


def tool(name: str) -> str:
    """The PostgreSQL client program's path, or a one-line error saying what to install."""
    return _tool(name)


def require_client_tools() -> None:
    """Refuse early, before anything is opened or written, when the tools are missing."""
    _tool("pg_dump")
    _tool("pg_restore")


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The libpq connection URI for a SQLAlchemy URL, and the environment carrying its password."""
    parsed = make_url(url)
    environment = dict(os.environ)
    if parsed.password:
        environment["PGPASSWORD"] = str(parsed.password)
    without_password = parsed.set(drivername="postgresql", password=None)
    return without_password.render_as_string(hide_password=False), environment


def _schema(url: str) -> str | None:
    """The schema a URL selects with `options=-csearch_path=NAME`, if any.

    A clinic database normally lives in `public` of its own database; one that shares
    a database (a hosting plan with one database, the tests) is a schema chosen
    through the search path, and only that schema is backed up.
    """
    options = make_url(url).query.get("options", "")
    for option in (options,) if isinstance(options, str) else options:
        found = _SEARCH_PATH.search(option)
        if found:
            return found.group(1)
    return None


def _run(command: list[str], environment: dict[str, str], what: str) -> str:
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise ConsultError(f"{what} failed: {detail}")
    return result.stdout


def dump_to_file(
    url: str, target: Path, *, check: bool = True, snapshot: str | None = None
) -> None:
    """pg_dump in custom format to a temporary file beside `target`, then rename.

    With `check` the dump must be of a Consult database; the safety copy taken before
    a restore is kept whatever the database held (it may be empty or foreign).
    `snapshot` (from pg_export_snapshot) makes the dump show exactly what the
    exporting transaction sees, so a backup knows its own last audit event.
    """
    pg_dump = _tool("pg_dump")
    conninfo, environment = _libpq(url)
    schema = _schema(url)
    only_schema = [f"--schema={schema}"] if schema else []
    if snapshot is not None:
        only_schema.append(f"--snapshot={snapshot}")
    with temporary_beside(target) as temporary:
        _run(
            [pg_dump, "--format=custom", *only_schema, f"--file={temporary}", "--dbname", conninfo],
            environment,
            "pg_dump",
        )
        if check:
            require_consult_dump(temporary)
        publish(temporary, target)


@dataclass(frozen=True)
class DumpInfo:
    schema: str  # the PostgreSQL schema the tables were dumped from
    revision: str  # the Consult schema revision (alembic)


def require_consult_dump(file: Path) -> DumpInfo:
    """Check `file` is a pg_dump archive of a Consult database; say what it holds."""
    require_regular_file(file, "backup file")
    pg_restore = _tool("pg_restore")
    refusal = f"{file}: is not a Consult database backup"
    listing = subprocess.run(
        [pg_restore, "--list", str(file)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        raise ConsultError(f"{refusal} (pg_restore cannot read it)")
    # Table of contents lines read "215; 1259 16386 TABLE public alembic_version owner".
    schemas = {
        words[-3]
        for words in (line.split() for line in listing.stdout.splitlines())
        if "TABLE" in words and words[-2:-1] == [VERSION_TABLE]
    }
    if len(schemas) != 1:
        raise ConsultError(f"{refusal} (it has no {VERSION_TABLE} table)")
    revision = _dumped_revision(pg_restore, file)
    if revision is None:
        raise ConsultError(f"{refusal} (its schema version is missing)")
    return DumpInfo(schemas.pop(), revision)


def require_same_schema(url: str, dump: DumpInfo, file: Path) -> None:
    """pg_restore writes into the schema the dump came from; refuse any other target."""
    target = _schema(url) or "public"
    if dump.schema != target:
        raise ConsultError(
            f"{file}: holds the PostgreSQL schema {dump.schema!r} but the database uses "
            f"{target!r}; restore it into a database whose search path is {dump.schema!r}"
        )


def _dumped_revision(pg_restore: str, file: Path) -> str | None:
    """The row of the version table, read from the archive as the COPY data it holds."""
    script = subprocess.run(
        [pg_restore, "--data-only", f"--table={VERSION_TABLE}", "--file=-", str(file)],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()
    for number, line in enumerate(script[:-1]):
        if line.startswith("COPY ") and f"{VERSION_TABLE} " in line and script[number + 1] != "\\.":
            return script[number + 1].strip()
    return None


def restore_from_file(url: str, file: Path) -> None:
    """pg_restore --clean in one transaction: the database ends fully restored or unchanged."""
    pg_restore = _tool("pg_restore")
    conninfo, environment = _libpq(url)
    _run(
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={conninfo}",
            str(file),
        ],
        environment,
        "pg_restore",
    )
