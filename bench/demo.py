"""How long `consult demo` takes to build a clinic, and how fast patient search answers.

    .venv/bin/python bench/demo.py [--patients N] [--engine-url URL]

Builds the demo clinic (default 10,000 patients) into a new SQLite file in a temporary
folder (or the empty database at --engine-url), then times patient searches by name,
date of birth and phone digits: each the median of several runs after a warm-up.
Goal (issue 2): 10,000 patients well under a minute; a search in a few milliseconds.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from consult.demo import build_demo  # noqa: E402
from consult.storage import Database, patients, users  # noqa: E402

SEARCHES = ("maria", "sou", "ελένη", "1989-04-02", "02/04/1989", "555 12")
RUNS = 15


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
            for typed in SEARCHES:
                patients.search_patients(db, actor, typed, limit=50)
                times = []
                for _ in range(RUNS):
                    started = time.perf_counter()
                    found = patients.search_patients(db, actor, typed, limit=50)
                    times.append(time.perf_counter() - started)
                median = statistics.median(times) * 1000
                print(f"search {typed!r:16} {len(found):3} found  median {median:6.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
