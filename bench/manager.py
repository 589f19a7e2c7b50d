"""How fast the manager's quote listing answers over 100,000 quotes (or --quotes N).

    .venv/bin/python bench/manager.py [--quotes N] [--rebuild] [--folder DIR]

Builds (once, cached in DIR, default a folder in the system temp directory; on
PostgreSQL in schema bench_manager_<N> of CONSULT_BENCH_DATABASE_URL) a clinic database
with N quotes, N/10 patients and 6 practitioners by bulk INSERTs in batches, in a child
process so its memory does not count below. Then times each query the workspace makes
— opening it (first page of 200 rows + the totals of the set) and each filter change —
through consult.storage.manager_queries, beside the same SQL written by hand on the
bare DB-API driver (sqlite3 or psycopg: no ORM, no type conversion: the floor). Product
and floor run alternately, each the median of several runs after a warm-up; on SQLite
the time is this process's CPU time (the whole query runs in it), on PostgreSQL wall
time (the server's share counts).

Goals (issues 7 and 18): every query under 150 ms and within 2x the floor, memory
under 300 MB. Prints one line per query with its ratio, the total ratio (sum of the
layer's medians over the sum of the floor's), the peak memory, and `ratio=X.XX` last:
the worst single query's ratio, the one the goal is about.
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, select  # noqa: E402

from bench.engines import alternate, engine_name, postgres_url, schema_url  # noqa: E402
from consult.access import Actor  # noqa: E402
from consult.storage.db import Database, head_revision  # noqa: E402
from consult.storage.manager_queries import (  # noqa: E402
    ManagerQueries,
    QuoteFilter,
    QuoteSort,
    local_day_start,
)
from consult.storage.models import Patient, PriceListVersion, User  # noqa: E402
from consult.storage.models.clinical import Consultation, Quote  # noqa: E402
from consult.storage.patients import search_key  # noqa: E402

QUOTES = 100_000
PAGE = 200
RUNS = 9
SEED = 7
BATCH = 20_000

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


def build(url: str, quotes: int) -> None:
    """N quotes for N/10 patients, inserted in batches so memory stays flat at any N."""
    db = Database.open(url)
    patients = max(1, quotes // 10)
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
        for count in _batches(patients):
            session.execute(insert(Patient), [_patient(rng, now) for _ in range(count)])
        first_patient = session.scalar(select(Patient.id).order_by(Patient.id))
        consultation_id = 0
        for count in _batches(quotes):
            batch = [_quote_values(rng, practitioner_ids, first_patient, patients)
                     for _ in range(count)]
            session.execute(insert(Consultation), [_consultation(q) for q in batch])
            if consultation_id == 0:
                consultation_id = session.scalar(select(Consultation.id).order_by(Consultation.id))
            session.execute(
                insert(Quote),
                [_quote(q, consultation_id + n, version_id) for n, q in enumerate(batch)],
            )
            consultation_id += count
    db.refresh_statistics()
    db.close()
    print(f"built {quotes:,} quotes in {time.perf_counter() - started:.1f} s")


def _batches(total: int) -> Iterator[int]:
    for start in range(0, total, BATCH):
        yield min(BATCH, total - start)


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


def _quote_values(
    rng: random.Random, practitioner_ids: list[int], first_patient: int, patients: int
) -> dict:
    created = START + timedelta(seconds=rng.randrange(SPAN_SECONDS))
    subtotal = Decimal(rng.randrange(7_500, 400_000)) / 100
    patient_id = first_patient + rng.randrange(patients)
    return dict(patient_id=patient_id, practitioner_id=rng.choice(practitioner_ids),
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
    where: str  # the same filter for the bare driver, with ? placeholders
    params: tuple


def scenarios(practitioner_id: int, postgres: bool) -> list[Scenario]:
    month_from, month_to = date(2024, 6, 1), date(2024, 6, 30)
    since = _stored(local_day_start(month_from), postgres)
    until = _stored(local_day_start(month_to + timedelta(days=1)), postgres)
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


def _stored(moment: datetime, postgres: bool) -> str | datetime:
    """A datetime as the storage layer binds it: naive UTC text in SQLite, aware on
    PostgreSQL (timestamptz)."""
    if postgres:
        return moment
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def through_layer(queries: ManagerQueries, scenario: Scenario) -> int:
    rows = queries.page(scenario.flt, QuoteSort(), 0, PAGE)
    totals = queries.totals(scenario.flt)
    return len(rows) + totals.count


def raw_driver(connection, scenario: Scenario, postgres: bool) -> int:
    def sql(statement: str) -> str:
        return statement.replace("?", "%s") if postgres else statement

    cursor = connection.cursor()
    cursor.execute(sql(
        "SELECT q.id, q.created_at, p.name, coalesce(u.full_name, ''), q.status, q.approval,"
        " q.total, q.currency FROM quotes q JOIN patients p ON p.id = q.patient_id"
        " LEFT OUTER JOIN users u ON u.id = q.practitioner_id"
        f" WHERE {scenario.where} ORDER BY q.created_at DESC, q.id DESC LIMIT ? OFFSET 0"),
        (*scenario.params, PAGE),
    )
    page = cursor.fetchall()
    cursor.execute(sql(
        "SELECT min(q.currency), max(q.currency), count(q.id), sum(q.total) FROM quotes q"
        f" WHERE {scenario.where}"),
        scenario.params,
    )
    totals = cursor.fetchone()
    cursor.close()
    return len(page) + totals[2]


def measure(url: str, quotes: int) -> None:
    postgres = url.startswith("postgresql")
    opened = time.perf_counter()
    db = Database.open(url)
    actor = Actor(1, "manager", "manager", "bench")
    queries = ManagerQueries(db, actor)
    practitioner_id = queries.practitioners()[0].id
    print(f"{engine_name()}, {quotes:,} quotes; database opened in "
          f"{(time.perf_counter() - opened) * 1000:.0f} ms")
    if postgres:  # a connection of its own, outside the layer's pool; reads in autocommit
        import psycopg

        connection = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"),
                                     autocommit=True)
    else:
        connection = sqlite3.connect(url.removeprefix("sqlite:///"))
    # SQLite runs inside this process: its CPU time is the query's whole cost and is not
    # inflated by other work on a shared machine. PostgreSQL works in the server: wall time.
    clock = time.perf_counter if postgres else time.process_time
    layer_total = raw_total = 0.0
    worst_ratio, worst_name, slowest = 0.0, "", 0.0
    for scenario in scenarios(practitioner_id, postgres):
        layer_answer = through_layer(queries, scenario)
        raw_answer = raw_driver(connection, scenario, postgres)
        if layer_answer != raw_answer:
            raise SystemExit(f"{scenario.name}: the query layer and the bare driver disagree "
                             f"({layer_answer} vs {raw_answer} rows)")
        paired = alternate(lambda s=scenario: through_layer(queries, s),
                           lambda s=scenario: raw_driver(connection, s, postgres), RUNS, clock)
        layer_total += paired.product_ms
        raw_total += paired.floor_ms
        slowest = max(slowest, paired.product_ms)
        if paired.ratio > worst_ratio:
            worst_ratio, worst_name = paired.ratio, scenario.name
        print(f"{scenario.name:32s} layer {paired.product_ms:7.1f} ms   bare driver "
              f"{paired.floor_ms:7.1f} ms   ({paired.ratio:.2f}x)")
    connection.close()
    db.close()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"slowest query through the layer: {slowest:.1f} ms (goal < 150 ms)")
    print(f"peak memory: {peak_mb:.0f} MB (goal < 300 MB)")
    print(f"total ratio (all queries): {layer_total / raw_total:.2f}")
    print(f"worst single query: {worst_name} (goal: every query at most 2x)")
    print(f"ratio={worst_ratio:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path,
                        default=Path(tempfile.gettempdir()) / "consult-bench-manager")
    parser.add_argument("--quotes", type=int, default=QUOTES)
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if postgres_url():
        # Named by the schema's revision: quotes cached by an older Consult are built again.
        url, cached = schema_url(f"manager_{args.quotes}_r{head_revision()}", fresh=args.rebuild)
    else:
        args.folder.mkdir(parents=True, exist_ok=True)
        path = args.folder / f"manager-{args.quotes}-r{head_revision()}.sqlite3"
        if args.rebuild and not args.build_only:
            path.unlink(missing_ok=True)
        url, cached = f"sqlite:///{path}", path.exists()
    if args.build_only:
        build(url, args.quotes)
        return 0
    if not cached:
        # A child process, so the memory of building is not counted as the query run's.
        subprocess.run([sys.executable, __file__, "--build-only", "--quotes", str(args.quotes),
                        "--folder", str(args.folder)], check=True)
    measure(url, args.quotes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
