"""`consult check FILE [--json]` through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from consult import cli

ROOT = Path(__file__).resolve().parents[3]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_for_the_rf_example(capsys, examples) -> None:
    code, out, err = run(capsys, str(examples / "rf-with-history.json"), "--json")
    assert (code, err) == (0, "")
    document = json.loads(out)
    assert document["verdict"] == "decline"
    assert document["blocked_areas"] == ["chest"]
    rules = {finding["rule"]: finding for finding in document["findings"]}
    assert set(rules) == {"tattoo", "isotretinoin_recent_rf", "anticoagulants"}
    assert rules["isotretinoin_recent_rf"]["rebook_on"] == "2027-02-01"
    assert rules["tattoo"]["areas"] == ["chest"]
    for finding in document["findings"]:
        assert {"rule", "severity", "areas", "message", "action", "source"} <= set(finding)


def test_text_for_a_person(capsys, examples) -> None:
    code, out, _ = run(capsys, str(examples / "rf-with-history.json"))
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Marek Kowalczyk: Radio-frequency micro-needling, 2026-11-20"
    assert lines[1].startswith("Verdict: Decline")
    assert "1. DECLINE: tattoo (Chest (décolleté))" in lines
    assert "2. DEFER: isotretinoin_recent_rf (whole treatment)" in lines
    assert any("Rebook on or after 2027-02-01" in line for line in lines)
    assert any(line.strip().startswith("Source: ") for line in lines)
    assert lines[-1] == "Blocked areas: Chest (décolleté)"


def test_precautions_still_exit_zero(capsys, examples) -> None:
    code, out, _ = run(capsys, str(examples / "acne-scars.json"))
    assert code == 0
    assert "Verdict: Proceed with precautions" in out
    assert "Antiviral prophylaxis" in out
    assert out.splitlines()[-1] == "Blocked areas: none"


def test_a_clean_file_says_no_findings(capsys, examples, tmp_path: Path) -> None:
    document = json.loads((examples / "acne-scars.json").read_text(encoding="utf-8"))
    document["history"] = {}
    path = tmp_path / "clean.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, out, _ = run(capsys, str(path))
    assert (
        code == 0 and "No findings." in out and out.splitlines()[1].startswith("Verdict: Proceed")
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"consultation_date": "2026-02-30"}, "consultation_date"),
        ({"history": {"isotretinoin": {"date": "2026-02-30"}}}, "history.isotretinoin.date"),
        ({"treatment": "laser"}, "treatment"),
    ],
)
def test_bad_file_is_one_error_line_naming_the_field(
    capsys, examples, tmp_path: Path, change: dict, field: str
) -> None:
    document = json.loads((examples / "acne-scars.json").read_text(encoding="utf-8"))
    document.update(change)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    code, out, err = run(capsys, str(path), "--json")
    assert code == 2 and out == ""
    assert err.startswith(f"error: {field}: ") and err.count("\n") == 1


def test_missing_file(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, str(tmp_path / "nowhere.json"))
    assert code == 2 and "no such file" in err


def test_subprocess_end_to_end(examples, tmp_path: Path) -> None:
    python = ROOT / ".venv" / "bin" / "python"
    executable = str(python) if python.exists() else sys.executable
    good = subprocess.run(
        [executable, "-m", "consult", "check", str(examples / "acne-scars.json"), "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert good.returncode == 0, good.stderr
    assert json.loads(good.stdout)["verdict"] == "precautions"

    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "consult/1", "consultation_date": "2026-13-01"}', encoding="utf-8")
    failed = subprocess.run(
        [executable, "-m", "consult", "check", str(bad)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert failed.returncode == 2
    assert failed.stdout == ""
    assert failed.stderr.startswith("error: consultation_date: ")
    assert len(failed.stderr.splitlines()) == 1 and "Traceback" not in failed.stderr
