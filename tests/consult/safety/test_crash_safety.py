"""Pulling the plug: a writer killed with SIGKILL mid-save, again and again.

After every round the database must pass SQLite's integrity check, hold every save
that was acknowledged, and keep an intact audit chain.
"""

from __future__ import annotations

import os
import selectors
import signal
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import pytest

from consult.storage import Database
from consult.storage.audit import verify_chain
from tests.consult.safety.clinic import integrity, new_clinic

ROOT = Path(__file__).resolve().parents[3]
ROUNDS = 5
# A different number of acknowledgements per round moves the kill to different points.
ACKS_PER_ROUND = (1, 4, 9, 2, 6)
# Only a bound, so a hung writer fails the test instead of hanging it; never a timing.
LINE_BOUND_SECONDS = 120


def _start_writer(url: str, example: Path, stderr: Path) -> subprocess.Popen[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    with stderr.open("w") as errors:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(
            [sys.executable, "-m", "tests.consult.safety.crash_writer", url, str(example)],
            cwd=ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )


def _read_acknowledgements(writer: subprocess.Popen[str], wanted: int, stderr: Path) -> list[int]:
    acknowledged: list[int] = []
    assert writer.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(writer.stdout, selectors.EVENT_READ)
        while len(acknowledged) < wanted:
            if not selector.select(timeout=LINE_BOUND_SECONDS):
                pytest.fail(f"the writer acknowledged nothing for {LINE_BOUND_SECONDS} s")
            line = writer.stdout.readline()
            if not line:
                pytest.fail(f"the writer stopped on its own: {stderr.read_text()}")
            acknowledged.append(int(line))
    return acknowledged


def _stored_consultations(path: Path) -> set[int]:
    with closing(sqlite3.connect(path)) as connection:
        return {row[0] for row in connection.execute("SELECT id FROM consultations")}


@pytest.mark.slow
def test_sigkill_mid_save_loses_no_acknowledged_save(
    tmp_path: Path, data_dir: Path, examples: Path
) -> None:
    path = tmp_path / "clinic.sqlite3"
    url = new_clinic(path)
    acknowledged: list[int] = []

    for round_number in range(ROUNDS):
        stderr = tmp_path / f"writer-{round_number}.err"
        writer = _start_writer(url, examples / "rf-with-history.json", stderr)
        try:
            acknowledged += _read_acknowledgements(writer, ACKS_PER_ROUND[round_number], stderr)
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.wait()
            writer.stdout.close()
        assert writer.returncode == -signal.SIGKILL

        assert integrity(path) == ["ok"], f"round {round_number}"
        missing = set(acknowledged) - _stored_consultations(path)
        assert not missing, f"round {round_number}: acknowledged saves lost: {sorted(missing)}"

    assert len(acknowledged) == sum(ACKS_PER_ROUND)
    with Database.open(url) as database:
        assert verify_chain(database) == []
