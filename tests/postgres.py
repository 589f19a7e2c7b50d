"""PostgreSQL for the tests that run on every engine.

Tests run on SQLite always, and on PostgreSQL too when CONSULT_TEST_POSTGRES_URL is
set (`eval "$(.ci/postgres.sh)"` provides one). Each PostgreSQL test gets a fresh
schema, selected through the connection's search_path and dropped afterwards, so
tests never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.helpers import engines

POSTGRES_ENV = "CONSULT_TEST_POSTGRES_URL"
ENGINES = ["sqlite"] + (["postgresql"] if os.environ.get(POSTGRES_ENV) else [])


@contextmanager
def postgres_schema_url(admin_url: str, prefix: str = "test") -> Iterator[str]:
    """The URL of a new, empty schema on the server at `admin_url`, dropped on exit."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engines.used("postgresql")  # the server answered: this test really runs on it
    try:
        url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@contextmanager
def empty_database_url(engine: str, folder: Path, prefix: str = "test") -> Iterator[str]:
    """The URL of a new, empty database on `engine` (one of ENGINES): a SQLite file in
    `folder`, or a private schema on the PostgreSQL server of CONSULT_TEST_POSTGRES_URL."""
    if engine == "sqlite":
        yield f"sqlite:///{folder / 'clinic.sqlite3'}"
        return
    with postgres_schema_url(os.environ[POSTGRES_ENV], prefix) as url:
        yield url


# The role workstations connect as (`.ci/postgres.sh` creates it beside the owner).
SEAT_ENV = "CONSULT_TEST_POSTGRES_SEAT_URL"


def as_seat(owner_schema_url: str) -> str:
    """The workstation role's URL for the schema that `owner_schema_url` selects."""
    options = make_url(owner_schema_url).query["options"]
    seat = make_url(os.environ[SEAT_ENV]).update_query_dict({"options": options})
    return seat.render_as_string(hide_password=False)
