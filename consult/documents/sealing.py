"""Sealing a PDF with the clinic's certificate (PAdES baseline B, via pyHanko).

The seal is a certification signature that allows no further changes: its digest
covers every byte of the document as issued, so `consult verify` can tell a changed
byte or an appended page from the original.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko_certvalidator.registry import SimpleCertificateStore

from consult.documents.certificate import ClinicCertificate

FIELD_NAME = "ClinicSeal"
# Room for the CMS signature (a P-256 signature and one certificate need about 1.5 kB).
# Giving it up front spares pyHanko a trial signature to measure it, half the sealing time.
SIGNATURE_BYTES = 8192


@dataclass(frozen=True)
class Sealed:
    pdf: bytes
    sha256: str  # hex digest of `pdf`, for the record and the audit trail


def seal(pdf: bytes, certificate: ClinicCertificate, reason: str) -> Sealed:
    """`pdf` with the clinic's invisible seal covering the whole file."""
    cert = asn1_x509.Certificate.load(certificate.der)
    signer = signers.SimpleSigner(
        signing_cert=cert,
        signing_key=asn1_keys.PrivateKeyInfo.load(certificate.key_der),
        cert_registry=SimpleCertificateStore.from_certs([cert]),
    )
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        name=certificate.holder,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    output = signers.PdfSigner(metadata, signer).sign_pdf(writer, bytes_reserved=SIGNATURE_BYTES)
    sealed = output.getvalue()
    return Sealed(sealed, hashlib.sha256(sealed).hexdigest())
