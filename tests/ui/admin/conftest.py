"""A real clinic database for the administration widgets' tests.

Runs on SQLite, and on PostgreSQL too when CONSULT_TEST_POSTGRES_URL is set
(`eval "$(.ci/postgres.sh)"`); each PostgreSQL test gets its own schema, dropped after.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QThreadPool

from consult.access import Actor
from consult.storage import Database, users
from tests.helpers.accounts import STAFF_PASSWORD
from tests.helpers.templates import copy_of_new_database
from tests.postgres import ENGINES, empty_database_url


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    with empty_database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def db(database_url: str, qapp) -> Iterator[Database]:
    copy_of_new_database(database_url)
    database = Database.open(database_url)
    yield database
    # No query may still be running on the pool when the database closes.
    QThreadPool.globalInstance().waitForDone()
    database.close()


@pytest.fixture
def manager(db: Database) -> Actor:
    record = users.create_first_manager(
        db, clinic_name="Test Clinic", username="mara", full_name="Mara Manager",
        password=STAFF_PASSWORD,
    )
    return record.actor("seat 1")


@pytest.fixture
def practitioner(db: Database, manager: Actor) -> Actor:
    record = users.create_user(
        db, manager, username="pia", full_name="Pia Practitioner", role="practitioner",
        password=STAFF_PASSWORD,
    )
    return record.actor("seat 2")
