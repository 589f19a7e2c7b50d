"""Checking that a sealed PDF is intact, whole, unchanged since sealing and this clinic's.

`verify_pdf` returns who sealed the file and when, or raises `NotVerified` with the one
reason a person needs (changed content, something appended, unsigned, another
certificate). A file that is not a PDF at all is a `ConsultError` (bad input).
pyHanko logs validation problems with tracebacks; they are kept out of the terminal.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from consult.documents.certificate import ClinicCertificate, holder_name
from consult.errors import ConsultError

PDF_MAGIC = b"%PDF-"
# Loggers that report validation failures with full tracebacks.
_NOISY_LOGGERS = ("pyhanko", "pyhanko_certvalidator")


class NotVerified(Exception):
    """The file is a PDF but not an intact document sealed by this clinic."""


@dataclass(frozen=True)
class Verification:
    signer: str
    signed_at: datetime | None


Trusted = ClinicCertificate | Sequence[x509.Certificate] | None


def verify_pdf(data: bytes, clinic: Trusted, source: str = "file") -> Verification:
    """Check the seal of `data` against the clinic's certificates.

    `clinic` is this clinic's certificate, or every certificate it has had
    (consult.documents.certificate.trusted_certificates), or None when it has none yet.
    """
    if not data.startswith(PDF_MAGIC):
        raise ConsultError(f"{source}: not a PDF file")
    trusted = _trusted_der(clinic)
    with _quiet():
        signature = _only_signature(data)
        if not trusted:
            raise ConsultError(
                "this computer has no clinic certificate yet, so it cannot check a seal"
            )
        status = _validate(signature, trusted)
    return _judge(status, trusted)


def _trusted_der(clinic: Trusted) -> list[bytes]:
    if clinic is None:
        return []
    if isinstance(clinic, ClinicCertificate):
        return [clinic.der]
    return [certificate.public_bytes(serialization.Encoding.DER) for certificate in clinic]


@contextmanager
def _quiet() -> Iterator[None]:
    """Keep pyHanko's tracebacks off the terminal (a handler stops the last-resort one)."""
    handler = logging.NullHandler()
    loggers = [logging.getLogger(name) for name in _NOISY_LOGGERS]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(handler)


def _only_signature(data: bytes) -> EmbeddedPdfSignature:
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        # pyHanko leaves this property unannotated; it is documented as this list.
        signatures: list[EmbeddedPdfSignature] = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise NotVerified(f"the file is damaged and cannot be read as a PDF ({exc})") from None
    if not signatures:
        raise NotVerified("the file is not sealed (it has no signature)")
    if len(signatures) > 1:
        raise NotVerified(f"the file has {len(signatures)} signatures; a clinic seal is one")
    return signatures[0]


def _validate(signature: EmbeddedPdfSignature, trusted: list[bytes]) -> PdfSignatureStatus:
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(der) for der in trusted])
    try:
        return validate_pdf_signature(signature, context)
    except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError) as exc:
        raise NotVerified(f"the seal cannot be checked ({exc})") from None


def _judge(status: PdfSignatureStatus, trusted: list[bytes]) -> Verification:
    """The first thing wrong, in the order a person would want to hear it."""
    if not status.intact:
        raise NotVerified("the content was changed after sealing (the digest does not match)")
    if not status.valid:
        raise NotVerified("the seal's signature does not match its certificate")
    signer = status.signing_cert.dump()
    if signer not in trusted:
        holder = status.signing_cert.subject.human_friendly
        raise NotVerified(f"sealed with another certificate ({holder}), not this clinic's")
    if not status.trusted:
        raise NotVerified("the clinic certificate is not valid (expired or not yet valid)")
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        raise NotVerified(f"content was appended after sealing ({_what_was_added(status)})")
    if status.docmdp_ok is False:
        raise NotVerified("the file was modified after sealing in a way the seal forbids")
    return Verification(
        holder_name(x509.load_der_x509_certificate(signer)), status.signer_reported_dt
    )


def _what_was_added(status: PdfSignatureStatus) -> str:
    level = status.modification_level
    if level is None:
        return "an incremental update"
    return f"an incremental update, changes of kind {level.name.lower()}"
