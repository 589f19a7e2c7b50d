"""How fast the manager's quote listing answers over 100,000 quotes.

    .venv/bin/python bench/manager.py [--rebuild] [--folder DIR]

Builds (once, cached in DIR, default a folder in the system temp directory) a clinic
database with 100,000 quotes, 10,000 patients and 6 practitioners by bulk INSERTs in
one transaction, in a child process so its memory does not count below. Then, in one
run, times each query the workspace makes — opening it (first page of 200 rows + the
totals of the set) and each filter change — through consult.storage.manager_queries,
beside the same SQL written by hand with the sqlite3 module (no ORM, no type
conversion: the floor). Each time is the median of several runs after a warm-up.

Goals (issue 7): every query under 150 ms, within 2x raw sqlite3, memory under 300 MB.
--proposed-indexes measures a copy with the covering indexes proposed for the schema
(see PROPOSED_INDEXES), to show what they would change.
Prints one line per query, the peak memory, and `ratio=X.XX` last: the sum of the
query layer's medians over the sum of raw sqlite3's.
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from consult.access import Actor  # noqa: E402
from consult.storage.db import Database  # noqa: E402
from consult.storage.manager_queries import (  # noqa: E402
    ManagerQueries,
    QuoteFilter,
    QuoteSort,
    local_day_start,
)
from consult.storage.models import (  # noqa: E402
    Consultation,
    Patient,
    PriceListVersion,
    Quote,
    User,
)
from consult.storage.patients import search_key  # noqa: E402

QUOTES = 100_000
PATIENTS = 10_000
PAGE = 200
RUNS = 7
SEED = 7
DB_NAME = f"manager-{QUOTES}.sqlite3"

FIRST = ("Ana", "Maria", "João", "Zoë", "Ελένη", "Иван", "Olga", "Tom", "Léa", "Sofía",
         "Chloé", "Marta", "Nikos", "Aiko", "Priya", "Omar", "Ingrid", "Paul", "Dário", "Eve")
LAST = ("Souza", "Silva", "Ångström", "Papadopoulou", "Петров", "Nowak", "Müller", "Smith",
        "García", "Rossi", "Dubois", "Kowalski", "O'Brien", "Nguyen", "Haddad", "Sato",
        "Novák", "Jensen", "Costa", "Lefèvre", "Ivanova", "Brown", "Takahashi", "Moreau")
STATUSES = (("draft", 10), ("presented", 20), ("accepted", 40), ("declined", 20), ("expired", 10))
APPROVALS = (("not_needed", 80), ("pending", 8), ("approved", 9), ("rejected", 3))
START = datetime(2023, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 3 * 365 * 24 * 3600


# --- building the database (in a child process) -------------------------------------------


def build(path: Path) -> None:
    path.unlink(missing_ok=True)
    db = Database.open(f"sqlite:///{path}")
    rng = random.Random(SEED)
    now = datetime.now(UTC)
    started = time.perf_counter()
    with db.Session.begin() as session:
        version_id = session.scalar(select(PriceListVersion.id))
        session.execute(insert(User), [_user("manager", "Clinic Manager", "manager", now)])
        practitioner_ids = [
            session.execute(
                insert(User).returning(User.id),
                [_user(f"practitioner{n}", f"{FIRST[n]} {LAST[n + 5]}", "practitioner", now)],
            ).scalar_one()
            for n in range(5)
        ]
        session.execute(insert(Patient), [_patient(rng, now) for _ in range(PATIENTS)])
        quotes = [_quote_values(rng, practitioner_ids) for _ in range(QUOTES)]
        session.execute(insert(Consultation), [_consultation(q) for q in quotes])
        first_consultation = session.scalar(select(Consultation.id).order_by(Consultation.id))
        session.execute(
            insert(Quote),
            [_quote(q, first_consultation + n, version_id) for n, q in enumerate(quotes)],
        )
    db.close()
    print(f"built {QUOTES:,} quotes in {time.perf_counter() - started:.1f} s: {path}")


def _user(username: str, name: str, role: str, now: datetime) -> dict:
    return dict(username=username, full_name=name, role=role, password_hash="bench-no-login",
                active=True, created_at=now, version=1)


def _patient(rng: random.Random, now: datetime) -> dict:
    name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
    born = date(1950, 1, 1) + timedelta(days=rng.randrange(50 * 365))
    return dict(name=name, date_of_birth=born, fitzpatrick=rng.randint(1, 6),
                search_key=search_key(name), created_at=now, updated_at=now, version=1)


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]


def _quote_values(rng: random.Random, practitioner_ids: list[int]) -> dict:
    created = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
    subtotal = Decimal(rng.randrange(7_500, 400_000)) / 100
    return dict(patient_id=rng.randint(1, PATIENTS), practitioner_id=rng.choice(practitioner_ids),
                created=created, subtotal=subtotal, status=_weighted(rng, STATUSES),
                approval=_weighted(rng, APPROVALS))


def _consultation(q: dict) -> dict:
    return dict(patient_id=q["patient_id"], practitioner_id=q["practitioner_id"],
                consultation_date=q["created"].date(), treatment="microneedling",
                status="completed", areas=[{"area": "cheeks", "concerns": ["acne_scars"]}],
                history={}, extra={}, screening_verdict="proceed", draft_step=0,
                created_at=q["created"], updated_at=q["created"], version=1)


def _quote(q: dict, consultation_id: int, version_id: int) -> dict:
    return dict(consultation_id=consultation_id, patient_id=q["patient_id"],
                practitioner_id=q["practitioner_id"], price_list_version_id=version_id,
                status=q["status"], approval=q["approval"], currency="USD", sessions=4,
                interval_weeks=4, tax_rate=Decimal("0"), course_discount_percent=Decimal("0"),
                manual_discount_percent=Decimal("0"), subtotal=q["subtotal"],
                discount=Decimal("0.00"), tax=Decimal("0.00"), total=q["subtotal"],
                valid_until=q["created"].date() + timedelta(days=30),
                created_at=q["created"], updated_at=q["created"], version=1)


# --- the measured queries -------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    flt: QuoteFilter
    where: str  # the same filter for raw sqlite3
    params: tuple


def scenarios(practitioner_id: int) -> list[Scenario]:
    month_from, month_to = date(2024, 6, 1), date(2024, 6, 30)
    since = _sqlite_text(local_day_start(month_from))
    until = _sqlite_text(local_day_start(month_to + timedelta(days=1)))
    name_match = "q.patient_id IN (SELECT id FROM patients WHERE search_key LIKE ? ESCAPE '\\')"
    return [
        Scenario("open (no filter)", QuoteFilter(), "1 = 1", ()),
        Scenario("status=accepted", QuoteFilter(statuses=frozenset({"accepted"})),
                 "q.status IN (?)", ("accepted",)),
        Scenario("approval=pending", QuoteFilter(approvals=frozenset({"pending"})),
                 "q.approval IN (?)", ("pending",)),
        Scenario("practitioner", QuoteFilter(practitioner_id=practitioner_id),
                 "q.practitioner_id = ?", (practitioner_id,)),
        Scenario("date range (one month)", QuoteFilter(created_from=month_from,
                                                       created_to=month_to),
                 "q.created_at >= ? AND q.created_at < ?", (since, until)),
        Scenario("patient name 'souza'", QuoteFilter(patient_name="souza"),
                 name_match, ("% souza%",)),
        Scenario("status + practitioner + name",
                 QuoteFilter(statuses=frozenset({"presented"}), practitioner_id=practitioner_id,
                             patient_name="maria"),
                 f"q.status IN (?) AND q.practitioner_id = ? AND {name_match}",
                 ("presented", practitioner_id, "% maria%")),
    ]


def _sqlite_text(moment: datetime) -> str:
    """How the storage layer writes a datetime in SQLite: naive UTC text."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def through_layer(queries: ManagerQueries, scenario: Scenario) -> int:
    rows = queries.page(scenario.flt, QuoteSort(), 0, PAGE)
    totals = queries.totals(scenario.flt)
    return len(rows) + totals.count


def raw_sqlite(connection: sqlite3.Connection, scenario: Scenario) -> int:
    page = connection.execute(
        "SELECT q.id, q.created_at, p.name, coalesce(u.full_name, ''), q.status, q.approval,"
        " q.total, q.currency FROM quotes q JOIN patients p ON p.id = q.patient_id"
        " LEFT OUTER JOIN users u ON u.id = q.practitioner_id"
        f" WHERE {scenario.where} ORDER BY q.created_at DESC, q.id DESC LIMIT ? OFFSET 0",
        (*scenario.params, PAGE),
    ).fetchall()
    totals = connection.execute(
        "SELECT min(q.currency), max(q.currency), count(q.id), sum(q.total) FROM quotes q"
        f" WHERE {scenario.where}",
        scenario.params,
    ).fetchone()
    return len(page) + totals[2]


def median_ms(run: Callable[[], int]) -> tuple[float, int]:
    answer = run()  # warm-up: statement caches, pages in the OS cache
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), answer


def measure(path: Path) -> None:
    opened = time.perf_counter()
    db = Database.open(f"sqlite:///{path}")
    actor = Actor(1, "manager", "manager", "bench")
    queries = ManagerQueries(db, actor)
    practitioner_id = queries.practitioners()[0].id
    print(f"database opened in {(time.perf_counter() - opened) * 1000:.0f} ms")
    connection = sqlite3.connect(path)
    layer_total = raw_total = 0.0
    worst = 0.0
    for scenario in scenarios(practitioner_id):
        layer_ms, layer_answer = median_ms(lambda s=scenario: through_layer(queries, s))
        raw_ms, raw_answer = median_ms(lambda s=scenario: raw_sqlite(connection, s))
        if layer_answer != raw_answer:
            raise SystemExit(f"{scenario.name}: the query layer and raw sqlite3 disagree "
                             f"({layer_answer} vs {raw_answer} rows)")
        layer_total += layer_ms
        raw_total += raw_ms
        worst = max(worst, layer_ms)
        print(f"{scenario.name:32s} layer {layer_ms:7.1f} ms   raw sqlite3 {raw_ms:7.1f} ms"
              f"   ({layer_ms / raw_ms:.2f}x)")
    connection.close()
    db.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"slowest query through the layer: {worst:.1f} ms (goal < 150 ms)")
    print(f"peak memory: {peak_mb:.0f} MB (goal < 300 MB)")
    print(f"ratio={layer_total / raw_total:.2f}")


# The indexes proposed to the lead (not in the schema yet): the five quotes indexes the
# listing filters on, each extended by (currency, total), so the totals of a filtered
# set are read from the index alone instead of one table row per quote.
PROPOSED_INDEXES = {
    "ix_bench_quotes_status_totals": "status, created_at, currency, total",
    "ix_bench_quotes_approval_totals": "approval, created_at, currency, total",
    "ix_bench_quotes_practitioner_totals": "practitioner_id, created_at, currency, total",
    "ix_bench_quotes_created_totals": "created_at, currency, total",
    "ix_bench_quotes_patient_totals": "patient_id, currency, total",
}


def with_proposed_indexes(path: Path) -> Path:
    """A copy of the bench database with the proposed indexes and planner statistics."""
    copy = path.with_name(path.stem + "-proposed-indexes.sqlite3")
    if not copy.exists():
        source, target = sqlite3.connect(path), sqlite3.connect(copy)
        source.backup(target)
        for name, columns in PROPOSED_INDEXES.items():
            target.execute(f"CREATE INDEX {name} ON quotes ({columns})")
        target.execute("ANALYZE")
        target.commit()
        source.close()
        target.close()
    return copy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path,
                        default=Path(tempfile.gettempdir()) / "consult-bench-manager")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--proposed-indexes", action="store_true",
                        help="measure a copy with the indexes proposed for the schema")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    path = args.folder / DB_NAME
    if args.build_only:
        build(path)
        return 0
    if args.rebuild or not path.exists():
        # A child process, so the memory of building is not counted as the query run's.
        subprocess.run([sys.executable, __file__, "--build-only", "--folder", str(args.folder)],
                       check=True)
    measure(with_proposed_indexes(path) if args.proposed_indexes else path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
