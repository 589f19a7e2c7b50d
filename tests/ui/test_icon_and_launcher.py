"""The application icon on every window, and the console-less `consult-app` entry point."""

from __future__ import annotations

import io
import sys

from PySide6.QtWidgets import QDialog, QMessageBox

from consult.app.desktop import APP_ID, ICON_SIZES
from ui.shell import launcher
from ui.shell.style import apply_style


def test_every_window_gets_the_app_icon_in_every_size(qapp, qtbot):
    apply_style(qapp)
    sizes = sorted(size.width() for size in qapp.windowIcon().availableSizes())
    assert sizes == list(ICON_SIZES)
    assert qapp.desktopFileName() == APP_ID
    dialog = QDialog()
    qtbot.addWidget(dialog)
    assert dialog.windowIcon().cacheKey() == qapp.windowIcon().cacheKey()
    image = dialog.windowIcon().pixmap(64, 64).toImage()
    assert image.width() == 64
    # The disc in the middle is light, the corners are transparent: a real picture.
    assert image.pixelColor(32, 11).lightness() > 200
    assert image.pixelColor(0, 0).alpha() == 0


def test_with_a_console_consult_app_is_the_consult_command(capsys, tmp_path, data_dir):
    missing = tmp_path / "missing.json"
    assert launcher.main(["check", str(missing)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and str(missing) in err


def test_without_a_console_the_reason_is_shown_and_logged(monkeypatch, tmp_path, data_dir):
    """pythonw on Windows: no stdout or stderr at all."""
    shown: list[str] = []
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setattr(
        QMessageBox, "critical", staticmethod(lambda parent, title, text: shown.append(text))
    )
    missing = tmp_path / "missing.json"
    assert launcher.main(["check", str(missing)]) == 2
    assert len(shown) == 1 and str(missing) in shown[0]
    assert not shown[0].startswith("error:")
    assert str(missing) in (data_dir / "consult.log").read_text(encoding="utf-8")


def test_without_a_console_a_success_shows_nothing(monkeypatch, examples, data_dir):
    shown: list[str] = []
    monkeypatch.setattr(sys, "stdout", None)
    monkeypatch.setattr(sys, "stderr", None)
    monkeypatch.setattr(
        QMessageBox, "critical", staticmethod(lambda parent, title, text: shown.append(text))
    )
    assert launcher.main(["check", str(examples / "acne-scars.json")]) == 0
    assert shown == []
    assert isinstance(sys.stderr, io.StringIO)
