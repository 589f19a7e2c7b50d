"""The sealing key in the app: the settings box and the passphrase asked before sealing."""

from __future__ import annotations

from pathlib import Path

import keyring
import pytest
from cryptography import x509
from keyring.backends.fail import Keyring as NoKeyring

from consult.documents import certificate
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS
from ui.dialogs.seal_key import unlock_for_sealing
from ui.dialogs.settings_dialog import SettingsDialog

pytestmark = OFFSCREEN_SIZE_HINTS
PASSPHRASE = "correct horse battery staple"


@pytest.fixture(autouse=True)
def computer_without_a_keyring(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(certificate, "_unlocked", {})
    monkeypatch.delenv(certificate.PASSPHRASE_ENV, raising=False)
    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    yield
    keyring.set_keyring(previous)


def test_the_manager_sets_the_passphrase_exports_and_replaces_the_key(
    qtbot, context, tmp_path: Path
):
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    panel = dialog.seal_key
    assert panel.status.text().startswith("Locked")

    assert not panel.set_passphrase_to("short")
    assert panel.error.text() == "Passphrase: use at least 10 characters"
    assert panel.set_passphrase_to(PASSPHRASE)
    first = certificate.clinic_certificate(dialog.stored.name)
    assert panel.export_to(tmp_path / "clinic.cer")
    exported = x509.load_der_x509_certificate((tmp_path / "clinic.cer").read_bytes())
    assert exported == first.certificate

    assert panel.rotate()
    assert certificate.clinic_certificate(dialog.stored.name).der != first.der
    assert panel.status.text().startswith("Ready")


def test_after_a_restart_the_app_asks_once_and_a_wrong_passphrase_again(qtbot, context):
    certificate.set_passphrase(context.actor, PASSPHRASE)
    certificate.clinic_certificate("Test Clinic")
    certificate._unlocked.clear()  # the app starts again
    asked: list[str] = []

    def ask(_parent, problem: str) -> str | None:
        asked.append(problem)
        return "wrong passphrase!" if len(asked) == 1 else PASSPHRASE

    assert unlock_for_sealing(None, ask)
    assert asked[0] == "" and "is wrong" in asked[1] and len(asked) == 2
    assert unlock_for_sealing(None, ask)  # once per start: not asked again
    assert len(asked) == 2


def test_cancelling_the_question_seals_nothing(qtbot, context):
    certificate.set_passphrase(context.actor, PASSPHRASE)
    certificate.clinic_certificate("Test Clinic")
    certificate._unlocked.clear()

    assert not unlock_for_sealing(None, lambda _parent, _problem: None)
    assert certificate.is_locked()
