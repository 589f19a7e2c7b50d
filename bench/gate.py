"""What signing in and the anchored audit trail add to an interaction.

Every user action goes through the service gate (the account's role read again from
the database, a refusal audited) and writes a sealed audit event whose head this
workstation anchors in its data folder. This bench opens one patient record many times
two ways, interleaved in one run on the same SQLite clinic:

- product: `consult.services.patients.open_patient` (gate + audited, sealed, anchored read)
- floor:   the same read and audit event written with the bare driver (sqlite3), no gate,
           no seal, no anchor

and prints the milliseconds each adds per interaction, whether the product's extra cost
stays under 20 ms (the goal for sign-in checks and anchoring, the password hash apart),
and `ratio=X.XX` last.

    .venv/bin/python bench/gate.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GOAL_MS = 20.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="consult-bench-gate-"))
    os.environ["CONSULT_DATA_DIR"] = str(folder / "data")
    os.environ.setdefault("CONSULT_SEAL_PASSPHRASE", "a bench-only seal passphrase")

    from consult.clinical.fileformat import Patient
    from consult.services import accounts, opening, patients
    from consult.services.acting import SignedIn

    path = folder / "clinic.sqlite3"
    database = opening.open_clinic(f"sqlite:///{path}")
    from consult.storage import users

    users.create_first_manager(
        database, clinic_name="Bench Clinic", username="bench", full_name="Bench Manager",
        password="a bench-only passphrase",
    )
    user: SignedIn = accounts.sign_in(database, "bench", "a bench-only passphrase")
    patient = patients.register(user, Patient("Ana Souza", date(1989, 4, 2)))

    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("PRAGMA synchronous = FULL")  # as the product's connection

    def product() -> None:
        patients.open_patient(user, patient.id)

    def floor() -> None:
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("SELECT * FROM patients WHERE id = ?", (patient.id,)).fetchone()
        last = raw.execute("SELECT id, hash FROM audit_events ORDER BY id DESC LIMIT 1").fetchone()
        raw.execute(
            "INSERT INTO audit_events (id, at, user_id, username, workstation, patient_id,"
            " action, outcome, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (last[0] + 1, datetime.now(UTC).isoformat(), user.actor.user_id, "bench",
             "bench", patient.id, "patient.view", "ok", "{}", last[1], "0" * 64),
        )
        raw.execute("COMMIT")

    for work in (product, floor):  # warm both before timing
        work()
    product_ms, floor_ms = [], []
    for _ in range(args.runs):
        for work, into in ((product, product_ms), (floor, floor_ms)):
            started = time.perf_counter()
            work()
            into.append((time.perf_counter() - started) * 1000)
    product_median = statistics.median(product_ms)
    floor_median = statistics.median(floor_ms)
    added = product_median - floor_median
    print(f"interactions: {args.runs} of each, interleaved")
    print(f"product (gate + sealed, anchored audit): {product_median:.2f} ms median")
    print(f"floor (bare driver, same read and event): {floor_median:.2f} ms median")
    print(f"added by sign-in checks and anchoring: {added:.2f} ms (goal under {GOAL_MS:.0f} ms: "
          f"{'yes' if added < GOAL_MS else 'no'})")
    print(f"ratio={product_median / floor_median:.2f}")


if __name__ == "__main__":
    main()
