"""Sealing a PDF with the clinic's certificate (PAdES baseline B, via pyHanko).

The seal is a certification signature that allows no further changes: its digest
covers every byte of the document as issued, so `consult verify` can tell a changed
byte or an appended page from the original.

pyHanko lays out the PDF side (signature field, byte ranges, the certification). The
CMS signature inside is assembled here, from parts prepared once per certificate:
asn1crypto re-encodes a structure built from Python values every time any level of it
is read, which made pyHanko's own assembly cost more than building the whole document.
The result is the CMS pyHanko writes, field for field (a test compares them), except
that the certificate is listed once where pyHanko lists it twice.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

from asn1crypto import algos, cms, core
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import as_signing_certificate_v2
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko_certvalidator.registry import SimpleCertificateStore

from consult.documents.certificate import ClinicCertificate

FIELD_NAME = "ClinicSeal"
# Room for the CMS signature (a P-256 signature and one certificate need about 1.5 kB).
# Giving it up front spares pyHanko a trial signature to measure it, half the sealing time.
SIGNATURE_BYTES = 8192
DIGEST = "sha256"
# A clinic has one certificate; a second entry covers the moment a new one replaces it.
_SIGNERS_KEPT = 4

Asn1 = TypeVar("Asn1", bound=core.Asn1Value)


@dataclass(frozen=True)
class Sealed:
    pdf: bytes
    sha256: str  # hex digest of `pdf`, for the record and the audit trail


def seal(pdf: bytes, certificate: ClinicCertificate, reason: str) -> Sealed:
    """`pdf` with the clinic's invisible seal covering the whole file."""
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm=DIGEST,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        name=certificate.holder,
        certify=True,
        docmdp_permissions=fields.MDPPerm.NO_CHANGES,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    signer = clinic_signer(certificate.der, certificate.key_der)
    output = signers.PdfSigner(metadata, signer).sign_pdf(writer, bytes_reserved=SIGNATURE_BYTES)
    sealed = output.getvalue()
    return Sealed(sealed, hashlib.sha256(sealed).hexdigest())


@lru_cache(maxsize=_SIGNERS_KEPT)
def clinic_signer(certificate_der: bytes, key_der: bytes) -> ClinicSigner:
    """The signer for one certificate and key, made once per process (keyed by both)."""
    return ClinicSigner(
        asn1_x509.Certificate.load(certificate_der), asn1_keys.PrivateKeyInfo.load(key_der)
    )


def frozen(value: Asn1) -> Asn1:
    """`value` parsed back from its encoding, so reading it again copies bytes.

    A value built from Python values stays "mutated" in asn1crypto: every read of any
    enclosing structure encodes it again, twice per level, so the cost doubles with
    each level of nesting. Parsed values keep their encoding.
    """
    parsed: Asn1 = type(value).load(value.dump())  # asn1crypto has no type hints
    return parsed


class ClinicSigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner with the seal's CMS built from parts prepared once.

    Only the seal this module makes takes the quick path (SHA-256, PAdES, no time
    stamp, no extra attributes); any other request goes to pyHanko unchanged.
    """

    def __init__(self, certificate: asn1_x509.Certificate, key: asn1_keys.PrivateKeyInfo):
        super().__init__(
            signing_cert=certificate,
            signing_key=key,
            cert_registry=SimpleCertificateStore.from_certs([certificate]),
        )
        self._digest_algorithm = frozen(algos.DigestAlgorithm({"algorithm": DIGEST}))
        self._signature_algorithm = frozen(self.get_signature_mechanism_for_digest(DIGEST))
        self._certificate_attribute = frozen(
            cms.CMSAttribute(
                {
                    "type": "signing_certificate_v2",
                    "values": [as_signing_certificate_v2(certificate, DIGEST)],
                }
            )
        )
        self._content_type_attribute = frozen(
            cms.CMSAttribute({"type": "content_type", "values": ["data"]})
        )
        self._signer_id = frozen(
            cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": {
                        "issuer": certificate.issuer,
                        "serial_number": certificate.serial_number,
                    }
                }
            )
        )
        self._certificates = frozen(
            cms.CertificateSet([cms.CertificateChoices(name="certificate", value=certificate)])
        )

    async def async_sign(
        self,
        data_digest: bytes,
        digest_algorithm: str,
        dry_run: bool = False,
        use_pades: bool = False,
        timestamper: object = None,
        signed_attr_settings: PdfCMSSignedAttributes | None = None,
        is_pdf_sig: bool = True,
        encap_content_info: object = None,
    ) -> cms.ContentInfo:
        quick = (
            digest_algorithm.lower() == DIGEST
            and use_pades
            and is_pdf_sig
            and not dry_run
            and timestamper is None
            and encap_content_info is None
            and _only_standard_attributes(signed_attr_settings)
        )
        if not quick:
            return await super().async_sign(
                data_digest,
                digest_algorithm,
                dry_run=dry_run,
                use_pades=use_pades,
                timestamper=timestamper,
                signed_attr_settings=signed_attr_settings,
                is_pdf_sig=is_pdf_sig,
                encap_content_info=encap_content_info,
            )
        signed_attrs = self._signed_attributes(data_digest)
        signature = await self.async_sign_raw(signed_attrs.dump(), DIGEST)
        return self._content_info(signed_attrs, signature)

    def _signed_attributes(self, data_digest: bytes) -> cms.CMSAttributes:
        # What PAdES baseline B asks for, in pyHanko's order; no signing time (PAdES
        # forbids it: the time is the signature dictionary's /M).
        digest = cms.CMSAttribute({"type": "message_digest", "values": [data_digest]})
        return frozen(
            cms.CMSAttributes(
                [self._content_type_attribute, frozen(digest), self._certificate_attribute]
            )
        )

    def _content_info(self, signed_attrs: cms.CMSAttributes, signature: bytes) -> cms.ContentInfo:
        signer_info = cms.SignerInfo(
            {
                "version": "v1",
                "sid": self._signer_id,
                "digest_algorithm": self._digest_algorithm,
                "signed_attrs": signed_attrs,
                "signature_algorithm": self._signature_algorithm,
                "signature": signature,
            }
        )
        signed_data = cms.SignedData(
            {
                "version": "v1",
                "digest_algorithms": [self._digest_algorithm],
                "encap_content_info": {"content_type": "data"},
                "certificates": self._certificates,
                "signer_infos": [frozen(signer_info)],
            }
        )
        return frozen(cms.ContentInfo({"content_type": "signed_data", "content": signed_data}))


def _only_standard_attributes(settings: PdfCMSSignedAttributes | None) -> bool:
    """No CAdES extras or Adobe revocation data asked for (a signing time is not used)."""
    if settings is None:
        return True
    return settings.cades_signed_attrs is None and settings.adobe_revinfo_attr is None
