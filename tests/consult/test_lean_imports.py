"""Cold commands load only what they use: pyHanko's HTTP client (aiohttp) stays out,
verifying loads no pyHanko at all, reportlab's URI pattern compiles only when used."""

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
from consult.app.lean_imports import DEFERRED
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main(sys.argv[1:])
real_pyhanko = [m for m in sys.modules if m.startswith("pyhanko") and m not in DEFERRED]
print(json.dumps({"code": code, "out": out.getvalue(),
                  "aiohttp": "aiohttp" in sys.modules,
                  "pyhanko": bool(real_pyhanko)}))
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


def test_documents_never_load_aiohttp_and_verify_loads_no_pyhanko(
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
    assert not verified["pyhanko"] and not verified["aiohttp"]


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


def test_reportlabs_uri_pattern_compiles_on_first_use_and_splits_as_before() -> None:
    code = """
import re, sys
import consult
from consult.app.lean_imports import LazyPattern
from reportlab.platypus import paragraph
assert isinstance(paragraph.uri_pat, LazyPattern), type(paragraph.uri_pat)
assert re.compile.__module__ == "re"  # the stand-in compile is gone once loaded
assert paragraph.uri_pat._compiled is None
pairs = paragraph._uri_split_pairs("https://clinic.example/consent/forms/a.pdf")
real = re.compile(paragraph.uri_pat.pattern, re.I)
assert paragraph.uri_pat.match("ftp://x.example/y").span() == real.match("ftp://x.example/y").span()
assert paragraph.uri_pat.match("not a uri") is None
print(pairs[0], type(paragraph.uri_pat._compiled).__name__)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout.split() == [
        "('https://clinic.example/consent/forms/',", "'a.pdf')", "Pattern"
    ]


# The command line as its own process: `consult` with no argv given (sys.argv read).
AS_A_PROCESS = """
import contextlib, io, json, sys
from consult.app.cli import main
sys.argv = ["consult", *sys.argv[1:]]
out = io.StringIO()
with contextlib.redirect_stdout(out):
    code = main()
def loaded(name):
    module = sys.modules.get(name)
    return module is not None and type(module).__name__ == "module"
print(json.dumps({"code": code, "out": out.getvalue(), "image_loaded": loaded("PIL.Image"),
                  "shaping_loaded": loaded("uharfbuzz")}))
"""


def _as_a_process(data_dir: Path, *argv: str) -> dict:
    env = os.environ | {
        "CONSULT_DATA_DIR": str(data_dir),
        "CONSULT_SEAL_PASSPHRASE": "a lean imports seal phrase",
    }
    result = subprocess.run(
        [sys.executable, "-c", AS_A_PROCESS, *argv], capture_output=True, text=True, cwd=ROOT,
        env=env, check=True,
    )
    assert result.stderr == ""
    return json.loads(result.stdout.splitlines()[-1])


def test_pillow_loads_only_when_a_command_reads_an_image(
    data_dir: Path, tmp_path: Path, examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.consult.documents.pdfs import signature_png
    from tests.helpers.signing import with_consent

    clinic_for_the_command_line(monkeypatch).close()
    unsigned = _as_a_process(data_dir, "documents", str(examples / "acne-scars.json"),
                             "--out", str(tmp_path / "unsigned"))
    assert unsigned["code"] == 0 and not unsigned["image_loaded"]
    assert not unsigned["shaping_loaded"]  # a Latin name shapes nothing
    for name in ("patient.png", "practitioner.png"):
        (tmp_path / name).write_bytes(signature_png())
    agreed = with_consent(examples / "acne-scars.json", tmp_path)
    signed = _as_a_process(data_dir, "documents", str(agreed), "--out", str(tmp_path / "signed"),
                           "--patient-signature", str(tmp_path / "patient.png"),
                           "--practitioner-signature", str(tmp_path / "practitioner.png"))
    assert signed["code"] == 0 and signed["image_loaded"]  # the ink was measured
    assert json.loads(signed["out"])["signed"] is True


def test_harfbuzz_loads_when_a_command_prints_an_arabic_name(
    data_dir: Path, tmp_path: Path, examples: Path
) -> None:
    from tests.consult.documents.pdfs import flat, text_of

    document = json.loads((examples / "acne-scars.json").read_text(encoding="utf-8"))
    document["patient"]["name"] = "محمد الأحمد"
    arabic = tmp_path / "arabic.json"
    arabic.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    written = _as_a_process(data_dir, "documents", str(arabic), "--out", str(tmp_path / "out"))
    assert written["code"] == 0 and written["shaping_loaded"]
    consent = (tmp_path / "out" / "consent.pdf").read_bytes()
    assert "محمد الأحمد" in flat(text_of(consent, tmp_path))
