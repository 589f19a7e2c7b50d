"""A copy of the template clinic is a new, migrated, private database, made only for SQLite."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import func, select

from consult.storage import Database, users
from consult.storage.db import HEAD_REVISION, current_revision
from consult.storage.models import AuditEvent, PriceListVersion, User
from tests.helpers.templates import copy_of_new_database
from tests.postgres import POSTGRES_ENV, postgres_schema_url


def test_a_copy_opens_migrated_and_seeded_with_no_accounts_or_events(tmp_path, data_dir):
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    copy_of_new_database(url)
    assert stat.S_IMODE((tmp_path / "clinic.sqlite3").stat().st_mode) == 0o600
    with Database.open(url) as db:
        assert current_revision(db.engine) == HEAD_REVISION
        with db.Session() as session:
            count = select(func.count()).select_from
            assert session.scalar(count(PriceListVersion)) == 1
            assert session.scalar(count(User)) == 0
            assert session.scalar(count(AuditEvent)) == 0


def test_an_existing_file_is_left_alone(tmp_path):
    existing = tmp_path / "clinic.sqlite3"
    existing.write_bytes(b"kept")
    copy_of_new_database(f"sqlite:///{existing}")
    assert existing.read_bytes() == b"kept"


def test_other_engines_are_left_to_their_own_fixtures(tmp_path):
    copy_of_new_database("postgresql+psycopg://user:pw@127.0.0.1:1/clinic")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(POSTGRES_ENV not in os.environ, reason="needs CONSULT_TEST_POSTGRES_URL")
def test_a_postgres_schema_is_filled_with_the_same_clinic(data_dir):
    with postgres_schema_url(os.environ[POSTGRES_ENV]) as url:
        copy_of_new_database(url)
        with Database.open(url) as db:
            assert current_revision(db.engine) == HEAD_REVISION
            with db.Session() as session:
                count = select(func.count()).select_from
                assert session.scalar(count(PriceListVersion)) == 1
                assert session.scalar(count(User)) == 0
            # The copy is a whole clinic: its sequences go on from the seeded rows.
            manager = users.create_first_manager(
                db,
                clinic_name="Copy",
                username="mara",
                full_name="Mara",
                password="correct horse battery",
            )
            assert manager.id == 1
