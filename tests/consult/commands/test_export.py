"""`consult export-patient PATIENT_ID --out ZIP`, on a real clinic database."""

from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

import pytest

from consult.app.cli import main
from consult.commands import export
from tests.consult.safety.clinic import last_audit_action, new_clinic, register


@pytest.fixture
def clinic(tmp_path: Path, data_dir: Path) -> dict[str, object]:
    """A clinic with two patients whose names differ by one word."""
    url = new_clinic(tmp_path / "clinic.sqlite3")
    return {
        "url": url,
        "ana": register(url, "Ana Souza"),
        "ana lima": register(url, "Ana Souza Lima"),
    }


def zipped_names(path: Path) -> tuple[list[str], dict[str, object], dict[str, object]]:
    with zipfile.ZipFile(path) as archive:
        return (
            archive.namelist(),
            json.loads(archive.read("manifest.json")),
            json.loads(archive.read("patient.json")),
        )


def test_run_writes_the_patients_zip_and_says_where(clinic, tmp_path, capsys):
    out = tmp_path / "requests" / "ana.zip"
    args = argparse.Namespace(patient_id=clinic["ana"], out=str(out), database=clinic["url"])

    assert export.run(args) == 0

    printed = capsys.readouterr().out
    assert printed.startswith(f"patient {clinic['ana']} exported to {out} (")
    names, manifest, patient = zipped_names(out)
    assert patient["name"] == "Ana Souza"
    assert manifest["patient_id"] == clinic["ana"]
    assert manifest["exported_by"] == "mara"
    assert set(manifest["files"]) == set(names) - {"manifest.json"}
    assert last_audit_action(clinic["url"]) == ("patient.export", "mara")


def test_the_zip_never_holds_the_similarly_named_patient(clinic, tmp_path):
    out = tmp_path / "ana.zip"
    assert main(["export-patient", str(clinic["ana"]), "--out", str(out), *_db(clinic)]) == 0
    with zipfile.ZipFile(out) as archive:
        everything = b"".join(archive.read(member) for member in archive.namelist())
    assert b"Ana Souza" in everything
    assert b"Ana Souza Lima" not in everything


def test_an_unknown_patient_is_one_line_and_exit_2(clinic, tmp_path, capsys):
    out = tmp_path / "nobody.zip"
    assert main(["export-patient", "999", "--out", str(out), *_db(clinic)]) == 2
    assert capsys.readouterr().err == "error: patient 999 does not exist\n"
    assert list(tmp_path.glob("*.zip")) == []
    assert list(tmp_path.glob(".*.tmp")) == []


def test_a_missing_database_file_is_refused_not_created(tmp_path, data_dir, capsys):
    missing = tmp_path / "typo.sqlite3"
    argv = ["export-patient", "1", "--out", str(tmp_path / "x.zip")]
    assert main([*argv, "--database", f"sqlite:///{missing}"]) == 2
    assert capsys.readouterr().err == f"error: database {missing} does not exist\n"
    assert not missing.exists()


def test_the_database_may_come_from_the_environment(clinic, tmp_path, monkeypatch):
    monkeypatch.setenv("CONSULT_DATABASE_URL", str(clinic["url"]))
    out = tmp_path / "lima.zip"
    assert main(["export-patient", str(clinic["ana lima"]), "--out", str(out)]) == 0
    assert zipped_names(out)[2]["name"] == "Ana Souza Lima"


def test_a_folder_as_the_output_is_refused(clinic, tmp_path, capsys):
    assert main(["export-patient", str(clinic["ana"]), "--out", str(tmp_path), *_db(clinic)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path}: is a folder") and err.count("\n") == 1


def test_the_patient_id_must_be_a_number(clinic, capsys):
    assert main(["export-patient", "ana", "--out", "x.zip", *_db(clinic)]) == 2
    assert "argument PATIENT_ID: 'ana' is not a number" in capsys.readouterr().err


@pytest.mark.parametrize("number", ["0", "-3", "2147483648", "99999999999999999999"])
def test_the_patient_id_must_be_one_the_database_can_hold(clinic, capsys, number):
    """PostgreSQL numbers records in 32 bits and refuses a larger one outright."""
    assert main(["export-patient", number, "--out", "x.zip", *_db(clinic)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"error: consult export-patient: argument PATIENT_ID: {number} is not a record "
        "number (1 to 2,147,483,647)\n"
    )


def _db(clinic: dict[str, object]) -> list[str]:
    return ["--database", str(clinic["url"])]


def test_export_needs_a_signed_in_account(clinic, tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("CONSULT_USER")
    out = tmp_path / "ana.zip"
    assert main(["export-patient", str(clinic["ana"]), "--out", str(out), *_db(clinic)]) == 2
    assert capsys.readouterr().err == (
        "error: --user: exporting a patient's records needs a signed-in account: "
        "give --user NAME (or set CONSULT_USER)\n"
    )
    assert not out.exists()


def test_reception_may_not_export_and_the_refusal_is_audited(clinic, tmp_path, capsys, monkeypatch):
    from consult.storage import Database, users

    with Database.open(clinic["url"]) as database:
        manager = users.authenticate(database, "mara", "a long manager phrase", workstation="t")
        users.create_user(
            database, manager.actor("t"), username="rita", full_name="Rita Desk",
            role="reception", password="a long reception phrase",
        )
    monkeypatch.setenv("CONSULT_USER", "rita")
    monkeypatch.setenv("CONSULT_PASSWORD", "a long reception phrase")
    out = tmp_path / "ana.zip"
    argv = ["export-patient", str(clinic["ana"]), "--out", str(out), "--user", "rita"]
    assert main([*argv, *_db(clinic)]) == 2
    assert capsys.readouterr().err == "error: rita (Reception) is not allowed to patient: export\n"
    assert not out.exists()
    assert last_audit_action(clinic["url"]) == ("protection.export_patient", "rita")
