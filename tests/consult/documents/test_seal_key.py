"""The sealing key is protected: encrypted at rest, unlocked by a passphrase from the
keyring or the manager, rotated and renewed without old documents failing to verify."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from keyring.backends.fail import Keyring as NoKeyring

from consult.access import Actor
from consult.app.cli import main
from consult.documents import certificate
from consult.documents.consent import build_consent
from consult.documents.sealing import seal
from consult.documents.verify import verify_pdf
from consult.errors import PermissionDenied
from tests.consult.documents.pdfs import signature_png
from tests.helpers.signing import clinic_for_the_command_line, with_consent

MANAGER = Actor(1, "mara", "manager", "desk")
RECEPTION = Actor(3, "rita", "reception", "desk")
PASSPHRASE = "correct horse battery staple"


@pytest.fixture(autouse=True)
def fresh_session(monkeypatch: pytest.MonkeyPatch, data_dir: Path) -> None:
    """A new start of the app: nothing unlocked yet, no passphrase in the environment."""
    monkeypatch.setattr(certificate, "_unlocked", {})
    monkeypatch.delenv(certificate.PASSPHRASE_ENV, raising=False)


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """A computer without a keyring (this test machine's real situation)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


def _sealed(document, name: str = "Glow Skin Clinic") -> bytes:
    return seal(build_consent(document), certificate.clinic_certificate(name), "Consent").pdf


def test_the_key_is_encrypted_and_its_passphrase_kept_in_the_keyring(data_dir: Path):
    certificate.clinic_certificate("Glow Skin Clinic")

    bundle = (data_dir / "signing" / certificate.BUNDLE).read_bytes()
    assert b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in bundle
    stored = keyring.get_password(certificate.KEYRING_SERVICE, str(data_dir.resolve() / "signing"))
    assert stored
    with pytest.raises(TypeError):  # a copy of the file alone does not give the key
        serialization.load_pem_private_key(bundle, password=None)
    assert serialization.load_pem_private_key(bundle, password=stored.encode())


def test_without_a_keyring_sealing_waits_for_the_managers_passphrase(no_keyring, document):
    with pytest.raises(certificate.SealLocked, match="no keyring"):
        certificate.clinic_certificate("Glow Skin Clinic")

    certificate.set_passphrase(MANAGER, PASSPHRASE)
    sealed = _sealed(document)

    certificate._unlocked.clear()  # the app is started again
    assert certificate.is_locked()
    with pytest.raises(certificate.SealLocked, match="sealing key is locked"):
        certificate.clinic_certificate("Glow Skin Clinic")
    with pytest.raises(certificate.SealLocked, match=r"passphrase .* is wrong"):
        certificate.unlock("not the passphrase")
    certificate.unlock(PASSPHRASE)
    assert not certificate.is_locked()
    assert verify_pdf(_sealed(document), certificate.trusted_certificates()).signer
    assert verify_pdf(sealed, certificate.trusted_certificates()).signer == "Glow Skin Clinic"


def test_a_short_passphrase_is_refused_and_only_a_manager_sets_one(no_keyring):
    with pytest.raises(certificate.InvalidField, match="passphrase: use at least 10"):
        certificate.set_passphrase(MANAGER, "short")
    with pytest.raises(PermissionDenied):
        certificate.set_passphrase(RECEPTION, PASSPHRASE)


def test_the_command_line_refuses_to_seal_without_the_passphrase(
    no_keyring, data_dir, examples: Path, tmp_path: Path, capsys, monkeypatch
):
    clinic_for_the_command_line(monkeypatch).close()  # a set-up clinic, signed in as pia
    agreed = with_consent(examples / "acne-scars.json", tmp_path)
    png = tmp_path / "signature.png"
    png.write_bytes(signature_png())
    out = tmp_path / "out"
    argv = ["documents", str(agreed), "--out", str(out),
            "--patient-signature", str(png), "--practitioner-signature", str(png)]  # fmt: skip

    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert certificate.PASSPHRASE_ENV in err
    assert not (out / "consent.pdf").exists()

    monkeypatch.setenv(certificate.PASSPHRASE_ENV, PASSPHRASE)
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["signed"] is True


def test_a_rotated_key_seals_from_now_on_and_old_documents_keep_verifying(
    document, tmp_path: Path, capsys
):
    before = _sealed(document)
    old = certificate.clinic_certificate("Glow Skin Clinic")

    new = certificate.rotate_key(MANAGER, "Glow Skin Clinic")
    after = _sealed(document)

    assert new.der != old.der and new.key.public_key() != old.key.public_key()
    assert certificate.clinic_certificate("Glow Skin Clinic").der == new.der
    for pdf in (before, after):
        path = tmp_path / "document.pdf"
        path.write_bytes(pdf)
        assert main(["verify", str(path)]) == 0
        assert capsys.readouterr().out.startswith("intact: signed by Glow Skin Clinic")


def test_the_certificate_follows_the_clinics_name(document):
    before = _sealed(document, "Glow Skin Clinic")
    old = certificate.clinic_certificate("Glow Skin Clinic")

    renamed = certificate.clinic_certificate("Glow Skin & Laser Clinic")
    after = _sealed(document, "Glow Skin & Laser Clinic")

    assert renamed.holder == "Glow Skin & Laser Clinic"
    assert renamed.key.public_key() == old.key.public_key()
    trusted = certificate.trusted_certificates()
    assert verify_pdf(before, trusted).signer == "Glow Skin Clinic"
    assert verify_pdf(after, trusted).signer == "Glow Skin & Laser Clinic"


def test_a_key_from_the_previous_release_is_encrypted_on_first_use(data_dir: Path, document):
    legacy = certificate.create_certificate("Glow Skin Clinic")
    folder = data_dir / "signing"
    folder.mkdir()
    (folder / certificate.BUNDLE).write_bytes(
        legacy.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        + legacy.certificate.public_bytes(serialization.Encoding.PEM)
    )
    (folder / certificate.PUBLIC).write_bytes(
        legacy.certificate.public_bytes(serialization.Encoding.PEM)
    )
    old_document = seal(build_consent(document), legacy, "Consent").pdf

    loaded = certificate.clinic_certificate("Glow Skin Clinic")

    assert loaded.der == legacy.der
    bundle = (folder / certificate.BUNDLE).read_bytes()
    assert b"-----BEGIN ENCRYPTED PRIVATE KEY-----" in bundle
    assert b"-----BEGIN PRIVATE KEY-----" not in bundle
    assert verify_pdf(old_document, certificate.trusted_certificates()).signer


def test_a_manager_exports_the_certificate_without_the_key(tmp_path: Path):
    current = certificate.clinic_certificate("Glow Skin Clinic")

    pem = certificate.export_certificate(MANAGER, tmp_path / "clinic.pem", "pem")
    der = certificate.export_certificate(MANAGER, tmp_path / "clinic.cer", "der")

    assert x509.load_pem_x509_certificate(pem.read_bytes()) == current.certificate
    assert x509.load_der_x509_certificate(der.read_bytes()) == current.certificate
    assert b"PRIVATE" not in pem.read_bytes()
    with pytest.raises(PermissionDenied):
        certificate.export_certificate(RECEPTION, tmp_path / "mine.pem")
