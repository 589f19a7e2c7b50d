"""Sealing with the clinic certificate and verifying: intact, and every way to tamper."""

from __future__ import annotations

import asyncio
import hashlib
import io
import random
import stat

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils.generic import ArrayObject, DictionaryObject, FloatObject, NameObject
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes, SimpleSigner
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import FreeText
from reportlab import rl_config

from consult.documents import certificate
from consult.documents.consent import build_consent
from consult.documents.plan import build_plan
from consult.documents.sealing import clinic_signer, seal
from consult.documents.verify import NotVerified, verify_pdf
from consult.errors import ConsultError
from tests.consult.documents.pdfs import qpdf_check


@pytest.fixture
def clinic(data_dir):
    return certificate.clinic_certificate("Glow Skin Clinic")


@pytest.fixture
def original(document) -> bytes:
    return build_consent(document)


@pytest.fixture
def sealed(original, clinic) -> bytes:
    return seal(original, clinic, "Signed consent").pdf


def _signed_range_end(sealed: bytes) -> int:
    """Where the first signed byte range ends (the /Contents hex string starts there)."""
    reader = PdfReader(io.BytesIO(sealed))
    field = reader.trailer["/Root"]["/AcroForm"]["/Fields"][0].get_object()
    return int(field["/V"]["/ByteRange"][1])


# --------------------------------------------------------------------------- certificate


def test_certificate_is_created_once_with_an_encrypted_private_key_file(data_dir):
    first = certificate.clinic_certificate("Glow Skin Clinic")
    again = certificate.clinic_certificate("Glow Skin Clinic")
    assert first.der == again.der
    assert first.holder == "Glow Skin Clinic"
    bundle = data_dir / "signing" / certificate.BUNDLE
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o600
    assert b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in bundle.read_bytes()
    assert b"PRIVATE KEY" not in (data_dir / "signing" / certificate.PUBLIC).read_bytes()


def test_a_damaged_certificate_file_is_named(data_dir):
    certificate.clinic_certificate("Glow Skin Clinic")
    (data_dir / "signing" / certificate.BUNDLE).write_text("not a key")
    with pytest.raises(ConsultError, match="clinic certificate file is damaged"):
        certificate.load_certificate()


def test_no_certificate_until_first_use(data_dir):
    assert certificate.load_certificate() is None


# --------------------------------------------------------------------------- sealing


def test_sealed_copy_verifies_and_reports_the_clinic(sealed, clinic, tmp_path):
    result = verify_pdf(sealed, clinic)
    assert result.signer == "Glow Skin Clinic"
    assert result.signed_at is not None and result.signed_at.utcoffset() is not None
    qpdf_check(sealed, tmp_path)


def test_seal_keeps_the_document_and_reports_its_digest(original, clinic):
    result = seal(original, clinic, "Signed consent")
    assert result.pdf.startswith(original)  # an incremental update: the original bytes stay
    assert result.sha256 == hashlib.sha256(result.pdf).hexdigest()


def test_seal_is_pades(sealed):
    reader = PdfReader(io.BytesIO(sealed))
    field = reader.trailer["/Root"]["/AcroForm"]["/Fields"][0].get_object()
    assert field["/V"]["/SubFilter"] == "/ETSI.CAdES.detached"


# --------------------------------------------------------------------------- tampering


def test_one_changed_byte_inside_the_signed_range_fails(sealed, clinic):
    # A byte in the middle of the last page's content stream, well inside the signed range.
    start = sealed.rfind(b"stream", 0, _signed_range_end(sealed)) + len(b"stream\r\n")
    tampered = bytearray(sealed)
    tampered[start + 10] ^= 0x01
    with pytest.raises(NotVerified, match="changed after sealing"):
        verify_pdf(bytes(tampered), clinic)


@pytest.mark.parametrize("position", [0.1, 0.3, 0.5, 0.7, 0.9])
def test_a_changed_byte_anywhere_in_the_signed_range_never_verifies(sealed, clinic, position):
    tampered = bytearray(sealed)
    tampered[int(_signed_range_end(sealed) * position)] ^= 0x01
    with pytest.raises(NotVerified):
        verify_pdf(bytes(tampered), clinic)


def test_a_changed_word_in_the_content_fails(clinic, document):
    # Uncompressed content streams so a word can be found and changed like a forger would.
    original_setting = rl_config.pageCompression
    rl_config.pageCompression = 0
    try:
        pdf = build_consent(document)
    finally:
        rl_config.pageCompression = original_setting
    sealed = seal(pdf, clinic, "Signed consent").pdf
    assert b"(Page 1 of" in sealed
    tampered = sealed.replace(b"(Page 1 of", b"(Page 9 of", 1)
    assert tampered != sealed
    with pytest.raises(NotVerified, match="changed after sealing"):
        verify_pdf(tampered, clinic)


def test_an_annotation_appended_with_pypdf_fails(sealed, clinic):
    writer = PdfWriter(io.BytesIO(sealed), incremental=True)
    writer.add_annotation(0, FreeText(text="Paid in full", rect=(50, 50, 200, 100)))
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(NotVerified, match="appended after sealing"):
        verify_pdf(out.getvalue(), clinic)


def test_a_page_appended_with_pypdf_fails(sealed, clinic):
    writer = PdfWriter(io.BytesIO(sealed), incremental=True)
    writer.add_blank_page()
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(NotVerified, match="appended after sealing"):
        verify_pdf(out.getvalue(), clinic)


def test_an_annotation_appended_with_pyhanko_fails(sealed, clinic):
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    note = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Square"),
            NameObject("/Rect"): ArrayObject([FloatObject(v) for v in (10, 10, 90, 90)]),
        }
    )
    page[NameObject("/Annots")] = ArrayObject([writer.add_object(note)])
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(NotVerified, match="appended after sealing"):
        verify_pdf(out.getvalue(), clinic)


def test_an_unsigned_pdf_fails(original, clinic):
    with pytest.raises(NotVerified, match="not sealed"):
        verify_pdf(original, clinic)


def test_a_pdf_sealed_with_another_certificate_fails(original, clinic):
    stranger = certificate.create_certificate("Glow Skin Clinic")  # same name, other key
    with pytest.raises(NotVerified, match="another certificate"):
        verify_pdf(seal(original, stranger, "Forged").pdf, clinic)


def test_a_text_file_is_not_a_pdf(clinic):
    with pytest.raises(ConsultError, match="not a PDF"):
        verify_pdf(b"Dear patient,\nthis is not a PDF.\n", clinic, source="letter.pdf")


def test_a_truncated_pdf_fails(sealed, clinic):
    with pytest.raises(NotVerified):
        verify_pdf(sealed[: len(sealed) // 2], clinic)


def test_verification_logs_nothing_to_the_terminal(original, clinic, capfd):
    # pyHanko logs an untrusted signer with a full traceback; none may reach the user.
    stranger = certificate.create_certificate("Other")
    with pytest.raises(NotVerified):
        verify_pdf(seal(original, stranger, "x").pdf, clinic)
    captured = capfd.readouterr()
    assert "Traceback" not in captured.err and captured.out == ""


def test_a_certificate_published_second_never_replaces_the_first(data_dir):
    first = certificate.clinic_certificate("Glow Skin Clinic")
    # What a second process racing to create the certificate would do.
    certificate._publish(certificate.create_certificate("Racing Process"), "its passphrase")
    assert certificate.load_certificate().der == first.der
    assert [p.name for p in (data_dir / "signing").iterdir() if p.name.startswith(".")] == []


def test_random_damage_is_always_a_reason_never_a_crash(sealed, clinic):
    rnd = random.Random(20261120)
    for _ in range(40):
        damaged = bytearray(sealed)
        for _ in range(3):
            damaged[rnd.randrange(len(damaged))] = rnd.randrange(256)
        with pytest.raises(NotVerified):
            verify_pdf(bytes(damaged), clinic)


@pytest.mark.parametrize(
    "data",
    [b"%PDF-", b"%PDF-1.7\n%%EOF", b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF"],
    ids=["header-only", "empty-body", "noise"],
)
def test_a_broken_pdf_is_a_reason(data, clinic):
    with pytest.raises(NotVerified):
        verify_pdf(data, clinic)


# --------------------------------------------------------------------------- quick sealing


def _pyhanko_and_ours(clinic):
    signer = clinic_signer(clinic.der, clinic.key_der)
    digest = hashlib.sha256(b"the document").digest()
    settings = PdfCMSSignedAttributes()
    ours = asyncio.run(
        signer.async_sign(digest, "sha256", use_pades=True, signed_attr_settings=settings)
    )
    theirs = asyncio.run(
        SimpleSigner.async_sign(
            signer, digest, "sha256", use_pades=True, signed_attr_settings=settings
        )
    )
    return ours["content"], theirs["content"]


def test_the_seal_is_the_cms_pyhanko_would_write(clinic):
    ours, theirs = _pyhanko_and_ours(clinic)
    for name in ("version", "digest_algorithms", "encap_content_info"):
        assert ours[name].dump() == theirs[name].dump(), name
    ours_info, theirs_info = ours["signer_infos"][0], theirs["signer_infos"][0]
    # Everything but the signature value (ECDSA signatures differ every time).
    for name in ("version", "sid", "digest_algorithm", "signed_attrs", "signature_algorithm"):
        assert ours_info[name].dump() == theirs_info[name].dump(), name
    # pyHanko lists the certificate twice (once from the registry, once as the signer's).
    assert {cert.dump() for cert in ours["certificates"]} == {
        cert.dump() for cert in theirs["certificates"]
    }
    assert len(ours["certificates"]) == 1


def test_the_seal_signature_checks_against_the_certificate(clinic):
    ours, _ = _pyhanko_and_ours(clinic)
    info = ours["signer_infos"][0]
    clinic.certificate.public_key().verify(
        info["signature"].native,
        info["signed_attrs"].untag().dump(),
        ec.ECDSA(hashes.SHA256()),
    )


def test_one_signer_per_certificate_and_key(clinic):
    assert clinic_signer(clinic.der, clinic.key_der) is clinic_signer(clinic.der, clinic.key_der)
    other = certificate.create_certificate("Other")
    assert clinic_signer(other.der, other.key_der) is not clinic_signer(clinic.der, clinic.key_der)


def test_a_certificate_replaced_on_disk_is_used_at_once(data_dir, clinic, original):
    assert certificate.load_certificate() is certificate.load_certificate()  # parsed once
    bundle = data_dir / "signing" / certificate.BUNDLE
    bundle.unlink()
    replacement = certificate.clinic_certificate("New Owner")
    assert replacement.der != clinic.der
    sealed = seal(original, certificate.load_certificate(), "Signed consent").pdf
    assert verify_pdf(sealed, replacement).signer == "New Owner"
    with pytest.raises(NotVerified, match="another certificate"):
        verify_pdf(sealed, clinic)


def test_every_seal_made_with_the_kept_signer_verifies(original, clinic, document):
    # The signer and its prepared parts are reused; nothing from one seal leaks into the next.
    plan = build_plan(document)
    seals = [seal(pdf, clinic, "Again").pdf for pdf in (original, plan, original, plan)]
    assert seals[0] != seals[2]  # fresh signature values each time
    for sealed in seals:
        assert verify_pdf(sealed, clinic).signer == "Glow Skin Clinic"
