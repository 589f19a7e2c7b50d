"""Which database engine a bench runs on, and the helpers every bench shares.

Without CONSULT_BENCH_DATABASE_URL a bench uses an SQLite file in a folder of its own;
with it (a PostgreSQL URL) the bench works in a schema of its own on that server
(`bench_<name>`, selected through the connection's search_path), so a bench never
touches a clinic's tables and a cached bench database survives between runs.

Timing: product and floor are run alternately (ABAB…), never one block after the
other, so a burst of load on a shared machine hits both alike.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

BENCH_URL_ENV = "CONSULT_BENCH_DATABASE_URL"


def postgres_url() -> str | None:
    """The PostgreSQL server chosen for the benches, if any."""
    url = os.environ.get(BENCH_URL_ENV) or None
    if url and make_url(url).get_backend_name() != "postgresql":
        raise SystemExit(f"{BENCH_URL_ENV} must be a postgresql:// URL")
    return url


def engine_name() -> str:
    return "postgresql" if postgres_url() else "sqlite"


def schema_url(name: str, *, fresh: bool = False) -> tuple[str, bool]:
    """The URL of schema `bench_<name>` on the bench server, and whether it already held
    tables (a cached bench database). `fresh` drops and recreates it first."""
    url = postgres_url()
    assert url is not None
    schema = f"bench_{name}"
    admin = create_engine(url)
    with admin.begin() as connection:
        if fresh:
            connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
        existing = connection.execute(
            text("SELECT count(*) FROM information_schema.tables WHERE table_schema = :s"),
            {"s": schema},
        ).scalar_one()
    admin.dispose()
    parsed = make_url(url).set(drivername="postgresql+psycopg")
    with_path = parsed.update_query_dict({"options": f"-csearch_path={schema}"})
    return with_path.render_as_string(hide_password=False), existing > 0


def as_installed(env: dict[str, str], bytecode: Path) -> dict[str, str]:
    """`env` for a child that runs Consult as an installed copy does: from bytecode.

    pip compiles a wheel's modules as it installs them and the bundle ships them
    compiled, but a checkout's editable install has none, and a shell that sets
    PYTHONDONTWRITEBYTECODE keeps it so: every start would compile Consult's ~150
    modules again, a cost no installed copy pays. The children write theirs to
    `bytecode` (PYTHONPYCACHEPREFIX, never into the checkout) on the bench's first,
    untimed run and read it from then on; the floor's standard library is compiled.
    """
    child = {key: value for key, value in env.items() if key != "PYTHONDONTWRITEBYTECODE"}
    child["PYTHONPYCACHEPREFIX"] = str(bytecode)
    return child


def drop_schema(name: str) -> None:
    url = postgres_url()
    assert url is not None
    admin = create_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "bench_{name}" CASCADE'))
    admin.dispose()


@dataclass
class Paired:
    """Times of a product and its floor taken alternately, in milliseconds."""

    product: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)

    @property
    def product_ms(self) -> float:
        return statistics.median(self.product)

    @property
    def floor_ms(self) -> float:
        return statistics.median(self.floor)

    @property
    def ratio(self) -> float:
        return self.product_ms / self.floor_ms


def alternate(
    product: Callable[[], object],
    floor: Callable[[], object],
    runs: int,
    clock: Callable[[], float] = time.perf_counter,
) -> Paired:
    """Run product and floor alternately `runs` times each after one warm-up of each;
    `clock` is perf_counter (wall) or process_time (CPU of this process)."""
    product()
    floor()
    paired = Paired()
    for turn in range(runs * 2):
        # Who goes first alternates too: neither always follows the other.
        action, into = (
            (product, paired.product) if (turn % 2 == 0) == (turn // 2 % 2 == 0)
            else (floor, paired.floor)
        )
        started = clock()
        action()
        into.append((clock() - started) * 1000)
    return paired
