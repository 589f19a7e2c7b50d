"""The desktop entry, the AppStream metainfo and `consult install-desktop`.

The shipped files are checked by freedesktop.org's own validators (Debian packages
desktop-file-utils and appstream; CI installs them), then installed for a user whose
XDG data folder is a temporary one, exactly as the command line does it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from consult.app import desktop
from consult.app.cli import main

RESOURCES = Path(__file__).resolve().parents[2] / "resources"
ENTRY = RESOURCES / "desktop" / f"{desktop.APP_ID}.desktop"
METAINFO = RESOURCES / "desktop" / f"{desktop.APP_ID}.metainfo.xml"


def tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: apt-get install desktop-file-utils appstream")
    return path


def validate_entry(path: Path) -> None:
    result = subprocess.run([tool("desktop-file-validate"), str(path)], capture_output=True)
    output = result.stdout.decode() + result.stderr.decode()
    assert result.returncode == 0, output
    assert "error:" not in output and "warning:" not in output, output


def test_the_shipped_desktop_entry_is_valid():
    validate_entry(ENTRY)


def test_the_shipped_metainfo_is_valid():
    result = subprocess.run(
        [tool("appstreamcli"), "validate", "--no-net", "--explain", str(METAINFO)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Validation was successful" in result.stdout


def test_install_desktop_puts_consult_in_the_users_menu(tmp_path, monkeypatch, capsys):
    home = tmp_path / "xdg data"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    assert main(["install-desktop"]) == 0
    out = capsys.readouterr().out
    files = desktop.DesktopFiles(home)
    for path in files.all():
        assert path.is_file(), path
        assert str(path) in out
    for size in desktop.ICON_SIZES:
        with Image.open(files.icon(size)) as icon:
            assert (icon.format, icon.size) == ("PNG", (size, size))
    assert files.icon(None).read_text(encoding="utf-8").lstrip().startswith("<?xml")
    validate_entry(files.entry)
    entry = files.entry.read_text(encoding="utf-8").splitlines()
    (exec_line,) = [line for line in entry if line.startswith("Exec=")]
    program = Path(exec_line.removeprefix("Exec="))
    assert program.name == "consult-app" and program.is_absolute() and program.is_file()
    assert f"Icon={desktop.APP_ID}" in entry
    assert files.metainfo.read_bytes() == METAINFO.read_bytes()

    assert main(["install-desktop", "--remove"]) == 0
    assert not any(path.exists() for path in files.all())
    assert "removed 11 files" in capsys.readouterr().out


def test_install_desktop_through_the_installed_command(tmp_path):
    """The console script as a user types it; the entry starts this venv's consult-app."""
    consult = Path(sys.executable).with_name("consult")
    home = tmp_path / "share"
    result = subprocess.run(
        [str(consult), "install-desktop"],
        capture_output=True,
        text=True,
        env={"XDG_DATA_HOME": str(home), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert (result.returncode, result.stderr) == (0, "")
    entry = (home / "applications" / f"{desktop.APP_ID}.desktop").read_text(encoding="utf-8")
    assert f"Exec={Path(sys.executable).with_name('consult-app')}\n" in entry


def test_a_relative_xdg_data_home_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    assert desktop.xdg_data_home({"XDG_DATA_HOME": "relative/share"}) == Path(
        tmp_path, ".local", "share"
    )
    assert desktop.xdg_data_home({}) == tmp_path / ".local" / "share"
    assert desktop.xdg_data_home({"XDG_DATA_HOME": "/srv/x"}) == Path("/srv/x")


@pytest.mark.parametrize(
    ("path", "argument"),
    [
        ("/opt/consult/consult", "/opt/consult/consult"),
        ("/home/ana/My Apps/consult", '"/home/ana/My Apps/consult"'),
        ("/opt/50%/consult", "/opt/50%%/consult"),
        ('/opt/a"b$c/consult', '"/opt/a\\"b\\$c/consult"'),
    ],
)
def test_exec_arguments_follow_the_desktop_entry_quoting(path, argument):
    assert desktop.exec_argument(Path(path)) == argument


def test_a_path_with_spaces_still_validates(tmp_path):
    entry = tmp_path / f"{desktop.APP_ID}.desktop"
    entry.write_text(desktop.desktop_entry(Path("/home/ana/My Apps/consult-app")))
    validate_entry(entry)


def test_install_desktop_elsewhere_points_to_the_installer(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    monkeypatch.setattr(sys, "platform", "win32")
    assert main(["install-desktop"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error: install-desktop is for Linux desktops")
    assert list(tmp_path.iterdir()) == []
