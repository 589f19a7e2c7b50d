"""Several files in one command (spec "Several files"), through the real command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from consult.app.cli import main
from tests.consult.documents.pdfs import signature_png, text_of


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def folder(tmp_path: Path, examples: Path) -> Path:
    """Two good consultations and, in a separate place, one bad file."""
    chosen = tmp_path / "today"
    chosen.mkdir()
    shutil.copy(examples / "acne-scars.json", chosen / "ana.json")
    # Marek's recent isotretinoin stops RF today for every area: a recorded reason to go
    # ahead lets his documents print (spec: what `documents` must refuse).
    marek = json.loads((examples / "rf-with-history.json").read_text(encoding="utf-8"))
    marek["screening_override"] = {"reason": "Dermatologist's written clearance on file"}
    (chosen / "marek.json").write_text(json.dumps(marek), encoding="utf-8")
    (chosen / "notes.txt").write_text("not a consultation", encoding="utf-8")
    return chosen


@pytest.fixture
def bad_file(tmp_path: Path, examples: Path) -> Path:
    document = json.loads((examples / "acne-scars.json").read_text(encoding="utf-8"))
    document["consultation_date"] = "2026-02-30"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    return bad


def test_check_json_lists_the_files_in_the_order_given(capsys, folder: Path) -> None:
    code, out, err = _run(
        capsys, "check", str(folder / "marek.json"), str(folder / "ana.json"), "--json"
    )
    assert (code, err) == (0, "")
    listed = json.loads(out)
    assert [answer["verdict"] for answer in listed] == ["decline", "precautions"]


def test_check_a_folder_reads_its_json_files_in_name_order(capsys, folder: Path) -> None:
    code, out, err = _run(capsys, "check", str(folder), "--json")
    assert (code, err) == (0, "")
    assert [answer["verdict"] for answer in json.loads(out)] == ["precautions", "decline"]


def test_a_bad_file_gets_its_own_line_and_the_others_are_done(
    capsys, folder: Path, bad_file: Path
) -> None:
    code, out, err = _run(
        capsys, "check", str(folder / "ana.json"), str(bad_file),
        str(folder / "missing.json"), str(folder / "marek.json"), "--json",
    )
    assert code == 2
    assert err.splitlines() == [
        f'error: {bad_file}: consultation_date: "2026-02-30" is not a date',
        f"error: {folder / 'missing.json'}: no such file",
    ]
    listed = json.loads(out)
    assert listed[1] is None and listed[2] is None
    assert [listed[0]["verdict"], listed[3]["verdict"]] == ["precautions", "decline"]


def test_check_text_names_each_file(capsys, folder: Path) -> None:
    code, out, _ = _run(capsys, "check", str(folder))
    assert code == 0
    assert out.startswith(f"== {folder / 'ana.json'} ==\n")
    assert f"\n\n== {folder / 'marek.json'} ==\n" in out


def test_quote_json_lists_every_quote(capsys, folder: Path, bad_file: Path, data_dir) -> None:
    code, out, err = _run(capsys, "quote", str(folder), str(bad_file), "--json")
    assert code == 2
    assert err.count("\n") == 1 and err.startswith(f"error: {bad_file}: ")
    first, second, third = json.loads(out)
    assert first["currency"] == "USD" and isinstance(first["total"], str)
    # A whole-treatment defer blocks every requested area (spec: blocked_areas).
    assert second["blocked_areas"] == ["jawline", "chest"]
    assert third is None


def test_one_file_still_prints_one_answer(capsys, folder: Path) -> None:
    code, out, _ = _run(capsys, "check", str(folder / "ana.json"), "--json")
    assert code == 0
    assert json.loads(out)["verdict"] == "precautions"


def test_documents_for_several_files_each_in_its_own_folder(
    capsys, folder: Path, bad_file: Path, tmp_path: Path, data_dir
) -> None:
    out_dir = tmp_path / "out"
    code, out, err = _run(
        capsys, "documents", str(folder / "ana.json"), str(bad_file), str(folder / "marek.json"),
        "--out", str(out_dir),
    )
    assert code == 2
    assert err.splitlines() == [f'error: {bad_file}: consultation_date: "2026-02-30" is not a date']
    ana, bad, marek = json.loads(out)
    assert bad is None
    assert ana == {"consent": str(out_dir / "ana" / "consent.pdf"),
                   "plan": str(out_dir / "ana" / "plan.pdf"), "signed": False}
    assert "Ana Souza" in text_of((out_dir / "ana" / "plan.pdf").read_bytes(), tmp_path)
    assert marek["consent"] == str(out_dir / "marek" / "consent.pdf")
    assert sorted(p.name for p in out_dir.iterdir()) == ["ana", "marek"]  # nothing for bad


def test_documents_refuses_signatures_with_several_files(
    capsys, folder: Path, tmp_path: Path, data_dir
) -> None:
    png = tmp_path / "signature.png"
    png.write_bytes(signature_png())
    out_dir = tmp_path / "out"
    code, out, err = _run(
        capsys, "documents", str(folder), "--out", str(out_dir),
        "--patient-signature", str(png), "--practitioner-signature", str(png),
    )
    assert (code, out) == (2, "")
    assert err.startswith("error: documents: signatures are refused with more than one file")
    assert err.count("\n") == 1
    assert not out_dir.exists()


def test_two_files_with_one_name_do_not_overwrite_each_other(
    capsys, folder: Path, tmp_path: Path, examples: Path, data_dir
) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    shutil.copy(examples / "rf-with-history.json", other / "ana.json")
    out_dir = tmp_path / "out"
    code, out, err = _run(
        capsys, "documents", str(folder / "ana.json"), str(other / "ana.json"),
        "--out", str(out_dir),
    )
    assert code == 2
    assert err == (f"error: {other / 'ana.json'}: another file given already writes "
                   f"{out_dir / 'ana'}\n")
    first, second = json.loads(out)
    assert (first["signed"], second) == (False, None)
    assert "Ana Souza" in text_of((out_dir / "ana" / "plan.pdf").read_bytes(), tmp_path)


def test_an_empty_folder_is_bad_input(capsys, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, out, err = _run(capsys, "check", str(empty), "--json")
    assert (code, json.loads(out)) == (2, [])
    assert err == f"error: {empty}: the folder holds no .json files\n"
