"""Test configuration shared by every test.

The test run itself sets the offscreen Qt platform and a private data folder, so a
user never has to, and no test can touch a real clinic's database or certificate.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# The offscreen screen is the smallest a clinic may use, 1280×720, so every widget test
# also shows that its window fits there (Qt's offscreen platform reads its screens from
# a small JSON file).
_SCREEN = Path(tempfile.mkdtemp(prefix="consult-test-screen-")) / "screen.json"
_SCREEN.write_text(
    '{"screens": [{"name": "test-1280x720", "x": 0, "y": 0, "width": 1280, "height": 720,'
    ' "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}',
    encoding="utf-8",
)
os.environ.setdefault("QT_QPA_PLATFORM", f"offscreen:configfile={_SCREEN}")
os.environ["CONSULT_DATA_DIR"] = tempfile.mkdtemp(prefix="consult-test-data-")
os.environ.pop("CONSULT_DATABASE_URL", None)

from reportlab import rl_config  # noqa: E402 (after the environment is set)

# Reproducible PDF bytes: no timestamps or random ids in what reportlab writes.
rl_config.invariant = 1

SHARED = Path(__file__).resolve().parents[2] / "shared"
EXAMPLES = SHARED / "spec" / "examples"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, empty data folder for one test."""
    folder = tmp_path / "data"
    folder.mkdir()
    monkeypatch.setenv("CONSULT_DATA_DIR", str(folder))
    return folder


@pytest.fixture
def examples() -> Path:
    if not EXAMPLES.is_dir():
        pytest.fail(f"the shared spec examples are missing at {EXAMPLES}")
    return EXAMPLES


def pytest_report_header(config: pytest.Config) -> str:
    """Say in the log which database engines the storage tests run on."""
    url = os.environ.get("CONSULT_TEST_POSTGRES_URL")
    if not url:
        return "storage engines: sqlite (set CONSULT_TEST_POSTGRES_URL to add postgresql)"
    host = url.rsplit("@", 1)[-1]
    return f"storage engines: sqlite, postgresql at {host}"


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Count the storage tests that ran on PostgreSQL, so a CI log proves both engines ran."""
    passed = terminalreporter.stats.get("passed", [])
    on_postgres = sum(1 for report in passed if "postgresql" in report.nodeid)
    terminalreporter.write_line(f"storage tests passed on postgresql: {on_postgres}")
