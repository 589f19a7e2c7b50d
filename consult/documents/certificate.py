"""The clinic's own signing certificate: created on first use, kept in the data folder.

It is self-signed: the clinic is its own authority, and `consult verify` trusts the
certificates this clinic has ever had (the current one and every one it replaced,
kept public in `signing/certificates/`), so documents sealed before a key rotation or
a change of the clinic's name keep verifying. The certificate names the clinic; it
is renewed (same key) when the name changes.

The private key is stored with the certificate in one PEM file readable only by the
user (mode 0600), never in the database, and encrypted (PKCS#8, with a passphrase):
a copy of the data folder alone does not let anyone seal in the clinic's name. The
passphrase comes from, in order: the one entered in the app this session (`unlock`),
CONSULT_SEAL_PASSPHRASE (for the command line on a computer without a keyring), or
the operating system's keyring (through the `keyring` library), where a random one
is kept when the key is made. Without a keyring the manager sets one (`set_passphrase`,
in the app's settings) and the app asks for it once per start; sealing without it is
refused with one clear line (`SealLocked`). A key from before encryption is encrypted
on first use.

Two processes creating it at the same moment is safe: the file is published with a
hard link, which fails if it already exists, and both then use the one that won.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property, lru_cache
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from consult.access import Actor, require
from consult.app.paths import data_dir
from consult.errors import ConsultError, InvalidField
from consult.protection import atomic

log = logging.getLogger(__name__)

FOLDER = "signing"
BUNDLE = "clinic-seal.pem"  # encrypted private key + certificate, mode 0600
PUBLIC = "clinic-certificate.pem"  # the certificate alone, for sharing
HISTORY = "certificates"  # every certificate the clinic has had, public, for verifying
VALID_YEARS = 10
PASSPHRASE_ENV = "CONSULT_SEAL_PASSPHRASE"  # noqa: S105  (a variable's name, not a secret)
KEYRING_SERVICE = "Consult clinic seal"
MIN_PASSPHRASE = 10
PERMISSION = "settings.edit"


class SealLocked(ConsultError):
    """The sealing key cannot be used: no passphrase for it here, or a wrong one."""


# Passphrases entered in the app this session, by signing folder (never written anywhere).
_unlocked: dict[str, str] = {}


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
    """This clinic's certificate and key, for sealing.

    Created (named after `clinic_name`) on first use; renewed when the clinic's name
    has changed since; an unencrypted key from an older Consult is encrypted now.
    Raises SealLocked when the key's passphrase is not available here.
    """
    existing = load_certificate()
    if existing is None:
        _publish(create_certificate(clinic_name), _passphrase_for_a_new_key())
        existing = load_certificate()
        if existing is None:
            raise ConsultError(f"the clinic certificate could not be saved in {folder()}")
    name = _clinic_name(clinic_name)
    if clinic_name.strip() and existing.holder != name:
        existing = _renew(existing, name)
    return existing


def load_certificate() -> ClinicCertificate | None:
    """The stored certificate and its key, or None when this machine has none yet."""
    path = folder() / BUNDLE
    pem = _read(path)
    if pem is None:
        return None
    if _is_unencrypted(pem):
        return _encrypt_legacy_key(path, pem)
    passphrase = _passphrase()
    if passphrase is None:
        raise SealLocked(_locked_message())
    return _parse_bundle(path, pem, passphrase)


def trusted_certificates() -> list[x509.Certificate]:
    """Every certificate this clinic has sealed with: verifying needs no key or passphrase."""
    found: dict[bytes, x509.Certificate] = {}
    paths = [folder() / PUBLIC, *sorted((folder() / HISTORY).glob("*.pem"))]
    for path in paths:
        pem = _read(path)
        if pem is None:
            continue
        try:
            for certificate in x509.load_pem_x509_certificates(pem):
                found[certificate.fingerprint(hashes.SHA256())] = certificate
        except ValueError:
            raise ConsultError(f"{path}: the clinic certificate file is damaged") from None
    return list(found.values())


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConsultError(f"{path}: cannot be read ({exc.strerror})") from None


# Keyed by the file's bytes, not only its name: a certificate replaced on disk is parsed
# afresh, an unchanged one is not (reading a 1 kB file is cheap, decrypting the key is not).
@lru_cache(maxsize=4)
def _parse_bundle(path: Path, pem: bytes, passphrase: str | None) -> ClinicCertificate:
    password = passphrase.encode("utf-8") if passphrase is not None else None
    try:
        key = serialization.load_pem_private_key(pem, password=password)
        certificate = x509.load_pem_x509_certificate(pem)
    except ValueError as exc:
        if passphrase is not None and "ENCRYPTED" in pem.decode("ascii", "replace"):
            if "password" in str(exc).lower() or "decrypt" in str(exc).lower():
                raise SealLocked(
                    "the passphrase of the clinic's sealing key is wrong; enter it again "
                    f"in the app's settings or set {PASSPHRASE_ENV}"
                ) from None
        raise ConsultError(f"{path}: the clinic certificate file is damaged") from None
    except TypeError:
        raise ConsultError(f"{path}: the clinic certificate file is damaged") from None
    if (
        not isinstance(key, ec.EllipticCurvePrivateKey)
        or key.public_key() != certificate.public_key()
    ):
        raise ConsultError(f"{path}: the key does not belong to the certificate")
    return ClinicCertificate(certificate, key)


def _is_unencrypted(pem: bytes) -> bool:
    return b"-----BEGIN PRIVATE KEY-----" in pem or b"-----BEGIN EC PRIVATE KEY-----" in pem


def _encrypt_legacy_key(path: Path, pem: bytes) -> ClinicCertificate:
    """A key stored in clear by an older Consult: encrypted at its first use."""
    seal = _parse_bundle(path, pem, None)
    passphrase = _passphrase() or _new_keyring_passphrase()
    if passphrase is None:
        raise SealLocked(
            "the clinic's sealing key must now be protected by a passphrase and this "
            "computer has no keyring to keep one: a manager sets it in the app's settings "
            f"(or set {PASSPHRASE_ENV}); until then documents cannot be sealed"
        )
    _replace_bundle(seal, passphrase)
    log.info("the clinic's sealing key in %s is now encrypted", path)
    return seal


# --------------------------------------------------------------------------- passphrases


def _passphrase() -> str | None:
    given = _unlocked.get(str(folder())) or os.environ.get(PASSPHRASE_ENV)
    if given:
        return given
    kept = _keyring_get()
    if kept:
        _unlocked[str(folder())] = kept  # one keyring call per start, not one per seal
    return kept


def _locked_message() -> str:
    return (
        "the clinic's sealing key is locked: its passphrase is not in this computer's "
        "keyring; a manager enters it in the app's settings (Sealing key), or set "
        f"{PASSPHRASE_ENV}; documents cannot be sealed until then"
    )


def _passphrase_for_a_new_key() -> str:
    passphrase = _passphrase() or _new_keyring_passphrase()
    if passphrase is None:
        raise SealLocked(
            "this computer has no keyring to keep the clinic's sealing key safe: a manager "
            f"sets its passphrase in the app's settings (Sealing key), or set {PASSPHRASE_ENV}"
        )
    return passphrase


def _new_keyring_passphrase() -> str | None:
    """A random passphrase kept in the OS keyring, or None where there is no keyring."""
    passphrase = secrets.token_urlsafe(32)
    return passphrase if _keyring_set(passphrase) else None


def _keyring_account() -> str:
    return str(folder().resolve())


def _keyring_get() -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, _keyring_account())
    except KeyringError as exc:
        log.info("no keyring for the sealing key's passphrase: %s", exc)
        return None


def _keyring_set(passphrase: str) -> bool:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:
        return False
    try:
        keyring.set_password(KEYRING_SERVICE, _keyring_account(), passphrase)
    except KeyringError as exc:
        log.info("the sealing key's passphrase cannot be kept in a keyring: %s", exc)
        return False
    return True


def is_locked() -> bool:
    """Whether sealing would need a passphrase first (the app then asks the manager)."""
    pem = _read(folder() / BUNDLE)
    if pem is None or _is_unencrypted(pem):
        return _passphrase() is None and not _keyring_usable()
    return _passphrase() is None


def _keyring_usable() -> bool:
    try:
        import keyring
        from keyring.backends.fail import Keyring as NoKeyring
    except ImportError:
        return False
    return not isinstance(keyring.get_keyring(), NoKeyring)


def unlock(passphrase: str) -> ClinicCertificate | None:
    """Use `passphrase` for the sealing key this session (the app asks once per start).

    Checked against the stored key at once (SealLocked if wrong); with no key yet it
    becomes the new key's passphrase.
    """
    if not passphrase:
        raise InvalidField("passphrase", "enter the sealing key's passphrase")
    pem = _read(folder() / BUNDLE)
    seal = None
    if pem is not None and not _is_unencrypted(pem):
        seal = _parse_bundle(folder() / BUNDLE, pem, passphrase)
    _unlocked[str(folder())] = passphrase
    return seal


def set_passphrase(actor: Actor, new: str) -> None:
    """A manager protects the sealing key with `new` (the key must be usable now).

    Kept in the keyring too where there is one, so this computer need not ask again.
    """
    require(actor, PERMISSION)
    if len(new) < MIN_PASSPHRASE or not new.strip():
        raise InvalidField("passphrase", f"use at least {MIN_PASSPHRASE} characters")
    seal = load_certificate()
    _unlocked[str(folder())] = new
    if seal is not None:
        _replace_bundle(seal, new)
    _keyring_set(new)


def rotate_key(actor: Actor, clinic_name: str) -> ClinicCertificate:
    """A new key and certificate for sealing from now on; old documents keep verifying."""
    require(actor, PERMISSION)
    old = load_certificate()
    passphrase = _passphrase() if old is not None else _passphrase_for_a_new_key()
    if passphrase is None:
        raise SealLocked(_locked_message())
    fresh = create_certificate(clinic_name or (old.holder if old else ""))
    if old is None:
        _publish(fresh, passphrase)
    else:
        _replace_bundle(fresh, passphrase)
    log.info("the clinic's sealing key was rotated by %s", actor.username)
    return fresh


def export_certificate(actor: Actor, target: Path, encoding: str = "pem") -> Path:
    """Write the current certificate (public: no key) to `target` as PEM or DER."""
    require(actor, PERMISSION)
    formats = {"pem": serialization.Encoding.PEM, "der": serialization.Encoding.DER}
    if encoding not in formats:
        raise InvalidField("format", "choose pem or der")
    certificates = trusted_certificates()
    current = _read(folder() / PUBLIC)
    if current is None or not certificates:
        raise ConsultError(
            "this computer has no clinic certificate yet (it is made at the first seal)"
        )
    certificate = x509.load_pem_x509_certificate(current)
    written = atomic.write_bytes(target, certificate.public_bytes(formats[encoding]))
    written.chmod(0o644)
    return written


def _clinic_name(clinic_name: str) -> str:
    return (clinic_name.strip() or "Clinic")[:64]


def _renew(old: ClinicCertificate, name: str) -> ClinicCertificate:
    """The same key under a certificate carrying the clinic's new name."""
    passphrase = _passphrase()
    if passphrase is None:
        raise SealLocked(_locked_message())
    renewed = create_certificate(name, key=old.key)
    _replace_bundle(renewed, passphrase)
    log.info("the clinic certificate was renewed for the name %r", name)
    return renewed


def create_certificate(
    clinic_name: str,
    now: datetime | None = None,
    *,
    key: ec.EllipticCurvePrivateKey | None = None,
) -> ClinicCertificate:
    """A new self-signed P-256 certificate for document seals (not yet stored)."""
    name = _clinic_name(clinic_name)
    key = key or ec.generate_private_key(ec.SECP256R1())
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


def _bundle_pem(seal: ClinicCertificate, passphrase: str) -> bytes:
    return seal.key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.BestAvailableEncryption(passphrase.encode("utf-8")),
    ) + seal.certificate.public_bytes(serialization.Encoding.PEM)


def _publish(seal: ClinicCertificate, passphrase: str) -> None:
    """Store a first certificate, unless another process stored one first."""
    target = folder()
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".seal.", dir=target)  # created with mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_bundle_pem(seal, passphrase))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        try:
            os.link(temp, target / BUNDLE)
        except FileExistsError:
            return  # another process published first; everyone uses that one
    finally:
        Path(temp).unlink(missing_ok=True)
    _publish_public(seal)


def _replace_bundle(seal: ClinicCertificate, passphrase: str) -> None:
    """Store `seal` in place of the current key and certificate, keeping the old one public."""
    target = folder()
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=".seal.", dir=target)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(_bundle_pem(seal, passphrase))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, target / BUNDLE)
    finally:
        Path(temp).unlink(missing_ok=True)
    _publish_public(seal)


def _publish_public(seal: ClinicCertificate) -> None:
    """The certificate alone, as the current one and in the clinic's history."""
    pem = seal.certificate.public_bytes(serialization.Encoding.PEM)
    name = hashlib.sha256(seal.der).hexdigest()[:16]
    for path in (folder() / PUBLIC, folder() / HISTORY / f"{name}.pem"):
        written = atomic.write_bytes(path, pem)
        # Public in content (anyone may check a seal with an exported copy), but inside
        # the data folder every file is the user's alone, like the rest of the record.
        written.chmod(0o600)
