"""`consult photos import|list|progress|withdraw|erase` on a clinic with a signed consent."""

from __future__ import annotations

import json

import pytest

from consult.app.cli import main
from consult.services import accounts
from tests.consult.documents.pdfs import text_of
from tests.helpers import photos as pictures
from tests.helpers.signing import PRACTITIONER_PASSWORD, clinic_for_the_command_line


@pytest.fixture
def patient(data_dir, monkeypatch) -> int:
    """A patient whose signed consent allows clinical photographs."""
    db = clinic_for_the_command_line(monkeypatch)
    pia = accounts.sign_in(db, "pia", PRACTITIONER_PASSWORD, workstation="test")
    patient_id = pictures.signed_consultation(pia, name="Ana Souza").patient_id
    db.close()
    return patient_id


@pytest.fixture
def folder(tmp_path):
    shots = tmp_path / "shots"
    shots.mkdir()
    (shots / "IMG_0001.JPG").write_bytes(pictures.rotated_jpeg_with_gps())
    (shots / "IMG_0002.HEIC").write_bytes(pictures.heic())
    (shots / "notes.txt").write_text("not a photo", encoding="utf-8")
    return shots


def listed(capsys, patient: int) -> dict:
    capsys.readouterr()
    assert main(["photos", "list", str(patient), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_folder_is_imported_and_listed(patient, folder, capsys):
    status = main(["photos", "import", str(patient), str(folder), "--area", "cheeks",
                   "--view", "front", "--before", "--date", "2026-11-20"])
    out, err = capsys.readouterr()
    assert (status, err) == (0, "")
    assert "IMG_0001.JPG kept as 480×640" in out and "IMG_0002.HEIC" in out
    document = listed(capsys, patient)
    assert document["consent"] == {"clinical": True, "marketing": False, "withdrawn": False}
    assert [(p["view"], p["stage"], p["date"]) for p in document["photos"]] == [
        ("front", "before", "2026-11-20")] * 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--area", "cheeks", "--view", "left_ear", "--before"], "error: view: "),
        (["--area", "elbow", "--view", "front", "--before"], "error: area: "),
        (["--area", "cheeks", "--view", "front", "--before", "--date", "20/11/2026"],
         "error: --date: "),
        (["--area", "cheeks", "--view", "front"], "error: consult photos import: "),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(patient, folder, capsys, arguments, message):
    assert main(["photos", "import", str(patient), str(folder), *arguments]) == 2
    err = capsys.readouterr().err
    assert err.startswith(message) and err.count("\n") == 1
    assert "Traceback" not in err
    assert listed(capsys, patient)["photos"] == []


def test_a_damaged_file_keeps_nothing_of_the_batch(patient, folder, capsys):
    (folder / "IMG_0003.jpg").write_bytes(b"\xff\xd8\xff damaged")
    assert main(["photos", "import", str(patient), str(folder), "--area", "cheeks",
                 "--view", "front", "--after"]) == 2
    assert capsys.readouterr().err.startswith("error: IMG_0003.jpg: ")
    assert listed(capsys, patient)["photos"] == []


def test_progress_pdf_withdrawal_and_erasure(patient, folder, tmp_path, capsys, monkeypatch):
    main(["photos", "import", str(patient), str(folder / "IMG_0001.JPG"), "--area", "cheeks",
          "--view", "front", "--before", "--date", "2026-11-20"])
    main(["photos", "import", str(patient), str(folder / "IMG_0002.HEIC"), "--area", "cheeks",
          "--view", "front", "--after"])
    first, second = (p["id"] for p in listed(capsys, patient)["photos"])
    out = tmp_path / "progress.pdf"
    assert main(["photos", "progress", str(patient), "--pair", f"{first},{second}",
                 "--out", str(out)]) == 0
    assert "Your progress photographs" in text_of(out.read_bytes(), tmp_path)
    assert main(["photos", "progress", str(patient), "--pair", "1-2", "--out", str(out)]) == 2
    assert capsys.readouterr().err.startswith("error: --pair: ")

    assert main(["photos", "withdraw", str(patient), "--scope", "clinical",
                 "--note", "said so at reception"]) == 0
    hidden = listed(capsys, patient)
    assert (hidden["photos"], hidden["hidden"]) == ([], 2)
    assert main(["photos", "erase", str(patient), "--reason", "erasure request"]) == 2
    assert "not allowed" in capsys.readouterr().err
    monkeypatch.setenv("CONSULT_USER", "mara")
    monkeypatch.setenv("CONSULT_PASSWORD", "a long manager phrase")
    assert main(["photos", "erase", str(patient), "--reason", "erasure request"]) == 0
    assert "2 photo(s) of patient" in capsys.readouterr().out
    assert listed(capsys, patient)["erased"] == 2


def test_the_marketing_export_has_no_names(patient, folder, tmp_path, capsys, monkeypatch):
    main(["photos", "import", str(patient), str(folder / "IMG_0001.JPG"), "--area", "cheeks",
          "--view", "front", "--before"])
    monkeypatch.setenv("CONSULT_USER", "mara")
    monkeypatch.setenv("CONSULT_PASSWORD", "a long manager phrase")
    out = tmp_path / "marketing"
    assert main(["photos", "marketing-export", "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["index.json"]  # Ana said no to marketing
    assert "0 photo(s)" in capsys.readouterr().out
    assert main(["photos", "marketing-export", "--out", str(out)]) == 2
    assert capsys.readouterr().err.startswith("error: --out: ")
