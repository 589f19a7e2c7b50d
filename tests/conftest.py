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

import keyring  # noqa: E402  (after the environment is set)
from keyring.backend import KeyringBackend  # noqa: E402
from reportlab import rl_config  # noqa: E402

from tests.helpers.paths import EXAMPLES  # noqa: E402

# engines: the closing "storage tests passed on postgresql: N" line (tests/helpers/engines.py);
# pytester: the tests of that line run a small pytest session of their own.
pytest_plugins = ("tests.helpers.engines", "pytester")

# Reproducible PDF bytes: no timestamps or random ids in what reportlab writes.
rl_config.invariant = 1



class MemoryKeyring(KeyringBackend):
    """The OS keyring for the tests: this machine has no Secret Service to use."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.entries.pop((service, username), None)


# Entries are per data folder (the keyring account), so tests never share a passphrase.
keyring.set_keyring(MemoryKeyring())



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
