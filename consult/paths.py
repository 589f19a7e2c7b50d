"""Where Consult keeps its files on this machine (platformdirs, overridable for tests).

CONSULT_DATA_DIR moves everything (database, clinic certificate, logs) to one folder;
tests and the demo scripts use it so they never touch a real clinic's data.
"""

from __future__ import annotations

import os
from pathlib import Path

from consult.errors import ConsultError


def data_dir() -> Path:
    override = os.environ.get("CONSULT_DATA_DIR")
    if override:
        folder = Path(override)
    else:
        folder = platform_data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConsultError(f"data folder {folder} cannot be created ({exc.strerror})") from None
    if not os.access(folder, os.W_OK):
        raise ConsultError(
            f"data folder {folder} is read-only; set CONSULT_DATA_DIR to a writable folder"
        )
    return folder


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
        return data_dir() / "consult.log"
    except ConsultError:
        import tempfile

        return Path(tempfile.gettempdir()) / "consult.log"
