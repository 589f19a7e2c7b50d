"""Opening the database: migrations, backups before a migration, refusals with reasons."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, func, literal, select, text

from consult.errors import ConsultError
from consult.storage import Database
from consult.storage import db as dbmod
from consult.storage.models import Base, Patient, User, is_search_index, load_all
from consult.storage.types import UTCDateTime


def test_a_new_database_is_migrated_to_the_newest_revision(db: Database):
    assert dbmod.current_revision(db.engine) == dbmod.head_revision()


def test_the_migrations_build_exactly_the_schema_of_the_models(db: Database):
    def modelled(name: str | None, _type: str, _parents: object) -> bool:
        # The trigram index (0006) is engine-specific and has no ORM class.
        return not is_search_index(name)

    load_all()  # the workspaces' tables too, whatever this test process imported so far
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": False, "include_name": modelled}
        )
        assert compare_metadata(context, Base.metadata) == []


def test_a_start_maps_only_the_common_tables_and_load_all_maps_every_one():
    """The workspaces' tables are mapped when their repositories load (start-up time);
    a patient merge, which must follow every table that names a patient, loads them all."""
    import subprocess
    import sys

    probe = (
        "from consult.services import accounts, opening, patients\n"  # what a start loads
        "from consult.storage import patients as store\n"
        "from consult.storage.models import Base\n"
        "at_start = set(Base.metadata.tables)\n"
        "store.load_all()\n"
        "print(sorted(at_start))\n"
        "print(sorted(set(Base.metadata.tables) - at_start))\n"
        "print(len(Base.registry.mappers))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    at_start, added, mapped = result.stdout.splitlines()
    assert "'patients'" in at_start and "'audit_events'" in at_start
    for table in ("consultations", "quotes", "treatment_sessions", "photos", "bookings"):
        assert f"'{table}'" in added
    assert int(mapped) == 19


def test_opening_creates_no_user_accounts(db: Database):
    with db.Session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 0


def test_sqlite_connections_use_wal_foreign_keys_and_full_sync(tmp_path: Path):
    database = Database.open(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == dbmod.BUSY_TIMEOUT_MS
    database.close()


def test_reopening_a_current_database_makes_no_backup(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    Database.open(url).close()
    Database.open(url).close()
    assert list(tmp_path.glob("*.bak")) == []


def database_at_first_revision_with_a_patient(path: Path, passphrase: str | None = None) -> None:
    """An SQLite file (encrypted when a passphrase is given) left at migration 0001."""
    engine = dbmod._engine(dbmod.parse_url(f"sqlite:///{path}"), passphrase)
    dbmod.upgrade(engine, path, target="0001", passphrase=passphrase)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(
            Patient.__table__.insert(),
            {
                "name": "Ana Souza",
                "date_of_birth": date(1989, 4, 2),
                "search_key": " ana souza",
                "created_at": now,
                "updated_at": now,
                "version": 1,
            },
        )
    engine.dispose()


def test_migrating_a_file_with_data_backs_it_up_first(tmp_path: Path):
    path = tmp_path / "clinic.sqlite3"
    database_at_first_revision_with_a_patient(path)

    database = Database.open(f"sqlite:///{path}")

    assert dbmod.current_revision(database.engine) == dbmod.head_revision()
    with database.Session() as session:
        assert session.scalar(select(Patient.name)) == "Ana Souza"
    database.close()
    (backup,) = tmp_path.glob(f"clinic.sqlite3.before-{dbmod.head_revision()}-*Z.bak")
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
        assert copy.execute("SELECT name FROM patients").fetchall() == [("Ana Souza",)]


def test_a_database_from_a_newer_consult_is_refused(database_url: str):
    Database.open(database_url).close()
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099_future'"))
    engine.dispose()

    with pytest.raises(ConsultError) as refused:
        Database.open(database_url)
    assert str(refused.value) == (
        "database was created by a newer Consult (revision 0099_future); upgrade the app"
    )


def test_a_file_that_is_not_a_database_is_refused_and_left_alone(tmp_path: Path):
    path = tmp_path / "notes.sqlite3"
    path.write_text("shopping list: needles, serum\n")

    with pytest.raises(ConsultError, match=r"is not a Consult database"):
        Database.open(f"sqlite:///{path}")
    assert path.read_text() == "shopping list: needles, serum\n"


def test_another_applications_sqlite_file_is_refused(tmp_path: Path):
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE recipes (name TEXT)")

    with pytest.raises(ConsultError, match=r"not a Consult database .it holds other tables"):
        Database.open(f"sqlite:///{path}")


def test_a_missing_folder_is_named(tmp_path: Path):
    with pytest.raises(ConsultError, match=r"database folder .*nowhere does not exist"):
        Database.open(f"sqlite:///{tmp_path / 'nowhere' / 'c.sqlite3'}")


def test_a_read_only_folder_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # Tests may run as root, who can write anywhere; the check asks os.access.
    monkeypatch.setattr(dbmod.os, "access", lambda path, mode: Path(path) != tmp_path)
    with pytest.raises(ConsultError, match=r"is read-only"):
        Database.open(f"sqlite:///{tmp_path / 'c.sqlite3'}")


def test_an_unreachable_server_is_named_without_the_password():
    url = "postgresql://clinic:s3cret-pw@127.0.0.1:1/clinic"
    with pytest.raises(ConsultError) as refused:
        Database.open(url)
    message = str(refused.value)
    assert message.startswith("cannot connect to the database server 127.0.0.1:1/clinic")
    assert "s3cret" not in message
    assert "\n" not in message


def test_postgres_urls_get_the_psycopg_driver():
    assert dbmod.parse_url("postgresql://u@h/d").drivername == "postgresql+psycopg"
    assert dbmod.parse_url("postgres://u@h/d").drivername == "postgresql+psycopg"


def test_an_unsupported_scheme_is_refused():
    with pytest.raises(ConsultError, match=r"'mysql' is not supported"):
        Database.open("mysql://u@h/d")


def test_the_default_database_lives_in_the_data_folder(data_dir: Path):
    database = Database.open(None)
    assert Path(str(database.url.database)) == data_dir / "clinic.sqlite3"
    database.close()


def test_the_head_revision_constant_matches_the_migration_scripts():
    assert dbmod.HEAD_REVISION == dbmod.head_revision()


def test_opening_an_up_to_date_database_does_not_need_alembic(tmp_path: Path):
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    Database.open(url).close()
    probe = (
        "import sys; from consult.storage import Database; "
        f"Database.open({url!r}).close(); print('alembic' in sys.modules)"
    )
    project = Path(__file__).resolve().parents[3]
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=project
    )
    assert result.stdout.strip() == "False"


def _server_pid(db: Database) -> int:
    with db.engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def test_a_server_connection_dropped_while_idle_is_replaced_before_use(
    server: Database, monkeypatch: pytest.MonkeyPatch
):
    """PostgreSQL: a connection idle past PING_AFTER_IDLE_S is asked first, and one the
    server dropped is replaced unseen; one in steady use is not asked at all."""
    db = server
    first = _server_pid(db)
    assert _server_pid(db) == first  # the pool hands the same connection back

    pings: list[object] = []
    real_ping = dbmod._ping
    monkeypatch.setattr(dbmod, "_ping", lambda connection: (pings.append(1), real_ping(connection)))
    _server_pid(db)
    assert pings == []  # used a moment ago: no round trip spent asking

    with Database.open(str(db.url.render_as_string(hide_password=False))) as other:
        with other.engine.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_terminate_backend({first})")
    monkeypatch.setattr(dbmod, "PING_AFTER_IDLE_S", 0.0)  # as if idle all night
    replacement = _server_pid(db)
    assert pings == [1]
    assert replacement != first
    with db.Session() as session:  # and the clinic's work goes on
        assert session.execute(text("SELECT 1")).scalar_one() == 1


def test_postgres_gives_times_in_utc_as_datetime_utc(server: Database):
    """Every connection's TimeZone is UTC, so a stored time needs no converting."""
    moment = datetime(2026, 12, 6, 21, 30, tzinfo=ZoneInfo("Europe/Lisbon"))
    with server.Session() as session:
        assert session.execute(text("SHOW TimeZone")).scalar_one() == "UTC"
        value = session.execute(select(literal(moment, UTCDateTime()))).scalar_one()
    assert value == moment and value.tzinfo is UTC


def test_postgres_plans_each_search_for_its_own_values(server: Database):
    """A prepared search must not fall back to one plan for any words typed."""
    with server.Session() as session:
        assert session.execute(text("SHOW plan_cache_mode")).scalar_one() == "force_custom_plan"
