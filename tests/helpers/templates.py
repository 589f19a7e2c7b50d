"""A migrated, seeded SQLite clinic made once per test run and copied for each test.

Opening a new database runs every migration and seeds the settings and prices (about
0.3 s, over a thousand times a run); opening a copy of one opened before takes a few
milliseconds and gives the same database. The copy is taken before any account or audit
event exists, so each test still sets up its own clinic, audit key and anchors, and the
migrations themselves stay tested by tests/consult/storage/test_db.py on empty files.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

from consult.storage import Database

_template: Path | None = None


def _built_template() -> Path:
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="consult-test-template-"))
        atexit.register(shutil.rmtree, folder, True)
        path = folder / "clinic.sqlite3"
        Database.open(f"sqlite:///{path}").close()
        if any(folder.glob("clinic.sqlite3-*")):  # a journal left open would be lost
            raise RuntimeError(f"the template database in {folder} was not closed cleanly")
        _template = path
    return _template


def copy_of_new_database(url: str) -> None:
    """Put a new, migrated clinic database at the SQLite file `url` names.

    Does nothing for other engines, or when the file already exists.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return
    target = Path(parsed.database)
    if target.exists():
        return
    shutil.copyfile(_built_template(), target)
    os.chmod(target, 0o600)  # as private as the file the app makes itself
