"""`consult check FILE [--json]` through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from consult.app import cli

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
    # The isotretinoin defer and the clearance are about the whole treatment (spec).
    assert document["blocked_areas"] == ["jawline", "chest"]
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
    assert lines[-1] == "Blocked areas: Jawline, Chest (décolleté)"
    assert (
        "  Jawline: not today: isotretinoin_recent_rf, until 2027-02-01;"
        " anticoagulants, after written clearance"
    ) in lines
    assert "  Chest (décolleté): not today, left out of the treatment: tattoo (decline)" in lines
    assert (
        "First session: not booked until resolved (anticoagulants),"
        " and not before 2027-02-01 (isotretinoin_recent_rf)"
    ) in lines


def test_precautions_still_exit_zero(capsys, examples) -> None:
    code, out, _ = run(capsys, str(examples / "acne-scars.json"))
    assert code == 0
    assert "Verdict: Proceed with precautions" in out
    assert "Antiviral prophylaxis" in out
    assert out.splitlines()[-1] == "Blocked areas: none"
    assert "  Cheeks: can be treated today" in out.splitlines()
    # Before-care: a smoker stops 2 weeks before, so the course cannot start today.
    assert "First session: on or after 2026-12-04 (smoker)" in out.splitlines()


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


def _write(tmp_path: Path, examples: Path, **changes: object) -> Path:
    document = json.loads((examples / "acne-scars.json").read_text(encoding="utf-8"))
    document.update(changes)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("history", "born"),
    [
        ({"pregnant": True}, "1989-04-02"),
        ({"keloid_scarring": True}, "1989-04-02"),
        ({"cold_sores": {"status": "active"}}, "1989-04-02"),
        ({"isotretinoin": {"status": "current"}}, "1989-04-02"),
        ({"bleeding_disorder": True}, "1989-04-02"),
        ({}, "2010-05-05"),
    ],
)
def test_whole_patient_findings_block_every_area_in_both_outputs(
    capsys, examples, tmp_path: Path, history: dict, born: str
) -> None:
    path = _write(
        tmp_path,
        examples,
        history=history,
        patient={"name": "Ana Souza", "date_of_birth": born},
    )
    code, out, _ = run(capsys, str(path), "--json")
    assert code == 0
    assert json.loads(out)["blocked_areas"] == ["cheeks", "forehead", "neck"]
    code, text, _ = run(capsys, str(path))
    assert code == 0 and "Blocked areas: none" not in text
    assert text.splitlines()[-1] == "Blocked areas: Cheeks, Forehead, Neck"
    assert "can be treated today" not in text


def test_partial_verdict_names_each_area(capsys, examples, tmp_path: Path) -> None:
    path = _write(tmp_path, examples, history={"tattoo": {"areas": ["neck"]}})
    _, out, _ = run(capsys, str(path), "--json")
    document = json.loads(out)
    # The JSON verdict keeps the spec's meaning: the most serious, as requested.
    assert (document["verdict"], document["blocked_areas"]) == ("decline", ["neck"])
    _, text, _ = run(capsys, str(path))
    lines = text.splitlines()
    assert "  Cheeks: can be treated today" in lines
    assert "  Forehead: can be treated today" in lines
    assert "  Neck: not today, left out of the treatment: tattoo (decline)" in lines


@pytest.mark.parametrize(
    ("entry", "rule", "rebook"),
    [
        ({"date": "2026-10-16", "note": "deep TCA peel"}, "laser_or_peel_kind_not_given", None),
        ({"date": "2026-10-16", "kind": "medium_peel"}, "laser_or_peel_ablative", "2027-01-16"),
        ({"date": "2026-10-16", "kind": "dermabrasion"}, "laser_or_peel_ablative", "2027-01-16"),
        ({"date": "2026-10-16", "kind": "ipl"}, None, None),
        ({"kind": "ipl"}, "laser_or_peel_recent", "2026-12-11"),
    ],
)
def test_laser_or_peel_kind_through_the_command_line(
    capsys, examples, tmp_path: Path, entry: dict, rule: str | None, rebook: str | None
) -> None:
    path = _write(tmp_path, examples, history={"laser_or_peel": entry})
    code, out, _ = run(capsys, str(path), "--json")
    assert code == 0
    findings = {f["rule"]: f for f in json.loads(out)["findings"]}
    if rule is None:
        assert not any(name.startswith("laser_or_peel") for name in findings)
        return
    assert findings[rule]["severity"] == "defer"
    if rebook is not None:
        assert findings[rule]["rebook_on"] == rebook
    if "date" not in entry:
        assert "ask for the date" in findings[rule]["message"]
    if "kind" not in entry:
        assert "Confirm with the patient what was done" in findings[rule]["action"]


def test_a_bad_kind_is_one_line_naming_the_field(capsys, examples, tmp_path: Path) -> None:
    path = _write(tmp_path, examples, history={"laser_or_peel": {"kind": "co2"}})
    code, out, err = run(capsys, str(path))
    assert (code, out) == (2, "")
    assert err.startswith('error: history.laser_or_peel.kind: "co2" is not one of ')
    assert err.count("\n") == 1
