"""A migrated, seeded clinic database made once per test run and copied for each test.

Opening a new database runs every migration and seeds the settings and prices (about
0.3 s, over a thousand times a run); a copy of one opened before opens in milliseconds
and is the same database. SQLite: the file is copied. PostgreSQL: the template schema
is dumped once with `pg_dump` and the dump replayed into each test's empty schema
(where `pg_dump` is missing or refuses, the test's schema is migrated as before).

The copy is taken before any account or audit event exists, so each test still sets up
its own clinic, audit key and anchors; the migrations themselves stay tested by
tests/consult/storage/test_db.py on empty databases.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, Engine, make_url

from consult.storage import Database

_template: Path | None = None
_TEMPLATE_SCHEMA = f"template_{uuid.uuid4().hex[:12]}"
_dump: str | None = None  # the PostgreSQL template, "" when it cannot be made


def _built_template() -> Path:
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="consult-test-template-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "clinic.sqlite3"
        Database.open(f"sqlite:///{path}").close()
        if any(folder.glob("clinic.sqlite3-*")):  # a journal left open would be lost
            raise RuntimeError(f"the template database in {folder} was not closed cleanly")
        _template = path
    return _template


def copy_of_new_database(url: str) -> None:
    """Put a new, migrated clinic database at the SQLite file `url` names.

    Does nothing for other engines, or when the file already exists.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql":
        _replay_into(parsed)
        return
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return
    target = Path(parsed.database)
    if target.exists():
        return
    shutil.copyfile(_built_template(), target)
    os.chmod(target, 0o600)  # as private as the file the app makes itself


# --------------------------------------------------------------------------- PostgreSQL


def _schema_of(url: URL) -> str | None:
    options = url.query.get("options", "")
    prefix = "-csearch_path="
    if isinstance(options, str) and options.startswith(prefix):
        return options[len(prefix) :]
    return None


def _server(url: URL) -> URL:
    return url.difference_update_query(["options"])


def _replay_into(url: URL) -> None:
    """Fill the test's new, empty schema with the template clinic (if a dump exists)."""
    schema = _schema_of(url)
    if schema is None:
        return
    dump = _postgres_dump(_server(url))
    if not dump:
        return
    engine = create_engine(_server(url))
    try:
        if _has_tables(engine, schema):
            return  # already a database: left as it is, like an existing SQLite file
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute(dump.replace(f"{_TEMPLATE_SCHEMA}.", f"{schema}."))
            raw.commit()
        finally:
            raw.close()
    finally:
        engine.dispose()


def _has_tables(engine: Engine, schema: str) -> bool:
    with engine.connect() as connection:
        found = connection.execute(
            text("SELECT count(*) FROM information_schema.tables WHERE table_schema = :schema"),
            {"schema": schema},
        ).scalar_one()
    return bool(found)


def _postgres_dump(server: URL) -> str:
    global _dump
    if _dump is None:
        _dump = _made_dump(server)
    return _dump


def _made_dump(server: URL) -> str:
    """The template schema, migrated and seeded, as SQL that fills another schema."""
    if shutil.which("pg_dump") is None:
        return ""
    engine = create_engine(server)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{_TEMPLATE_SCHEMA}"'))
    atexit.register(_drop_template, server)
    engine.dispose()
    schema_url = server.update_query_dict({"options": f"-csearch_path={_TEMPLATE_SCHEMA}"})
    Database.open(schema_url.render_as_string(hide_password=False)).close()
    result = subprocess.run(
        [
            "pg_dump", "--host", server.host or "127.0.0.1", "--port", str(server.port or 5432),
            "--username", server.username or "", "--dbname", server.database or "",
            "--schema", _TEMPLATE_SCHEMA, "--inserts", "--no-owner",
        ],
        env={**os.environ, "PGPASSWORD": server.password or ""},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return ""  # e.g. a pg_dump older than the server: migrate each schema instead
    return "\n".join(
        line
        for line in result.stdout.splitlines()
        # psql's own commands (\restrict) and the schema itself (each test makes its own)
        if not line.startswith("\\") and not line.startswith("CREATE SCHEMA ")
    )


def _drop_template(server: URL) -> None:
    engine = create_engine(server)
    try:
        with engine.begin() as connection:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{_TEMPLATE_SCHEMA}" CASCADE'))
    finally:
        engine.dispose()
