"""Where the data lives, by each platform's conventions (nothing assumes Linux paths).

platformdirs picks its platform class when imported; the tests hand consult.app.paths the
Windows, macOS and Linux classes (and sys.platform) with every folder inside tmp_path, so
the same logic runs as it would on each system without touching the real profile.
"""

from __future__ import annotations

import sys
from pathlib import Path

import platformdirs
import pytest
from platformdirs.macos import MacOS
from platformdirs.unix import Unix
from platformdirs.windows import Windows

from consult.app import paths
from consult.storage.db import parse_url
from ui.shell import launch


@pytest.fixture
def profile(tmp_path, monkeypatch):
    """An empty user profile, with no data-folder override."""
    monkeypatch.delenv("CONSULT_DATA_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    return tmp_path


def as_platform(monkeypatch, platform: str, dirs: type[platformdirs.PlatformDirs]) -> None:
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(platformdirs, "PlatformDirs", dirs)


def test_windows_keeps_data_in_the_local_not_the_roaming_profile(profile, monkeypatch):
    local, roaming = profile / "AppData" / "Local", profile / "AppData" / "Roaming"
    monkeypatch.setenv("LOCALAPPDATA", str(local))
    monkeypatch.setenv("APPDATA", str(roaming))
    # platformdirs asks Windows for its known folders; here the profile answers.
    monkeypatch.setattr(
        "platformdirs.windows.get_win_folder",
        lambda csidl: {"CSIDL_LOCAL_APPDATA": str(local), "CSIDL_APPDATA": str(roaming)}[csidl],
    )
    as_platform(monkeypatch, "win32", Windows)
    assert paths.data_dir() == local / "consult"
    assert (local / "consult").is_dir() and not roaming.exists()
    assert paths.default_database_file() == local / "consult" / "clinic.sqlite3"
    assert paths.log_file() == local / "consult" / "consult.log"
    url = parse_url(paths.default_database_url())
    assert (url.get_backend_name(), url.database) == (
        "sqlite",
        str(local / "consult" / "clinic.sqlite3"),
    )
    assert launch.display_available({}) is True  # no X11 display variables on Windows


def test_macos_keeps_data_in_application_support(profile, monkeypatch):
    as_platform(monkeypatch, "darwin", MacOS)
    folder = profile / "Library" / "Application Support" / "consult"
    assert paths.data_dir() == folder
    assert paths.default_database_file() == folder / "clinic.sqlite3"
    url = parse_url(paths.default_database_url())
    assert url.database == str(folder / "clinic.sqlite3")  # a space in the path is fine
    assert launch.display_available({}) is True
    assert launch.missing_x11_packages({"DISPLAY": ":0"}) == []


def test_linux_follows_xdg_data_home(profile, monkeypatch):
    as_platform(monkeypatch, "linux", Unix)
    assert paths.data_dir() == profile / ".local" / "share" / "consult"
    monkeypatch.setenv("XDG_DATA_HOME", str(profile / "xdg"))
    assert paths.data_dir() == profile / "xdg" / "consult"
    assert launch.display_available({}) is False


@pytest.mark.parametrize(
    ("platform", "dirs"), [("win32", Windows), ("darwin", MacOS), ("linux", Unix)]
)
def test_consult_data_dir_wins_on_every_platform(profile, monkeypatch, platform, dirs):
    as_platform(monkeypatch, platform, dirs)
    chosen = profile / "clinic data"
    monkeypatch.setenv("CONSULT_DATA_DIR", str(chosen))
    assert paths.data_dir() == chosen
    assert paths.default_database_file() == chosen / "clinic.sqlite3"


def test_an_unwritable_platform_folder_is_one_clear_error(profile, monkeypatch):
    as_platform(monkeypatch, "darwin", MacOS)
    blocked = profile / "Library"
    blocked.write_text("a file where the folder should be")
    with pytest.raises(paths.ConsultError, match=r"data folder .* cannot be created"):
        paths.data_dir()
    # The log still has somewhere to go: the temporary folder.
    assert paths.log_file().name == "consult.log"
    assert not Path(paths.log_file()).is_relative_to(blocked)
