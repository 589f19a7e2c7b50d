"""`verify_pdf` without pyHanko: the same verdicts as pyHanko's validation, its own details."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfWriter
from pypdf.annotations import FreeText

from consult.documents import certificate
from consult.documents.consent import build_consent
from consult.documents.sealing import seal
from consult.documents.verify import NotVerified, verify_pdf


@pytest.fixture
def clinic(data_dir):
    return certificate.clinic_certificate("Glow Skin Clinic")


@pytest.fixture
def sealed(document, clinic) -> bytes:
    return seal(build_consent(document), clinic, "Signed consent").pdf


def pyhankos_verdict(data: bytes, clinic: certificate.ClinicCertificate) -> bool:
    """Whether pyHanko's own validation finds `data` intact, valid, this clinic's and whole."""
    try:
        signatures = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
        if len(signatures) != 1:
            return False
        context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(clinic.der)])
        status = validate_pdf_signature(signatures[0], context)
    except Exception:  # any failure to read or validate is "not verified" for pyHanko
        return False
    return bool(
        status.intact
        and status.valid
        and status.trusted
        and status.signing_cert.dump() == clinic.der
        and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    )


def ours(data: bytes, clinic: certificate.ClinicCertificate) -> bool:
    try:
        verify_pdf(data, clinic)
    except NotVerified:
        return False
    return True


def _appended(sealed: bytes) -> bytes:
    writer = PdfWriter(io.BytesIO(sealed), incremental=True)
    writer.add_annotation(0, FreeText(text="Paid in full", rect=(50, 50, 200, 100)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_the_verdicts_are_pyhankos_on_intact_tampered_appended_and_foreign_files(
    document, sealed, clinic
):
    stranger = certificate.create_certificate("Glow Skin Clinic")  # same name, other key
    damaged = []
    rnd = random.Random(20261206)
    for _ in range(25):
        copy = bytearray(sealed)
        copy[rnd.randrange(len(copy))] ^= 1 << rnd.randrange(8)
        damaged.append(bytes(copy))
    files = [
        sealed,
        seal(build_consent(document), clinic, "Again").pdf,
        build_consent(document),
        _appended(sealed),
        seal(build_consent(document), stranger, "Forged").pdf,
        sealed[: len(sealed) // 2],
        sealed + b"\n",
        *damaged,
    ]
    verdicts = [(ours(data, clinic), pyhankos_verdict(data, clinic)) for data in files]
    assert [a for a, _ in verdicts] == [b for _, b in verdicts]
    assert verdicts[0] == (True, True) and verdicts[3] == (False, False)


def test_the_time_of_sealing_is_the_signature_dictionarys(sealed, clinic):
    before = datetime.now(UTC)
    result = verify_pdf(sealed, clinic)
    assert result.signer == "Glow Skin Clinic"
    assert result.signed_at is not None and result.signed_at.tzinfo is not None
    assert before - timedelta(minutes=5) < result.signed_at <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        (rb"(D\07220261206143641Z)", datetime(2026, 12, 6, 14, 36, 41, tzinfo=UTC)),
        (
            rb"(D:20261206153641+01'00')",
            datetime(2026, 12, 6, 15, 36, 41, tzinfo=timezone(timedelta(hours=1))),
        ),
        (
            rb"(D:20261206093641-05'00')",
            datetime(2026, 12, 6, 9, 36, 41, tzinfo=timezone(timedelta(hours=-5))),
        ),
    ],
)
def test_pdf_dates_are_read_with_their_escapes_and_offsets(sealed, clinic, written, expected):
    # The /M entry sits after the signed hole, so rewriting it (same length) is tampering,
    # which the verdict must say; the date parser is checked on its own here.
    from consult.documents.verify import _signing_time

    at = sealed.index(b"/ByteRange")
    start = sealed.index(b"/M (", at) + len(b"/M ")
    end = sealed.index(b")", start) + 1
    rewritten = sealed[:start] + written + sealed[end:]
    assert _signing_time(rewritten, at) == expected


def test_a_second_signature_dictionary_is_named(sealed, clinic):
    twice = sealed + b"\n% /ByteRange [0 10 20 30]\n"
    with pytest.raises(NotVerified, match="2 signatures"):
        verify_pdf(twice, clinic)


def test_a_byte_range_that_leaves_out_more_than_the_signature_is_damage(sealed, clinic):
    at = sealed.index(b"/ByteRange [0 ")
    first = sealed[at:].split(b"[0 ", 1)[1].split(b" ", 1)[0]
    shorter = str(int(first) - 10).encode().rjust(len(first))
    forged = sealed.replace(b"/ByteRange [0 " + first, b"/ByteRange [0 " + shorter, 1)
    with pytest.raises(NotVerified, match="damaged"):
        verify_pdf(forged, clinic)
