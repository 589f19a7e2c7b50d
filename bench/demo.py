"""How long `consult demo` takes to build a clinic, and how fast patient search answers.

    .venv/bin/python bench/demo.py [--patients N] [--engine-url URL]

Builds the demo clinic (default 10,000 patients) into a new SQLite file in a temporary
folder (or the empty database at --engine-url), then times patient searches by name,
date of birth and phone digits: each the median of several runs after a warm-up,
beside a floor: the same SQL statements run on a raw DB-API connection (no ORM, no
permission check, no audit event). Prints `ratio=X.XX` (summed medians) last.
Goal (issue 2): 10,000 patients well under a minute; a search in a few milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from consult.demo import build_demo  # noqa: E402
from consult.storage import Database, patients, users  # noqa: E402

SEARCHES = ("maria", "sou", "ελένη", "1989-04-02", "02/04/1989", "555 12")
RUNS = 15


def median_ms(run) -> float:
    run()  # warm-up
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def floor_statement(db: Database, typed: str) -> str:
    """The product's own search, compiled once to plain SQL for the floor."""
    row = patients.PatientRow
    query = patients._search_query(typed).order_by(row.search_key, row.id).limit(50)
    compiled = query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
    return str(compiled).replace("%", "%%") if db.engine.dialect.name != "sqlite" else str(compiled)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--engine-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="consult-bench-") as folder:
        url = args.engine_url or f"sqlite:///{Path(folder) / 'demo.sqlite3'}"
        with Database.open(url) as db:
            started = time.perf_counter()
            summary = build_demo(db, patients=args.patients, seed=7)
            built = time.perf_counter() - started
            print(
                f"built {summary.patients:,} patients, {summary.consultations:,} consultations, "
                f"{summary.quotes:,} quotes in {built:.1f} s"
            )
            account = next(a for a in summary.accounts if a.role == "reception")
            user = users.authenticate(db, account.username, account.password, workstation="bench")
            assert user is not None
            actor = user.actor("bench")
            raw = db.engine.raw_connection()
            product_total = floor_total = 0.0
            for typed in SEARCHES:
                found = patients.search_patients(db, actor, typed, limit=50)
                product = median_ms(partial(patients.search_patients, db, actor, typed, limit=50))
                statement = floor_statement(db, typed)
                floor = median_ms(partial(_fetch_all, raw, statement))
                product_total += product
                floor_total += floor
                print(
                    f"search {typed!r:16} {len(found):3} found  median {product:6.1f} ms"
                    f"  (floor {floor:5.1f} ms)"
                )
            raw.close()
    print(f"ratio={product_total / floor_total:.2f}")
    return 0


def _fetch_all(connection, statement: str) -> list:
    cursor = connection.cursor()
    cursor.execute(statement)
    rows = cursor.fetchall()
    cursor.close()
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
