"""Time `consult --quit-when-ready` on a 10,000-patient clinic beside a bare Qt window.

The product: a subprocess starting the app as a user would (`python -m consult`), on a
demo database of 10,000 patients, signed in with a benchmark account, until the main
window is shown and the event loop is idle. The floor: a subprocess that imports
PySide6 and SQLAlchemy's ORM, shows a bare QMainWindow and quits when idle. Both are
run several times in this one run; medians are printed, `ratio=X.XX` last (goal ≤ 1.5).

The demo database is built once and cached in the temp folder. The benchmark account
is an ordinary practitioner account made in that database only, its random password
kept beside it (mode 0600); the app honours CONSULT_BENCH_USER/PASSWORD only with
--quit-when-ready, and still checks the password.

Run: .venv/bin/python bench/startup.py [--runs N] [--patients N]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CACHE = Path(tempfile.gettempdir()) / "consult-bench-startup"
BENCH_USER = "bench"

FLOOR = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
import sqlalchemy.orm  # noqa: F401  (the ORM import every Consult start pays for)
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.resize(1200, 780)
window.show()
QTimer.singleShot(0, app.quit)
sys.exit(app.exec())
"""


def build_database(patients: int) -> tuple[Path, str]:
    """The cached demo clinic and the benchmark account's password (built on first use)."""
    folder = CACHE / f"{patients}-patients"
    database = folder / "clinic.sqlite3"
    login = folder / "bench-login.json"
    if database.is_file() and login.is_file():
        return database, json.loads(login.read_text(encoding="utf-8"))["password"]
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.iterdir():
        stale.unlink()
    os.environ["CONSULT_DATA_DIR"] = str(folder)
    from consult.access import Actor
    from consult.demo import build_demo
    from consult.storage import Database, users

    started = time.perf_counter()
    with Database.open(f"sqlite:///{database}") as db:
        summary = build_demo(db, patients=patients)
        manager = next(account for account in summary.accounts if account.role == "manager")
        signed_in = users.authenticate(db, manager.username, manager.password, workstation="bench")
        assert signed_in is not None, "the demo manager could not sign in"
        password = secrets.token_urlsafe(18)
        users.create_user(
            db,
            Actor(signed_in.id, signed_in.username, signed_in.role, "bench"),
            username=BENCH_USER,
            full_name="Start-up Benchmark",
            role="practitioner",
            password=password,
        )
    login.write_text(json.dumps({"user": BENCH_USER, "password": password}), encoding="utf-8")
    login.chmod(0o600)
    print(f"built {patients:,} demo patients in {time.perf_counter() - started:.1f} s: {database}")
    return database, password


def environment(database: Path, password: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CONSULT_")}
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.update(
        CONSULT_DATA_DIR=str(database.parent),
        CONSULT_DATABASE_URL=f"sqlite:///{database}",
        CONSULT_BENCH_USER=BENCH_USER,
        CONSULT_BENCH_PASSWORD=password,
    )
    return env


def timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} failed ({result.returncode}): {result.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--patients", type=int, default=10_000)
    args = parser.parse_args()
    database, password = build_database(args.patients)
    env = environment(database, password)
    product = [sys.executable, "-m", "consult", "--quit-when-ready"]
    floor = [sys.executable, "-c", FLOOR]
    timed(product, env)  # warm the file cache and Python's bytecode for both
    timed(floor, env)
    products, floors = [], []
    for _ in range(args.runs):  # interleaved, so load on the machine hits both alike
        products.append(timed(product, env))
        floors.append(timed(floor, env))
    ours, bare = statistics.median(products), statistics.median(floors)
    print(
        f"consult --quit-when-ready, {args.patients:,} patients: median {ours * 1000:.0f} ms "
        f"(runs: {', '.join(f'{t * 1000:.0f}' for t in products)})"
    )
    print(
        f"floor (PySide6 + SQLAlchemy ORM, bare QMainWindow): median {bare * 1000:.0f} ms "
        f"(runs: {', '.join(f'{t * 1000:.0f}' for t in floors)})"
    )
    print(f"ratio={ours / bare:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
