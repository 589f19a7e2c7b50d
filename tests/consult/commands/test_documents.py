"""`consult documents` and `consult verify` end to end, through the real command line."""

from __future__ import annotations

import io
import json
import shutil
import time

import pytest
from pypdf import PdfWriter
from pypdf.annotations import FreeText

from consult.app.cli import main
from consult.documents import certificate
from consult.documents.sealing import seal
from tests.consult.documents.pdfs import flat, qpdf_check, signature_png, text_of
from tests.helpers.signing import clinic_for_the_command_line, with_consent


@pytest.fixture
def signatures(tmp_path):
    patient = tmp_path / "patient.png"
    practitioner = tmp_path / "practitioner.png"
    patient.write_bytes(signature_png())
    practitioner.write_bytes(signature_png((90, 20, 20)))
    return ["--patient-signature", str(patient), "--practitioner-signature", str(practitioner)]


def _documents(capsys, *argv):
    code = main(["documents", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _verify(capsys, path):
    code = main(["verify", str(path)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def clinic(data_dir, monkeypatch):
    db = clinic_for_the_command_line(monkeypatch)
    yield db
    db.close()


@pytest.fixture
def agreed(examples, tmp_path):
    """The spec example with the patient's consent answers, as a signed record needs."""
    return with_consent(examples / "acne-scars.json", tmp_path)


def test_signed_documents_are_sealed_stored_and_verify(
    capsys, clinic, agreed, tmp_path, signatures
):
    out = tmp_path / "out"
    code, stdout, err = _documents(capsys, str(agreed), "--out", str(out), *signatures)
    assert (code, err) == (0, "")
    written = json.loads(stdout)
    assert written["consent"] == str(out / "consent.pdf")
    assert written["plan"] == str(out / "plan.pdf")
    assert written["signed"] is True
    assert written["consent_number"] != written["plan_number"]
    for kind in ("consent", "plan"):
        code, stdout, err = _verify(capsys, written[kind])
        assert (code, err) == (0, "")
        assert stdout.startswith("intact: signed by Harbour Skin Clinic at ")
        qpdf_check((out / f"{kind}.pdf").read_bytes(), tmp_path)
    consent = flat(text_of((out / "consent.pdf").read_bytes(), tmp_path))
    assert "Printed name: Ana Souza" in consent
    assert "Pia Lindqvist" in consent  # the signed-in account is the practitioner
    assert written["consent_number"] in consent
    assert "Treating the face can bring on a cold sore" in consent
    assert sorted(p.name for p in out.iterdir()) == ["consent.pdf", "plan.pdf"]  # no temp files
    [stored] = [r for r in _stored_documents(clinic) if r.kind == "consent"]
    assert stored.document_number == written["consent_number"]


def _stored_documents(db):
    from sqlalchemy import select

    from consult.storage.models.clinical import ConsentRecord

    with db.Session() as session:
        return session.scalars(select(ConsentRecord)).all()


def test_documents_twice_from_one_file_get_two_numbers(
    capsys, clinic, agreed, tmp_path, signatures
):
    numbers = set()
    for run in ("a", "b"):
        code, stdout, _ = _documents(
            capsys, str(agreed), "--out", str(tmp_path / run), *signatures
        )
        assert code == 0
        numbers.add(json.loads(stdout)["consent_number"])
    assert len(numbers) == 2


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        ("no-user", "error: --user: signing a consent needs a signed-in account"),
        ("wrong-password", "error: wrong username or password"),
        ("reception", "error: pia (Reception) is not allowed to consent: sign"),
    ],
)
def test_signing_needs_a_signed_in_practitioner(
    capsys, data_dir, monkeypatch, agreed, tmp_path, signatures, setup, message
):
    db = clinic_for_the_command_line(
        monkeypatch, role="reception" if setup == "reception" else "practitioner"
    )
    db.close()
    if setup == "no-user":
        monkeypatch.delenv("CONSULT_USER")
    if setup == "wrong-password":
        monkeypatch.setenv("CONSULT_PASSWORD", "not the password at all")
    out = tmp_path / "out"
    code, stdout, err = _documents(capsys, str(agreed), "--out", str(out), *signatures)
    assert (code, stdout) == (2, "")
    assert err.startswith(message) and err.count("\n") == 1
    assert not out.exists()


def test_signing_needs_both_consent_answers(capsys, clinic, examples, tmp_path, signatures):
    out = tmp_path / "out"
    code, _, err = _documents(
        capsys, str(examples / "acne-scars.json"), "--out", str(out), *signatures
    )
    assert code == 2
    assert err.startswith("error: consent.photography: ")
    assert not out.exists()


def test_one_signature_is_refused_naming_the_missing_one(capsys, clinic, agreed, tmp_path):
    patient = tmp_path / "patient.png"
    patient.write_bytes(signature_png())
    out = tmp_path / "out"
    code, _, err = _documents(
        capsys, str(agreed), "--out", str(out), "--patient-signature", str(patient)
    )
    assert code == 2
    assert err.startswith("error: --practitioner-signature: missing")
    assert not out.exists()


def test_a_blank_signature_is_refused(capsys, clinic, agreed, tmp_path, signatures):
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("RGBA", (300, 100), (255, 255, 255, 0)).save(blank)
    argv = list(signatures)
    argv[1] = str(blank)
    code, _, err = _documents(capsys, str(agreed), "--out", str(tmp_path / "out"), *argv)
    assert code == 2
    assert err == "error: --patient-signature: the signature is blank (almost no ink); sign again\n"


def test_an_unset_clinic_cannot_seal(capsys, data_dir, monkeypatch, agreed, tmp_path, signatures):
    from consult.storage import Database, users

    with Database.open(None) as db:
        manager = users.create_first_manager(
            db, clinic_name="Somewhere", username="mara", full_name="Mara Quinn",
            password="a long manager phrase",
        )
    monkeypatch.setenv("CONSULT_USER", "mara")
    monkeypatch.setenv("CONSULT_PASSWORD", "a long manager phrase")
    assert manager.role == "manager"
    code, _, err = _documents(capsys, str(agreed), "--out", str(tmp_path / "out"), *signatures)
    assert code == 2
    assert err.startswith("error: the clinic is not set up (missing: address")


def test_every_area_stopped_is_refused_without_an_override(capsys, data_dir, examples, tmp_path):
    document = json.loads((examples / "acne-scars.json").read_text(encoding="utf-8"))
    document["history"]["pregnant"] = True
    path = tmp_path / "pregnant.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, err = _documents(capsys, str(path), "--out", str(out))
    assert (code, stdout) == (2, "")
    assert err.startswith("error: the screening verdict is defer for every requested area")
    assert not out.exists()
    document["screening_override"] = {"reason": "Obstetrician's letter on file, 2026-11-18"}
    path.write_text(json.dumps(document), encoding="utf-8")
    code, _, _ = _documents(capsys, str(path), "--out", str(out))
    assert code == 0
    plan = flat(text_of((out / "plan.pdf").read_bytes(), tmp_path))
    assert "Obstetrician's letter on file, 2026-11-18" in plan


def test_clearance_allows_printing_but_not_signing(capsys, clinic, agreed, tmp_path, signatures):
    document = json.loads(agreed.read_text(encoding="utf-8"))
    document["history"]["anticoagulants"] = True
    agreed.write_text(json.dumps(document), encoding="utf-8")
    assert _documents(capsys, str(agreed), "--out", str(tmp_path / "printed"))[0] == 0
    consent = flat(text_of((tmp_path / "printed" / "consent.pdf").read_bytes(), tmp_path))
    assert "Not valid until clearance is received" in consent
    code, _, err = _documents(
        capsys, str(agreed), "--out", str(tmp_path / "signed"), *signatures
    )
    assert code == 2 and "clearance is still required" in err
    assert not (tmp_path / "signed").exists()


def test_nothing_is_sealed_for_a_clinic_not_set_up(capsys, data_dir, examples, tmp_path):
    out = tmp_path / "out"
    code, stdout, _ = _documents(capsys, str(examples / "acne-scars.json"), "--out", str(out))
    assert code == 0 and json.loads(stdout)["signed"] is False
    for kind in ("consent", "plan"):
        code, _, err = _verify(capsys, out / f"{kind}.pdf")
        assert code == 1 and "the file is not sealed" in err
    plan = flat(text_of((out / "plan.pdf").read_bytes(), tmp_path))
    assert plan.startswith("Clinic not set up ")


def test_plans_issued_twice_carry_two_numbers(capsys, clinic, examples, tmp_path):
    numbers = set()
    for run in ("a", "b"):
        out = tmp_path / run
        assert _documents(capsys, str(examples / "acne-scars.json"), "--out", str(out))[0] == 0
        plan = flat(text_of((out / "plan.pdf").read_bytes(), tmp_path))
        numbers.add(plan.split("Document ", 1)[1].split()[0])
    assert len(numbers) == 2 and all(number.startswith("TP-") for number in numbers)


def test_without_both_signatures_only_the_plan_is_sealed(capsys, clinic, examples, tmp_path):
    out = tmp_path / "out"
    code, stdout, _ = _documents(capsys, str(examples / "acne-scars.json"), "--out", str(out))
    assert code == 0 and json.loads(stdout)["signed"] is False
    code, _, err = _verify(capsys, out / "consent.pdf")
    assert code == 1
    assert err == f"error: {out / 'consent.pdf'}: the file is not sealed (it has no signature)\n"
    assert _verify(capsys, out / "plan.pdf")[0] == 0
    plan = flat(text_of((out / "plan.pdf").read_bytes(), tmp_path))
    assert "Ana Souza" in plan and "Micro-needling" in plan
    consent = flat(text_of((out / "consent.pdf").read_bytes(), tmp_path))
    assert "Not valid until clearance" not in consent  # nothing awaited: it can be signed


def test_a_whole_treatment_deferred_needs_an_override_to_print(
    capsys, data_dir, examples, tmp_path
):
    # Isotretinoin 4 months ago defers RF for the whole treatment: nothing to plan today.
    out = tmp_path / "out"
    source = examples / "rf-with-history.json"
    code, stdout, err = _documents(capsys, str(source), "--out", str(out))
    assert (code, stdout) == (2, "")
    assert err.startswith("error: the screening verdict is decline for every requested area")
    assert not out.exists()
    document = json.loads(source.read_text(encoding="utf-8"))
    document["screening_override"] = {"reason": "Dermatologist's written clearance on file"}
    overridden = tmp_path / "overridden.json"
    overridden.write_text(json.dumps(document), encoding="utf-8")
    code, stdout, _ = _documents(capsys, str(overridden), "--out", str(out))
    assert code == 0 and json.loads(stdout)["signed"] is False
    plan = flat(text_of((out / "plan.pdf").read_bytes(), tmp_path))
    assert "Marek Kowalczyk" in plan and "Radio-frequency micro-needling" in plan
    assert "Dermatologist's written clearance on file" in plan
    consent = flat(text_of((out / "consent.pdf").read_bytes(), tmp_path))
    assert "Nerve damage" in consent
    assert "Dermatologist's written clearance on file" in consent


def test_blank_form(capsys, data_dir, tmp_path):
    out = tmp_path / "paper"
    code, stdout, err = _documents(capsys, "--blank", "--out", str(out))
    assert (code, err) == (0, "")
    assert json.loads(stdout) == {"consent": str(out / "consent.pdf"), "signed": False}
    assert not (out / "plan.pdf").exists()
    text = flat(text_of((out / "consent.pdf").read_bytes(), tmp_path))
    assert "Name ____" in text and "☒" not in text


@pytest.mark.parametrize("option", ["--patient-signature", "--practitioner-signature"])
def test_a_bad_png_names_the_option(capsys, data_dir, examples, tmp_path, option):
    fake = tmp_path / "signature.png"
    fake.write_text("GIF89a, honestly")
    out = tmp_path / "out"
    code, stdout, err = _documents(
        capsys, str(examples / "acne-scars.json"), "--out", str(out), option, str(fake)
    )
    assert (code, stdout) == (2, "")
    assert err == f"error: {option}: not a PNG image\n"
    assert not (out / "consent.pdf").exists() and not (out / "plan.pdf").exists()


def test_a_truncated_png_is_refused(capsys, data_dir, examples, tmp_path):
    broken = tmp_path / "broken.png"
    broken.write_bytes(signature_png()[:60])
    code, _, err = _documents(
        capsys,
        str(examples / "acne-scars.json"),
        "--out",
        str(tmp_path / "out"),
        "--patient-signature",
        str(broken),
    )
    assert code == 2 and err.startswith("error: --patient-signature: not a PNG image")


def test_a_missing_signature_file(capsys, data_dir, examples, tmp_path):
    code, _, err = _documents(
        capsys,
        str(examples / "acne-scars.json"),
        "--out",
        str(tmp_path / "out"),
        "--patient-signature",
        str(tmp_path / "nope.png"),
    )
    assert code == 2 and err.startswith("error: --patient-signature: ") and "no such file" in err


def test_file_is_required_unless_blank(capsys, data_dir, tmp_path):
    code, _, err = _documents(capsys, "--out", str(tmp_path / "out"))
    assert code == 2 and "FILE is required" in err


def test_out_must_be_a_folder(capsys, data_dir, examples, tmp_path):
    target = tmp_path / "a-file"
    target.write_text("keep me")
    code, _, err = _documents(capsys, str(examples / "acne-scars.json"), "--out", str(target))
    assert code == 2 and err.startswith("error: --out: ")
    assert target.read_text() == "keep me"


def test_a_bad_consultation_names_the_field(capsys, data_dir, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "consult/1", "consultation_date": "2026-02-30"}))
    code, _, err = _documents(capsys, str(bad), "--out", str(tmp_path / "out"))
    assert code == 2 and err.startswith('error: consultation_date: "2026-02-30" is not a date')


def test_existing_documents_are_replaced_whole(capsys, clinic, agreed, tmp_path, signatures):
    out = tmp_path / "out"
    out.mkdir()
    (out / "consent.pdf").write_bytes(b"old")
    code, _, _ = _documents(capsys, str(agreed), "--out", str(out), *signatures)
    assert code == 0
    assert _verify(capsys, out / "consent.pdf")[0] == 0


class TestVerifyCommand:
    @pytest.fixture
    def sealed(self, capsys, clinic, agreed, tmp_path, signatures):
        out = tmp_path / "out"
        _documents(capsys, str(agreed), "--out", str(out), *signatures)
        return out / "consent.pdf"

    def test_a_flipped_byte(self, capsys, sealed):
        data = bytearray(sealed.read_bytes())
        start = data.rfind(b"stream", 0, len(data) // 2) + len(b"stream\r\n")
        data[start + 10] ^= 0x01
        sealed.write_bytes(bytes(data))
        code, out, err = _verify(capsys, sealed)
        assert (code, out) == (1, "")
        assert err.startswith("error: ") and err.count("\n") == 1
        assert "changed after sealing" in err

    @pytest.mark.parametrize("change", ["annotation", "page"])
    def test_an_incremental_update(self, capsys, sealed, change):
        writer = PdfWriter(io.BytesIO(sealed.read_bytes()), incremental=True)
        if change == "page":
            writer.add_blank_page()
        else:
            writer.add_annotation(0, FreeText(text="Paid", rect=(50, 50, 200, 100)))
        buffer = io.BytesIO()
        writer.write(buffer)
        sealed.write_bytes(buffer.getvalue())
        code, _, err = _verify(capsys, sealed)
        assert code == 1 and "appended after sealing" in err and err.count("\n") == 1

    def test_another_certificate(self, capsys, sealed, tmp_path):
        stranger = certificate.create_certificate("Your Clinic")
        original = sealed.read_bytes()
        unsealed = original[: original.index(b"%%EOF") + len(b"%%EOF\n")]
        forged = tmp_path / "forged.pdf"
        forged.write_bytes(seal(unsealed, stranger, "Forged").pdf)
        code, _, err = _verify(capsys, forged)
        assert code == 1 and "another certificate" in err and "Traceback" not in err

    def test_a_text_file_named_pdf(self, capsys, sealed, tmp_path):
        text = tmp_path / "letter.pdf"
        text.write_text("Dear patient")
        assert _verify(capsys, text) == (2, "", f"error: {text}: not a PDF file\n")

    def test_a_missing_file(self, capsys, sealed, tmp_path):
        missing = tmp_path / "missing.pdf"
        assert _verify(capsys, missing) == (2, "", f"error: {missing}: no such file\n")

    def test_a_computer_without_the_clinic_certificate(self, capsys, sealed, monkeypatch, tmp_path):
        elsewhere = tmp_path / "other-computer"
        elsewhere.mkdir()
        monkeypatch.setenv("CONSULT_DATA_DIR", str(elsewhere))
        code, _, err = _verify(capsys, sealed)
        assert code == 2 and "no clinic certificate" in err

    def test_a_copy_elsewhere_still_verifies(self, capsys, sealed, tmp_path):
        copy = tmp_path / "copy.pdf"
        shutil.copy(sealed, copy)
        assert _verify(capsys, copy)[0] == 0


def test_verify_prints_the_signing_time_on_this_computers_clock(
    capsys, clinic, examples, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    code, _, _ = _documents(capsys, str(examples / "acne-scars.json"), "--out", str(out))
    assert code == 0
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        code, stdout, err = _verify(capsys, out / "plan.pdf")
    finally:
        monkeypatch.undo()
        time.tzset()
    assert (code, err) == (0, "")
    assert stdout.rstrip().endswith(" JST (UTC+0900)")
