"""Stderr carries only our own lines, whatever a dependency warns.

Each command runs in a fresh interpreter with every warning turned on (`-W default`
and PYTHONWARNINGS=default), as a user's shell or a newer dependency might: a
successful `documents` and `verify` print nothing at all on stderr, and what the
dependencies warned goes to the log file in the data folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from consult.documents.certificate import clinic_certificate
from consult.documents.sealing import seal


def _consult(data: Path, *argv: str, code: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CONSULT_DATA_DIR": str(data), "PYTHONWARNINGS": "default"}
    program = ["-m", "consult", *argv] if code is None else ["-c", code, *argv]
    return subprocess.run(
        [sys.executable, "-W", "default", *program],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_documents_and_verify_keep_stderr_empty_with_every_warning_on(
    examples, tmp_path, monkeypatch
):
    data = tmp_path / "data"
    data.mkdir()
    out = tmp_path / "out"
    documents = _consult(data, "documents", str(examples / "acne-scars.json"), "--out", str(out))
    assert (documents.returncode, documents.stderr) == (0, "")
    assert json.loads(documents.stdout)["consent"] == str(out / "consent.pdf")
    # Sealed with the clinic certificate in that data folder, as the app seals a signed
    # consent (no account needed here: this test is about what reaches stderr).
    monkeypatch.setenv("CONSULT_DATA_DIR", str(data))
    sealed = tmp_path / "sealed.pdf"
    pdf = (out / "consent.pdf").read_bytes()
    sealed.write_bytes(seal(pdf, clinic_certificate("Harbour Skin Clinic"), "Consent").pdf)
    verify = _consult(data, "verify", str(sealed))
    assert (verify.returncode, verify.stderr) == (0, "")
    assert verify.stdout.startswith("intact: signed by ")


# A command that warns the way dependencies do: a DeprecationWarning from library code,
# a UserWarning subclass, and a record on a library's logger that no handler takes.
WARNING_COMMAND = """
import logging, sys, warnings
import consult.commands.check as check
real_run = check.run
def noisy_run(args):
    warnings.warn("old API", DeprecationWarning, stacklevel=1)
    warnings.warn("DSA is deprecated", UserWarning, stacklevel=1)
    logging.getLogger("some.library").warning("library says hello")
    return real_run(args)
check.run = noisy_run
from consult.app.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_dependency_warnings_go_to_the_log_not_stderr(examples, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    result = _consult(data, "check", str(examples / "acne-scars.json"), code=WARNING_COMMAND)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.strip()
    log = (data / "consult.log").read_text(encoding="utf-8")
    assert "DeprecationWarning: old API" in log
    assert "UserWarning: DSA is deprecated" in log
    assert "library says hello" in log


def test_bad_input_is_still_one_error_line_with_warnings_on(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    result = _consult(data, "check", str(tmp_path / "missing.json"), code=WARNING_COMMAND)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("error: ")
