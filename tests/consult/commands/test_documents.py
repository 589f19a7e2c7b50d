"""`consult documents` and `consult verify` end to end, through the real command line."""

from __future__ import annotations

import io
import json
import shutil

import pytest
from pypdf import PdfWriter
from pypdf.annotations import FreeText

from consult.cli import main
from consult.documents import certificate
from consult.documents.sealing import seal
from tests.consult.documents.pdfs import flat, qpdf_check, signature_png, text_of


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


def test_signed_documents_are_sealed_and_verify(capsys, data_dir, examples, tmp_path, signatures):
    out = tmp_path / "out"
    code, stdout, err = _documents(
        capsys, str(examples / "acne-scars.json"), "--out", str(out), *signatures
    )
    assert (code, err) == (0, "")
    written = json.loads(stdout)
    assert written == {
        "consent": str(out / "consent.pdf"),
        "plan": str(out / "plan.pdf"),
        "signed": True,
    }
    for kind in ("consent", "plan"):
        code, stdout, err = _verify(capsys, written[kind])
        assert (code, err) == (0, "")
        assert stdout.startswith("intact: signed by Your Clinic at ")
        qpdf_check((out / f"{kind}.pdf").read_bytes(), tmp_path)
    consent = flat(text_of((out / "consent.pdf").read_bytes(), tmp_path))
    assert "Printed name: Ana Souza" in consent
    assert "Treating the face can bring on a cold sore" in consent
    assert sorted(p.name for p in out.iterdir()) == ["consent.pdf", "plan.pdf"]  # no temp files


def test_without_both_signatures_only_the_plan_is_sealed(capsys, data_dir, examples, tmp_path):
    out = tmp_path / "out"
    code, stdout, _ = _documents(capsys, str(examples / "rf-with-history.json"), "--out", str(out))
    assert code == 0 and json.loads(stdout)["signed"] is False
    code, _, err = _verify(capsys, out / "consent.pdf")
    assert code == 1
    assert err == f"error: {out / 'consent.pdf'}: the file is not sealed (it has no signature)\n"
    assert _verify(capsys, out / "plan.pdf")[0] == 0
    plan = flat(text_of((out / "plan.pdf").read_bytes(), tmp_path))
    assert "Marek Kowalczyk" in plan and "Radio-frequency micro-needling" in plan
    excluded = (
        "Not treated (left out because of the screening): • Chest (décolleté): Tattooed areas"
    )
    assert excluded in plan
    # The blood-thinner clearance has no date yet: session 1 waits for it.
    assert "Session 1 to be booked once the wait below is over" in plan
    assert "We need written clearance from the doctor who prescribes it" in plan
    consent = flat(text_of((out / "consent.pdf").read_bytes(), tmp_path))
    assert "Nerve damage" in consent
    # Patient paper carries the patient's sentence, never the practitioner's instruction.
    assert "keep taking it exactly as prescribed" in consent
    assert "Never advise stopping" not in consent
    assert excluded in consent


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


def test_existing_documents_are_replaced_whole(capsys, data_dir, examples, tmp_path, signatures):
    out = tmp_path / "out"
    out.mkdir()
    (out / "consent.pdf").write_bytes(b"old")
    code, _, _ = _documents(
        capsys, str(examples / "acne-scars.json"), "--out", str(out), *signatures
    )
    assert code == 0
    assert _verify(capsys, out / "consent.pdf")[0] == 0


class TestVerifyCommand:
    @pytest.fixture
    def sealed(self, capsys, data_dir, examples, tmp_path, signatures):
        out = tmp_path / "out"
        _documents(capsys, str(examples / "acne-scars.json"), "--out", str(out), *signatures)
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
