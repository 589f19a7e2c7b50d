"""Where Consult keeps its files on this machine (platformdirs, overridable for tests).

CONSULT_DATA_DIR moves everything (database, clinic certificate, logs) to one folder;
tests and the demo scripts use it so they never touch a real clinic's data.

Private by default: the data folder holds every patient's record, so it is owner-only
(0700) and so is every file in it (0600: the database and its WAL and SHM files, the
log, the certificates, backups, the copies made before a migration), whatever the
umask. Three layers see to it: the command (consult.app.cli) sets a umask of 077 before
anything is written; `data_dir` creates the folder 0700 and, the first time a process
uses it, tightens whatever it finds wider (an older install, a copied folder), with a
note in the log; and the files Consult itself creates are created 0600 outright.
"""

from __future__ import annotations

import functools
import os
import stat
import threading
from datetime import UTC, datetime
from pathlib import Path

from consult.errors import ConsultError

PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600
# The umask the command sets for the whole process: nothing for group or others.
PRIVATE_UMASK = 0o077
_OTHERS = stat.S_IRWXG | stat.S_IRWXO

_secured: set[Path] = set()
_ready: set[Path] = set()  # data folders this process has made, checked and secured
_securing = threading.Lock()


def use_private_umask() -> None:
    """Files and folders this process creates are owner-only unless widened on purpose."""
    os.umask(PRIVATE_UMASK)


def data_dir() -> Path:
    folder = _data_folder(os.environ.get("CONSULT_DATA_DIR"), *map(os.environ.get, _PLATFORM_ENV))
    # Checked and secured once per process (every audit event asks for it, through the
    # anchor); after that only that it is still there, which costs one stat.
    if folder in _ready and folder.is_dir():
        return folder
    try:
        folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConsultError(f"data folder {folder} cannot be created ({exc.strerror})") from None
    if not os.access(folder, os.W_OK):
        raise ConsultError(
            f"data folder {folder} is read-only; set CONSULT_DATA_DIR to a writable folder"
        )
    _secure_once(folder)
    _ready.add(folder)
    return folder


# What platformdirs reads to place the folder: asked again only when one changes.
_PLATFORM_ENV = ("XDG_DATA_HOME", "HOME", "LOCALAPPDATA", "USERPROFILE")


@functools.lru_cache(maxsize=8)
def _data_folder(override: str | None, *_platform_env: str | None) -> Path:
    """The data folder for these environment values (every audit event asks)."""
    return Path(override) if override else platform_data_dir()


def platform_data_dir() -> Path:
    """This user's data folder by the platform's own conventions (platformdirs):

    Linux and BSD   $XDG_DATA_HOME/consult, else ~/.local/share/consult
    Windows         %LOCALAPPDATA%\\consult (the machine's own profile, not roaming:
                    a live database must not travel with a roaming profile)
    macOS           ~/Library/Application Support/consult
    """
    import platformdirs

    return platformdirs.PlatformDirs("consult", appauthor=False, roaming=False).user_data_path


def default_database_file() -> Path:
    return data_dir() / "clinic.sqlite3"


def default_database_url() -> str:
    return f"sqlite:///{default_database_file()}"


def log_file() -> Path:
    try:
        path = data_dir() / "consult.log"
    except ConsultError:
        import tempfile

        path = Path(tempfile.gettempdir()) / "consult.log"
    create_private_file(path)
    return path


def create_private_file(path: Path) -> None:
    """Make sure `path` exists and is owner-only, before a library opens it by name.

    SQLite, logging and the backup API create their files with the umask's mode; one
    created here first (0600) keeps its mode when they open it. An existing file is
    left as it is, except that one of ours in the data folder was tightened already.
    """
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        return
    except OSError:
        return  # the caller's own open reports the problem in its words
    try:
        os.fchmod(descriptor, PRIVATE_FILE)  # O_CREAT's mode is masked by the umask
    finally:
        os.close(descriptor)


def note_in_log(message: str) -> None:
    """One line in the log file (consult.log in the data folder), with the time."""
    path = log_file()
    line = f"{datetime.now(UTC).isoformat(timespec='seconds')} NOTE {message}\n"
    try:
        with path.open("a", encoding="utf-8") as handle:
            handle.write(line)
    except OSError:
        return  # a note is not worth failing the user's command over


def _secure_once(folder: Path) -> None:
    """Tighten the data folder the first time this process uses it."""
    key = folder.resolve()
    with _securing:
        if key in _secured:
            return
        _secured.add(key)
    tightened, refused = make_private(folder)
    if tightened:
        note_in_log(
            f"the data folder {folder} was open to other users of this computer: "
            f"made {len(tightened)} of its files and folders owner-only "
            f"({', '.join(tightened[:5])}{', …' if len(tightened) > 5 else ''})"
        )
    for name, reason in refused:
        note_in_log(f"could not make {name} in the data folder owner-only ({reason})")


def make_private(folder: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """chmod 0700 every folder and 0600 every file under `folder` that is wider.

    Returns what was tightened (paths relative to `folder`) and what could not be
    (with the reason). Symbolic links are neither followed nor changed: what they point
    at is not the data folder's.
    """
    tightened: list[str] = []
    refused: list[tuple[str, str]] = []
    for root, folders, files in os.walk(folder):
        base = Path(root)
        for path, wanted in [
            (base, PRIVATE_FOLDER),
            *((base / name, PRIVATE_FILE) for name in files),
        ]:
            try:
                mode = os.lstat(path).st_mode
                if stat.S_ISLNK(mode) or not mode & _OTHERS:
                    continue
                os.chmod(path, wanted if stat.S_ISDIR(mode) else stat.S_IMODE(mode) & wanted)
            except OSError as exc:
                refused.append((_relative(path, folder), exc.strerror or str(exc)))
                continue
            tightened.append(_relative(path, folder))
        folders[:] = [name for name in folders if not (base / name).is_symlink()]
    return tightened, refused


def _relative(path: Path, folder: Path) -> str:
    return str(path.relative_to(folder)) if path != folder else "the folder itself"
