"""Cold commands load only what they use: pyHanko's HTTP client (aiohttp) stays out."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.signing import clinic_for_the_command_line

ROOT = Path(__file__).resolve().parents[2]

# Runs the real command line in a fresh interpreter, then reports what it loaded.
PROBE = """
import contextlib, io, json, sys
from consult.app.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(sys.argv[1:])
print(json.dumps({"code": code, "out": out.getvalue(),
                  "aiohttp": "aiohttp" in sys.modules,
                  "pyhanko": "pyhanko.sign.validation" in sys.modules}))
"""


def _probe(data_dir: Path, *argv: str) -> dict:
    # A child process has no share in the tests' in-memory keyring: the seal's passphrase
    # comes from the environment, as on a workstation without a keyring.
    env = os.environ | {
        "CONSULT_DATA_DIR": str(data_dir),
        "CONSULT_SEAL_PASSPHRASE": "a lean imports seal phrase",
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, cwd=ROOT,
        env=env, check=True,
    )
    return json.loads(result.stdout.splitlines()[-1])


def test_documents_and_verify_never_load_aiohttp(
    data_dir: Path, tmp_path: Path, examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clinic_for_the_command_line(monkeypatch).close()  # a set-up clinic seals its plans
    data = data_dir
    written = _probe(data, "documents", str(examples / "acne-scars.json"),
                     "--out", str(tmp_path / "out"))
    assert written["code"] == 0 and written["pyhanko"]
    assert not written["aiohttp"]
    verified = _probe(data, "verify", json.loads(written["out"])["plan"])
    assert verified["code"] == 0 and verified["out"].startswith("intact: signed by ")
    assert verified["pyhanko"] and not verified["aiohttp"]


def test_the_deferred_classes_still_give_pyhankos_own() -> None:
    code = """
import sys
import consult
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
assert "aiohttp" not in sys.modules
stamper = HTTPTimeStamper("http://tsa.invalid/")
backend = AIOHttpFetcherBackend()
print(type(stamper).__module__, type(backend).__module__, "aiohttp" in sys.modules)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout.split() == [
        "pyhanko.sign.timestamps.aiohttp_client",
        "pyhanko_certvalidator.fetchers.aiohttp_fetchers",
        "True",
    ]
