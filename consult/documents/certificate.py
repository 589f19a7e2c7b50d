"""The clinic's own signing certificate: created on first use, kept in the data folder.

It is self-signed: the clinic is its own authority, and `consult verify` trusts exactly
this certificate. Key and certificate are stored together in one PEM file readable only
by the user (mode 0600), never in the database, so a database backup or a copy for a
manager's report never carries the key. A public copy of the certificate is written
beside it for anyone who wants to check documents elsewhere.

Two processes creating it at the same moment is safe: the file is published with a
hard link, which fails if it already exists, and both then use the one that won.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from consult import atomic
from consult.errors import ConsultError
from consult.paths import data_dir

FOLDER = "signing"
BUNDLE = "clinic-seal.pem"  # private key + certificate, mode 0600
PUBLIC = "clinic-certificate.pem"  # the certificate alone, for sharing
VALID_YEARS = 10


@dataclass(frozen=True)
class ClinicCertificate:
    certificate: x509.Certificate
    key: ec.EllipticCurvePrivateKey

    # Cached: every seal looks its signer up by these bytes.
    @cached_property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    @cached_property
    def key_der(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def holder(self) -> str:
        return holder_name(self.certificate)

    @cached_property
    def fingerprint(self) -> str:
        """SHA-256 of the certificate (hex, capitals): what PDF readers show to compare."""
        return self.certificate.fingerprint(hashes.SHA256()).hex().upper()


def holder_name(certificate: x509.Certificate) -> str:
    """The organisation named in a certificate (its common name if it has none)."""
    for oid in (NameOID.ORGANIZATION_NAME, NameOID.COMMON_NAME):
        names = certificate.subject.get_attributes_for_oid(oid)
        if names:
            return str(names[0].value)
    return certificate.subject.rfc4514_string()


def folder() -> Path:
    return data_dir() / FOLDER


def clinic_certificate(clinic_name: str) -> ClinicCertificate:
    """This clinic's certificate, created (named after `clinic_name`) if there is none yet."""
    existing = load_certificate()
    if existing is not None:
        return existing
    _publish(create_certificate(clinic_name))
    loaded = load_certificate()
    if loaded is None:
        raise ConsultError(f"the clinic certificate could not be saved in {folder()}")
    return loaded


def load_certificate() -> ClinicCertificate | None:
    """The stored certificate, or None when this machine has none yet."""
    path = folder() / BUNDLE
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConsultError(f"{path}: cannot be read ({exc.strerror})") from None
    return _parse_bundle(path, pem)


# Keyed by the file's bytes, not only its name: a certificate replaced on disk is parsed
# afresh, an unchanged one is not (reading a 1 kB file is cheap, parsing the key is not).
@lru_cache(maxsize=4)
def _parse_bundle(path: Path, pem: bytes) -> ClinicCertificate:
    try:
        key = serialization.load_pem_private_key(pem, password=None)
        certificate = x509.load_pem_x509_certificate(pem)
    except ValueError:
        raise ConsultError(f"{path}: the clinic certificate file is damaged") from None
    if (
        not isinstance(key, ec.EllipticCurvePrivateKey)
        or key.public_key() != certificate.public_key()
    ):
        raise ConsultError(f"{path}: the key does not belong to the certificate")
    return ClinicCertificate(certificate, key)


def create_certificate(clinic_name: str, now: datetime | None = None) -> ClinicCertificate:
    """A new self-signed P-256 certificate for document seals (not yet stored)."""
    name = clinic_name.strip() or "Clinic"
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, f"{name} document seal"[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, name[:64]),
        ]
    )
    start = (now or datetime.now(UTC)) - timedelta(minutes=5)  # tolerate a slow clock
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=365 * VALID_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return ClinicCertificate(certificate, key)


def _publish(seal: ClinicCertificate) -> None:
    target = folder()
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    pem = seal.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ) + seal.certificate.public_bytes(serialization.Encoding.PEM)
    fd, temp = tempfile.mkstemp(prefix=".seal.", dir=target)  # created with mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        try:
            os.link(temp, target / BUNDLE)
        except FileExistsError:
            return  # another process published first; everyone uses that one
    finally:
        Path(temp).unlink(missing_ok=True)
    public = atomic.write_bytes(
        target / PUBLIC, seal.certificate.public_bytes(serialization.Encoding.PEM)
    )
    public.chmod(0o644)  # the certificate alone is public: anyone may check a seal with it
