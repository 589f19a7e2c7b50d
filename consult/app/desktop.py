"""Putting Consult in the user's application menu on Linux (freedesktop.org standards).

`consult install-desktop` copies the desktop entry, the AppStream metainfo and the icons
from resources/desktop and resources/icons into the user's XDG data folder
($XDG_DATA_HOME, else ~/.local/share), with the entry's Exec pointing at this
installation's launcher: the bundle's own executable, or `consult-app` beside the
Python that runs this. `--remove` takes them out again. Nothing here needs root.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from consult import data
from consult.errors import ConsultError
from consult.protection import atomic

APP_ID = "app.consult.Consult"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
XDG_PLATFORMS = ("linux", "freebsd", "openbsd", "netbsd")
# Characters that make an Exec argument need double quotes (Desktop Entry spec, "Exec key").
RESERVED = frozenset(" \t\n\"'\\><~|&;$*?#()`")


@dataclass(frozen=True)
class DesktopFiles:
    """Where each file goes under one XDG data folder."""

    data_home: Path

    @property
    def entry(self) -> Path:
        return self.data_home / "applications" / f"{APP_ID}.desktop"

    @property
    def metainfo(self) -> Path:
        return self.data_home / "metainfo" / f"{APP_ID}.metainfo.xml"

    def icon(self, size: int | None) -> Path:
        """The PNG of `size` pixels, or the SVG for None (hicolor's "scalable")."""
        hicolor = self.data_home / "icons" / "hicolor"
        if size is None:
            return hicolor / "scalable" / "apps" / f"{APP_ID}.svg"
        return hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png"

    def all(self) -> list[Path]:
        return [self.entry, self.metainfo, self.icon(None), *map(self.icon, ICON_SIZES)]


def xdg_data_home(environ: dict[str, str] | None = None) -> Path:
    """$XDG_DATA_HOME when it is an absolute path (the spec ignores others), else ~/.local/share."""
    env = dict(os.environ) if environ is None else environ
    configured = env.get("XDG_DATA_HOME", "")
    if configured and Path(configured).is_absolute():
        return Path(configured)
    return Path.home() / ".local" / "share"


def launcher() -> Path:
    """The program the menu entry starts: the bundle itself, or this install's consult-app."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve()
    beside = Path(sys.executable).parent / "consult-app"
    if beside.is_file():
        return beside.absolute()
    found = shutil.which("consult-app")
    if found is None:
        raise ConsultError(
            "the consult-app launcher is not installed; install Consult with pip "
            "(or use the bundle) and run install-desktop again"
        )
    return Path(found).absolute()


def exec_argument(path: Path) -> str:
    """`path` as one argument of a desktop entry's Exec key (the spec's quoting rules)."""
    text = str(path).replace("%", "%%")  # a literal percent sign is doubled everywhere
    if not any(character in text for character in RESERVED):
        return text
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in text)
    return f'"{escaped}"'


def desktop_entry(program: Path) -> str:
    """The shipped entry with Exec and TryExec naming `program`."""
    lines = []
    for line in data.read_text(f"desktop/{APP_ID}.desktop").splitlines():
        if line.startswith("Exec="):
            line = f"Exec={exec_argument(program)}"
        elif line.startswith("TryExec="):
            line = f"TryExec={exec_argument(program)}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def check_platform() -> None:
    if not sys.platform.startswith(XDG_PLATFORMS):
        raise ConsultError(
            "install-desktop is for Linux desktops; on Windows and macOS the installer "
            "adds Consult to the menu (see docs/install.md)"
        )


def install(data_home: Path, program: Path) -> list[Path]:
    """Write the entry, the metainfo and every icon under `data_home`; the paths written."""
    files = DesktopFiles(data_home)
    contents = {
        files.entry: desktop_entry(program).encode("utf-8"),
        files.metainfo: data.read_bytes(f"desktop/{APP_ID}.metainfo.xml"),
        files.icon(None): data.read_bytes("icons/consult.svg"),
    }
    for size in ICON_SIZES:
        contents[files.icon(size)] = data.read_bytes(f"icons/consult-{size}.png")
    for path, content in contents.items():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            atomic.write_bytes(path, content)
        except OSError as exc:
            raise ConsultError(f"cannot write {path} ({exc.strerror})") from None
    return list(contents)


def remove(data_home: Path) -> list[Path]:
    """Delete what `install` wrote; the paths that were there."""
    removed = []
    for path in DesktopFiles(data_home).all():
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError as exc:
            raise ConsultError(f"cannot remove {path} ({exc.strerror})") from None
        removed.append(path)
    return removed
