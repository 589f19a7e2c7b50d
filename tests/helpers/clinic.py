"""Clinic database fixtures for the storage and service tests.

Every test using `db` runs on SQLite, and on PostgreSQL too when
CONSULT_TEST_POSTGRES_URL is set (`eval "$(.ci/postgres.sh)"` provides one).
Registered for the storage and services test folders by their conftest.py
(`from tests.helpers.clinic import *` would hide which fixtures come from where).

Each PostgreSQL test gets a fresh schema (selected through the connection's
search_path) that is dropped afterwards, so tests never see each other's rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date

import pytest

from consult.access import Actor
from consult.clinical.fileformat import Patient
from consult.storage import Database, audit, users
from tests.helpers.templates import copy_of_new_database
from tests.postgres import ENGINES, empty_database_url


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """A URL of a new, empty database on each engine under test."""
    with empty_database_url(request.param, tmp_path) as url:
        yield url


SERVERS = [engine for engine in ENGINES if engine != "sqlite"]


@pytest.fixture(params=SERVERS)
def server(request: pytest.FixtureRequest, tmp_path) -> Iterator[Database]:
    """A new clinic database on each server engine under test (PostgreSQL, when
    CONSULT_TEST_POSTGRES_URL is set, as in CI), for tests about a server."""
    with empty_database_url(request.param, tmp_path) as url, Database.open(url) as database:
        yield database


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    copy_of_new_database(database_url)
    database = Database.open(database_url)
    try:
        yield database
    finally:
        database.close()


def _account(db: Database, manager: Actor, username: str, role: str) -> Actor:
    record = users.create_user(
        db,
        manager,
        username=username,
        full_name=username.title(),
        role=role,
        password="correct horse battery",
    )
    return record.actor("test-workstation")


@pytest.fixture
def manager(db: Database) -> Actor:
    record = users.create_first_manager(
        db,
        clinic_name="Test Clinic",
        username="mara",
        full_name="Mara Manager",
        password="correct horse battery",
    )
    return record.actor("test-workstation")


@pytest.fixture
def practitioner(db: Database, manager: Actor) -> Actor:
    return _account(db, manager, "pia", "practitioner")


@pytest.fixture
def other_practitioner(db: Database, manager: Actor) -> Actor:
    return _account(db, manager, "otto", "practitioner")


@pytest.fixture
def reception(db: Database, manager: Actor) -> Actor:
    return _account(db, manager, "rita", "reception")


@pytest.fixture
def ana() -> Patient:
    return Patient("Ana Souza", date(1989, 4, 2), 3, "ana@example.org", "+1 555 0100")


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 with the smallest cost: the hashes are real, the tests stay quick."""
    from argon2 import PasswordHasher

    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(users, "_hasher", lambda: cheap)


def _until_someone_waits_for_an_advisory_lock(db: Database) -> None:
    """Returns once a session waits for an advisory lock (an error after 60 s).

    PostgreSQL announces no such moment, so the server looks at its lock table every
    few milliseconds, as its own isolation tests do.
    """
    with db.engine.connect() as connection:
        connection.exec_driver_sql("SET statement_timeout = '60s'")
        connection.exec_driver_sql(
            "DO $$ BEGIN"
            " WHILE NOT EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND NOT granted)"
            " LOOP PERFORM pg_sleep(0.005); END LOOP;"
            " END $$"
        )


def while_the_chain_is_held(
    db: Database, actor: Actor, append: Callable[[], int]
) -> tuple[int, int]:
    """(the holder's event, what `append` returned): a transaction appends an event and
    holds the chain's lock while `append` runs in another thread; once that one waits
    for the lock, the holder commits. `append`'s error, if any, is raised here."""
    holder = db.Session()
    holder.begin()
    held = audit.record(holder, actor, "test.holding")
    appended: list[int] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            appended.append(append())
        except BaseException as error:  # handed to the test's own thread
            failed.append(error)

    waiting = threading.Thread(target=run)
    waiting.start()
    try:
        _until_someone_waits_for_an_advisory_lock(db)
        holder.commit()
    finally:
        holder.close()
        waiting.join(timeout=60)
    if failed:
        raise failed[0]
    return held, appended[0]
