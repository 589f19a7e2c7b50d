"""`consult migrate`, and the workstation role that cannot rewrite the clinic's history.

On PostgreSQL the schema's owner migrates and the workstations connect as a role
that may read and write records but not drop triggers, alter tables, or change or
delete audit events and signed consents. On SQLite the app migrates at start.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.exc import ProgrammingError

from consult.app.cli import main
from consult.clinical import fileformat
from consult.errors import ConsultError
from consult.storage import Database, patients
from consult.storage import db as dbmod
from tests.consult.safety.clinic import MANAGER
from tests.postgres import ENGINES, SEAT_ENV, as_seat, empty_database_url


@pytest.fixture(params=ENGINES)
def owner_url(request: pytest.FixtureRequest, tmp_path: Path, data_dir: Path) -> Iterator[str]:
    with empty_database_url(request.param, tmp_path, prefix="roles") as url:
        yield url


def _downgrade(url: str, revision: str) -> None:
    with Database.open(url) as database, database.engine.begin() as connection:
        config = dbmod.alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_migrate_brings_an_older_schema_to_this_version(
    owner_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _downgrade(owner_url, "0003")
    capsys.readouterr()

    assert main(["migrate", "--database", owner_url]) == 0

    out = capsys.readouterr().out
    assert out.endswith(f"migrated from revision 0003 to revision {dbmod.HEAD_REVISION}\n")
    assert main(["migrate", "--database", owner_url]) == 0
    assert "is up to date" in capsys.readouterr().out


def test_an_older_postgres_schema_is_left_to_the_administrator(owner_url: str) -> None:
    _downgrade(owner_url, "0003")
    if owner_url.startswith("sqlite"):
        Database.open(owner_url).close()  # SQLite migrates at start, after a backup copy
        return
    with pytest.raises(ConsultError, match=r"ask your administrator to run consult migrate$"):
        Database.open(owner_url)


def test_a_workstation_role_is_refused_on_sqlite(owner_url: str, capsys) -> None:
    if owner_url.startswith("sqlite"):
        assert main(["migrate", "--database", owner_url, "--workstation-role", "desk"]) == 2
        assert capsys.readouterr().err == (
            "error: --workstation-role: roles exist only on PostgreSQL\n"
        )
        return
    assert main(["migrate", "--database", owner_url, "--workstation-role", "no_such_role"]) == 2
    assert "the role no_such_role does not exist" in capsys.readouterr().err


if os.environ.get(SEAT_ENV):  # .ci/postgres.sh creates the workstation role

    @pytest.fixture
    def seat_url(tmp_path: Path, data_dir: Path) -> Iterator[str]:
        with empty_database_url("postgresql", tmp_path, prefix="seat") as owner:
            Database.open(owner).close()  # the first set-up, by the owner
            seat = as_seat(owner)
            assert main(["migrate", "--database", owner, "--workstation-role", _role()]) == 0
            yield seat

    def _role() -> str:
        return str(create_engine(os.environ[SEAT_ENV]).url.username)

    @pytest.mark.parametrize(
        "statement",
        [
            "DROP TRIGGER audit_events_append_only ON audit_events",
            "ALTER TABLE audit_events DISABLE TRIGGER USER",
            "ALTER TABLE patients ADD COLUMN note text",
            "UPDATE audit_events SET username = 'nobody'",
            "DELETE FROM audit_events",
            "TRUNCATE audit_events",
            "UPDATE consent_records SET sha256 = ''",
            "DELETE FROM consent_records",
            "UPDATE alembic_version SET version_num = '0001'",
            "CREATE TABLE intruder (id int)",
        ],
    )
    def test_the_workstation_role_cannot_rewrite_history(seat_url: str, statement: str) -> None:
        engine = create_engine(seat_url)
        try:
            with pytest.raises(ProgrammingError, match=r"permission denied|must be owner"):
                with engine.begin() as connection:
                    connection.execute(text(statement))
        finally:
            engine.dispose()

    def test_the_workstation_role_does_the_clinics_work(seat_url: str) -> None:
        with Database.open(seat_url) as database:
            ana = fileformat.Patient("Ana Souza", date(1989, 4, 2))
            record = patients.create_patient(database, MANAGER, ana)
            assert patients.get_patient(database, MANAGER, record.id).name == "Ana Souza"

    def test_a_workstation_finding_an_older_schema_says_whom_to_ask(
        seat_url: str, capsys: pytest.CaptureFixture[str]
    ) -> None:
        _downgrade(_owner_of(seat_url), "0003")

        assert main(["audit", "verify", "--database", seat_url]) == 2

        assert capsys.readouterr().err.endswith("ask your administrator to run consult migrate\n")

    def _owner_of(seat_url: str) -> str:
        from sqlalchemy.engine import make_url

        options = make_url(seat_url).query["options"]
        owner = make_url(os.environ["CONSULT_TEST_POSTGRES_URL"]).update_query_dict(
            {"options": options}
        )
        return owner.render_as_string(hide_password=False)
