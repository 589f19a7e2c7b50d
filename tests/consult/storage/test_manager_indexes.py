"""Migration 0003: the covering indexes of the manager's workspace, and planner statistics."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from consult.app.demo import build_demo
from consult.storage import Database
from consult.storage import db as dbmod

COVERING = {
    "ix_quotes_status_created_total": ["status", "created_at", "currency", "total"],
    "ix_quotes_approval_created_total": ["approval", "created_at", "currency", "total"],
    "ix_quotes_practitioner_created_total": ["practitioner_id", "created_at", "currency", "total"],
    "ix_quotes_created_total": ["created_at", "currency", "total"],
    "ix_quotes_patient_total": ["patient_id", "currency", "total"],
}
REPLACED = {
    "ix_quotes_status_created",
    "ix_quotes_approval_created",
    "ix_quotes_practitioner_created",
    "ix_quotes_created_at",
    "ix_quotes_patient_id",
}
# The manager's totals for one status, as consult.storage.manager_queries asks them.
STATUS_TOTALS = (
    "SELECT min(currency), max(currency), count(id), sum(total) FROM quotes "
    "WHERE status = 'accepted'"
)


def _quote_indexes(database: Database) -> dict[str, list[str]]:
    with database.engine.connect() as connection:
        return {
            index["name"]: index["column_names"]
            for index in inspect(connection).get_indexes("quotes")
        }


def _downgrade_to(database: Database, revision: str) -> None:
    config = dbmod.alembic_config()
    with database.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def _has_statistics(database: Database) -> bool:
    with database.engine.connect() as connection:
        if database.dialect == "sqlite":
            query = "SELECT count(*) FROM sqlite_stat1 WHERE idx = 'ix_quotes_status_created_total'"
        else:
            query = (
                "SELECT count(*) FROM pg_stats "
                "WHERE schemaname = current_schema() AND tablename = 'quotes'"
            )
        return bool(connection.exec_driver_sql(query).scalar())


def test_quotes_have_the_covering_indexes_instead_of_the_narrow_ones(db: Database):
    indexes = _quote_indexes(db)
    assert {name: indexes.get(name) for name in COVERING} == COVERING
    assert REPLACED.isdisjoint(indexes)
    assert "ix_quotes_consultation_id" in indexes  # untouched by 0003


def test_the_demo_leaves_planner_statistics_behind(db: Database):
    build_demo(db, patients=20, seed=3, today=date(2026, 11, 20))
    assert _has_statistics(db)


def test_sqlite_totals_a_filtered_set_from_the_covering_index_alone(tmp_path: Path):
    with Database.open(f"sqlite:///{tmp_path / 'c.sqlite3'}") as database:
        build_demo(database, patients=20, seed=3, today=date(2026, 11, 20))
        with database.engine.connect() as connection:
            explained = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {STATUS_TOTALS}")
            plan = [row[3] for row in explained]
    assert plan == ["SEARCH quotes USING COVERING INDEX ix_quotes_status_created_total (status=?)"]


def test_0003_upgrades_a_database_with_quotes_and_0002_comes_back_on_downgrade(db: Database):
    build_demo(db, patients=20, seed=3, today=date(2026, 11, 20))
    _downgrade_to(db, "0002")
    indexes = _quote_indexes(db)
    assert REPLACED <= set(indexes)
    assert set(COVERING).isdisjoint(indexes)

    dbmod.upgrade(db.engine, target="0003", administrator=True)  # this migration alone

    assert dbmod.current_revision(db.engine) == "0003"
    assert set(_quote_indexes(db)) >= set(COVERING)
    assert _has_statistics(db)


@pytest.fixture
def demo_file(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'c.sqlite3'}"
    with Database.open(url) as database:
        build_demo(database, patients=20, seed=3, today=date(2026, 11, 20))
    return url


def _set_analysed_rows(url: str, rows: int | None) -> None:
    """Pretend the last ANALYZE saw `rows` quotes (None: statistics never taken)."""
    with Database.open(url) as database, database.engine.begin() as connection:
        if rows is None:
            connection.exec_driver_sql("DELETE FROM sqlite_stat1")
        else:
            connection.execute(
                text("UPDATE sqlite_stat1 SET stat = :stat WHERE idx = 'ix_quotes_created_total'"),
                {"stat": f"{rows} 1 1 1"},
            )


def _analysed_rows(url: str) -> int:
    with Database.open(url) as database, database.engine.connect() as connection:
        return dbmod._analysed_quotes(connection)


def test_opening_analyses_a_database_whose_quotes_outgrew_the_statistics(
    demo_file: str, monkeypatch: pytest.MonkeyPatch
):
    _set_analysed_rows(demo_file, None)
    monkeypatch.setattr(dbmod, "STATISTICS_MIN_ROWS", 1)
    with Database.open(demo_file) as database, database.engine.connect() as connection:
        quotes = connection.exec_driver_sql("SELECT count(*) FROM quotes").scalar()
        assert dbmod._analysed_quotes(connection) == quotes > 0


def test_opening_leaves_statistics_that_still_fit_alone(
    demo_file: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(dbmod, "STATISTICS_MIN_ROWS", 1)
    _set_analysed_rows(demo_file, 1_000_000)
    assert _analysed_rows(demo_file) == 1_000_000


def test_a_small_database_is_not_analysed_at_start(demo_file: str):
    _set_analysed_rows(demo_file, None)
    assert _analysed_rows(demo_file) == 0  # fewer quotes than STATISTICS_MIN_ROWS
