"""Test configuration shared by every test.

The test run itself sets the offscreen Qt platform and a private data folder, so a
user never has to, and no test can touch a real clinic's database or certificate.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["CONSULT_DATA_DIR"] = tempfile.mkdtemp(prefix="consult-test-data-")
os.environ.pop("CONSULT_DATABASE_URL", None)

import keyring
from keyring.backend import KeyringBackend
from reportlab import rl_config

from tests.helpers.paths import EXAMPLES

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
