"""Checking that a sealed PDF is intact, whole, unchanged since sealing and this clinic's.

`verify_pdf` returns who sealed the file and when, or raises `NotVerified` with the one
reason a person needs (changed content, something appended, unsigned, another
certificate). A file that is not a PDF at all is a `ConsultError` (bad input).

The check asks more than a general PDF validator does, so it needs less of one. A clinic
seal covers every byte of the file but its own signature (`consult.documents.sealing`),
so an intact sealed file is exactly the bytes the clinic signed: nothing after the seal
is allowed, whatever kind of change it would be. That takes no PDF parser, only:

1. the one signature dictionary's /ByteRange, which must leave out nothing but the
   hex string of /Contents (the CMS signature) and reach the end of the file;
2. the CMS SignedData in that hole (asn1crypto): its message digest must be the SHA-256
   of the covered bytes, and its signature over the signed attributes must check with
   the certificate it names (cryptography);
3. that certificate must be one this clinic has sealed with, valid today.

pyHanko, which seals, is not loaded: its validation package is most of a cold
`consult verify`. The tests check this verdict against pyHanko's on the same files.
"""

from __future__ import annotations

import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from consult.documents.certificate import ClinicCertificate, holder_name
from consult.errors import ConsultError

PDF_MAGIC = b"%PDF-"
_BYTE_RANGE = re.compile(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]")
_HEX_STRING = re.compile(rb"<([0-9A-Fa-f\s]*)>")
# /M's literal string (escapes kept), then the PDF date inside it: D:YYYYMMDDHHmmSS+HH'mm'.
_TIME_ENTRY = re.compile(rb"/M\s*\(((?:[^()\\]|\\.)*)\)", re.DOTALL)
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.DOTALL)
_PDF_DATE = re.compile(
    rb"D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:([Z+-])(?:(\d{2})'?(\d{2})?'?)?)?"
)
_HASHES: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
# What a damaged CMS structure raises while asn1crypto parses it lazily.
_DAMAGE = (ValueError, TypeError, KeyError, IndexError, OverflowError)


class NotVerified(Exception):
    """The file is a PDF but not an intact document sealed by this clinic."""


@dataclass(frozen=True)
class Verification:
    signer: str
    signed_at: datetime | None


Trusted = ClinicCertificate | Sequence[x509.Certificate] | None


@dataclass(frozen=True)
class _Seal:
    """The one signature of a sealed file, as found in its bytes."""

    covered: bytes  # every byte the signature covers, in order
    sealed_end: int  # where the covered bytes end
    cms_der: bytes
    signed_at: datetime | None


def verify_pdf(data: bytes, clinic: Trusted, source: str = "file") -> Verification:
    """Check the seal of `data` against the clinic's certificates.

    `clinic` is this clinic's certificate, or every certificate it has had
    (consult.documents.certificate.trusted_certificates), or None when it has none yet.
    """
    if not data.startswith(PDF_MAGIC):
        raise ConsultError(f"{source}: not a PDF file")
    trusted = _trusted_der(clinic)
    found = _only_seal(data)
    if not trusted:
        raise ConsultError("this computer has no clinic certificate yet, so it cannot check a seal")
    signer = _checked_signer(found)
    return _judge(found, signer, trusted, len(data))


def _trusted_der(clinic: Trusted) -> list[bytes]:
    if clinic is None:
        return []
    if isinstance(clinic, ClinicCertificate):
        return [clinic.der]
    return [certificate.public_bytes(serialization.Encoding.DER) for certificate in clinic]


def _only_seal(data: bytes) -> _Seal:
    ranges = list(_BYTE_RANGE.finditer(data))
    if not ranges:
        raise NotVerified("the file is not sealed (it has no signature)")
    if len(ranges) > 1:
        raise NotVerified(f"the file has {len(ranges)} signatures; a clinic seal is one")
    match = ranges[0]
    start, first, second, length = (int(number) for number in match.groups())
    hole = _HEX_STRING.fullmatch(data, first, second)
    if start != 0 or hole is None or second + length > len(data):
        raise NotVerified("the file is damaged: its seal does not describe the file")
    try:
        cms_der = binascii.unhexlify(re.sub(rb"\s", b"", hole.group(1)))
    except (binascii.Error, ValueError):
        raise NotVerified("the file is damaged: its seal cannot be read") from None
    return _Seal(
        covered=data[:first] + data[second : second + length],
        sealed_end=second + length,
        cms_der=cms_der,
        signed_at=_signing_time(data, match.start()),
    )


def _signing_time(data: bytes, byte_range_at: int) -> datetime | None:
    """The /M of the signature dictionary that holds the /ByteRange (PAdES: the time of
    sealing is there, not in the signature)."""
    start = data.rfind(b" obj", 0, byte_range_at)
    end = data.find(b"endobj", byte_range_at)
    entry = _TIME_ENTRY.search(data, max(start, 0), end if end != -1 else len(data))
    found = _PDF_DATE.fullmatch(_ESCAPE.sub(_unescaped, entry.group(1))) if entry else None
    if found is None:
        return None
    year, month, day, hour, minute, second, sign, off_h, off_m = found.groups()
    offset = timedelta(hours=int(off_h or 0), minutes=int(off_m or 0))
    zone = UTC if sign in (None, b"Z") else timezone(-offset if sign == b"-" else offset)
    try:
        return datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), tzinfo=zone
        )
    except ValueError:
        return None


def _unescaped(escape: re.Match[bytes]) -> bytes:
    """One escape of a PDF literal string: \\072 is ':' (pyHanko writes the date so)."""
    code = escape.group(1)
    if code[:1].isdigit():
        return bytes([int(code, 8) & 0xFF])
    return {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(code, code)


@dataclass(frozen=True)
class _Signer:
    der: bytes
    certificate: x509.Certificate


def _checked_signer(found: _Seal) -> _Signer:
    """The certificate that made the signature, once digest and signature both check."""
    try:
        signed_data = cms.ContentInfo.load(found.cms_der)["content"]
        infos = signed_data["signer_infos"]
        if len(infos) != 1:
            raise NotVerified(f"the seal has {len(infos)} signers; a clinic seal has one")
        info = infos[0]
        digest_name = info["digest_algorithm"]["algorithm"].native
        attributes = {
            attribute["type"].native: attribute["values"][0].native
            for attribute in info["signed_attrs"]
        }
        signer_der = _signer_certificate(signed_data, info["sid"])
        signed_attributes = info["signed_attrs"].untag().dump()
        signature = info["signature"].native
        algorithm = info["signature_algorithm"]["algorithm"].native
    except _DAMAGE:
        raise NotVerified("the file is damaged: its seal cannot be read") from None
    if digest_name not in _HASHES:
        raise NotVerified(f"the seal uses a digest Consult does not check ({digest_name})")
    if hashlib.new(digest_name, found.covered).digest() != attributes.get("message_digest"):
        raise NotVerified("the content was changed after sealing (the digest does not match)")
    try:
        certificate = x509.load_der_x509_certificate(signer_der)
    except ValueError:
        raise NotVerified("the file is damaged: its seal's certificate cannot be read") from None
    _check_signature(certificate, signature, signed_attributes, digest_name, algorithm)
    return _Signer(signer_der, certificate)


def _signer_certificate(signed_data: cms.SignedData, sid: cms.SignerIdentifier) -> bytes:
    """The DER of the certificate the signer identifier names, from the seal's own set."""
    if sid.name != "issuer_and_serial_number":
        raise NotVerified("the seal names its certificate in a way Consult does not check")
    wanted = sid.chosen
    for choice in signed_data["certificates"] or ():
        certificate = choice.chosen
        if (
            choice.name == "certificate"
            and certificate.issuer == wanted["issuer"]
            and certificate.serial_number == wanted["serial_number"].native
        ):
            der: bytes = certificate.dump()
            return der
    raise NotVerified("the seal does not carry the certificate that made it")


def _check_signature(
    certificate: x509.Certificate,
    signature: bytes,
    signed: bytes,
    digest_name: str,
    algorithm: str,
) -> None:
    digest = _HASHES[digest_name]()
    key = certificate.public_key()
    try:
        if isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, signed, ec.ECDSA(digest))
        elif isinstance(key, rsa.RSAPublicKey) and algorithm != "rsassa_pss":
            key.verify(signature, signed, padding.PKCS1v15(), digest)
        else:
            raise NotVerified(f"the seal uses a signature Consult does not check ({algorithm})")
    except InvalidSignature:
        raise NotVerified("the seal's signature does not match its certificate") from None


def _judge(found: _Seal, signer: _Signer, trusted: list[bytes], size: int) -> Verification:
    """What is left once the signature checks, in the order a person would want to hear it."""
    holder = holder_name(signer.certificate)
    if signer.der not in trusted:
        raise NotVerified(f"sealed with another certificate ({holder}), not this clinic's")
    now = datetime.now(UTC)
    certificate = signer.certificate
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        raise NotVerified("the clinic certificate is not valid (expired or not yet valid)")
    if found.sealed_end != size:
        added = size - found.sealed_end
        raise NotVerified(
            f"content was appended after sealing ({added} bytes after the sealed end, "
            "an incremental update)"
        )
    return Verification(holder, found.signed_at)
