"""How fast `consult audit verify` checks a long trail, beside a bare-driver floor.

    .venv/bin/python bench/audit_verify.py [--events N] [--database URL]

Builds a trail of N events (default 200,000; a clinic chain reaches millions) in a
new SQLite file in a temporary folder, or in the empty database at --database (or
CONSULT_BENCH_DATABASE_URL: PostgreSQL), through the product's own bulk append, so
every event is chained and sealed as the app writes it. Then times, alternately in
one run so neither gets the quieter moments:

- the product: consult.storage.audit.verify_trail (chain, seals, this seat's anchor);
- the floor: the same rows read with the bare driver (sqlite3 or psycopg, one ordered
  query) and the same keyed chain computed over them: the canonical JSON of each
  event, its sha256 link and its HMAC seal.

It also times the product on the first half of the trail, so a cost that grows
faster than the number of events shows (the goal: linear, and within 2x the floor).
Prints both medians, µs per event at N/2 and N, and `ratio=X.XX` last: the product's
median over the floor's.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# A private data folder: the bench must never touch a real clinic's key or anchors.
os.environ["CONSULT_DATA_DIR"] = tempfile.mkdtemp(prefix="consult-bench-data-")

from sqlalchemy import text  # noqa: E402

from consult.access import Actor  # noqa: E402
from consult.storage import Database, anchor, audit  # noqa: E402
from consult.storage.audit import EventDraft  # noqa: E402

RUNS = 5
BATCH = 20_000
ACTIONS = ("patient.view", "patient.search", "consultation.save_draft", "quote.view")
COLUMNS = "id, at, user_id, username, workstation, patient_id, action, outcome, detail, prev_hash, hash, mac"  # noqa: E501


def build(db: Database, events: int) -> None:
    """`events` events through the product's bulk append, in batches."""
    start = datetime.now(UTC) - timedelta(days=365)
    actors = [Actor(n, f"user{n}", "practitioner", f"desk-{n % 4}") for n in range(1, 9)]
    written = 0
    while written < events:
        size = min(BATCH, events - written)
        drafts = [
            EventDraft(
                actors[(written + n) % len(actors)],
                ACTIONS[(written + n) % len(ACTIONS)],
                patient_id=1 + (written + n) % 5000,
                detail={"results": (written + n) % 17} if (written + n) % 4 == 1 else None,
                at=start + timedelta(seconds=30 * (written + n)),
            )
            for n in range(size)
        ]
        with db.Session.begin() as session:
            audit.append_many(session, drafts)
        written += size
    db.refresh_statistics()


# --- the floor ---------------------------------------------------------------------------


def _canonical(row: tuple[Any, ...], at: str) -> str:
    fields = {
        "action": row[6],
        "at": at,
        "detail": row[8],
        "id": row[0],
        "outcome": row[7],
        "patient_id": row[5],
        "user_id": row[2],
        "username": row[3],
        "workstation": row[4],
    }
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def floor_verify(rows: Iterator[tuple[Any, ...]], at_text: Callable[[Any], str], key: bytes) -> int:
    """The same keyed chain over the same rows: returns the number of problems."""
    problems, expected_id, expected_prev = 0, 1, "0" * 64
    for row in rows:
        problems += row[0] != expected_id and row[6] != "restore"
        problems += row[9] != expected_prev
        digest = hashlib.sha256((row[9] + _canonical(row, at_text(row[1]))).encode()).hexdigest()
        problems += digest != row[10]
        if row[11] is not None:
            seal = hmac.new(key, row[10].encode("ascii"), hashlib.sha256).hexdigest()
            problems += seal != row[11]
        expected_id, expected_prev = row[0] + 1, row[10]
    return problems


def _sqlite_at(value: str) -> str:
    return datetime.fromisoformat(value).replace(tzinfo=UTC).isoformat(timespec="microseconds")


def _postgres_at(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def floor_runner(db: Database, key: bytes, up_to: int) -> Callable[[], int]:
    query = f"SELECT {COLUMNS} FROM audit_events WHERE id <= {up_to} ORDER BY id"
    if db.dialect == "sqlite":
        import sqlite3

        path = str(db.url.database)

        def run_sqlite() -> int:
            with sqlite3.connect(path) as connection:
                return floor_verify(iter(connection.execute(query)), _sqlite_at, key)

        return run_sqlite
    import psycopg

    conninfo = db.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def run_postgres() -> int:
        with psycopg.connect(conninfo) as connection, connection.cursor("floor") as cursor:
            cursor.itersize = 5000
            cursor.execute(query)
            return floor_verify(iter(cursor), _postgres_at, key)

    return run_postgres


# --- the product, on the whole trail or its first part -------------------------------------


def product_runner(db: Database, up_to: int | None) -> Callable[[], int]:
    return lambda: len(audit.verify_trail(db, up_to=up_to).problems)


def append_cost_ms(db: Database) -> tuple[float, float]:
    """Median time of one audited write (sealed, anchored) and of the anchor write alone."""
    actor = Actor(1, "user1", "practitioner", "desk-1")
    head = audit.head_of_database(db)
    appends, anchors = [], []
    for _ in range(25):
        started = time.perf_counter()
        with db.Session.begin() as session:
            audit.record(session, actor, "patient.view", patient_id=1)
        appends.append(time.perf_counter() - started)
        started = time.perf_counter()
        anchor.remember_head(db.url, head, None)
        anchors.append(time.perf_counter() - started)
    return statistics.median(appends) * 1000, statistics.median(anchors) * 1000


def timed(run: Callable[[], int]) -> float:
    started = time.perf_counter()
    problems = run()
    elapsed = time.perf_counter() - started
    if problems:
        raise SystemExit(f"the trail has {problems} problems: the bench must check an intact one")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--database", default=os.environ.get("CONSULT_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="consult-bench-") as folder:
        url = args.database or f"sqlite:///{Path(folder) / 'audit.sqlite3'}"
        with Database.open(url) as db:
            with db.engine.connect() as connection:
                if connection.execute(text("SELECT count(*) FROM audit_events")).scalar():
                    raise SystemExit(f"{url}: give an empty database (its trail is not)")
            started = time.perf_counter()
            build(db, args.events)
            print(f"built {args.events:,} events in {time.perf_counter() - started:.1f} s")
            key = audit.trail_key(db)
            assert key is not None
            with db.engine.connect() as connection:
                total = connection.execute(text("SELECT max(id) FROM audit_events")).scalar()
            half = total // 2
            runs: dict[str, tuple[Callable[[], int], list[float]]] = {
                "product": (product_runner(db, None), []),
                "floor": (floor_runner(db, key.secret, total), []),
                "product-half": (product_runner(db, half), []),
                "floor-half": (floor_runner(db, key.secret, half), []),
            }
            for run, _ in runs.values():
                timed(run)  # warm-up: caches, the key, the driver
            for _ in range(RUNS):
                for run, times in runs.values():  # interleaved
                    times.append(timed(run))
            medians = {name: statistics.median(times) for name, (_, times) in runs.items()}
            append_ms, anchor_ms = append_cost_ms(db)
    print(
        f"one audited write, sealed and anchored: {append_ms:.2f} ms, of which the "
        f"anchor file {anchor_ms:.2f} ms (goal: anchoring adds at most 20 ms)"
    )
    for name, seconds in medians.items():
        print(f"{name:<13} {seconds * 1000:9.1f} ms")
    per_event_half = medians["product-half"] / half * 1e6
    per_event = medians["product"] / total * 1e6
    print(
        f"product per event: {per_event_half:.2f} µs at {half:,}, {per_event:.2f} µs at {total:,}"
    )
    print(f"growth (per-event cost at N over N/2, 1.00 = linear): {per_event / per_event_half:.2f}")
    print(f"ratio={medians['product'] / medians['floor']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
