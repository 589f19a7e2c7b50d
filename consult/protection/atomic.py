"""Never leave a half-written file: write beside the target, flush to disk, rename.

Every file written here is owner-only (0600), wherever it goes and whatever the umask,
including documents the user exported on purpose (PDFs, CSV reports, consult/1 files):
each names patients or holds their health data, and a folder the user picks (a home
folder, a shared desktop) is often readable by every account on the computer. Sharing
such a file is a deliberate act (copy it, send it, widen it), never a side effect of
saving it. Replacing an existing file also replaces its wider mode.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from consult.app.paths import PRIVATE_FILE
from consult.protection.input_files import refuse_special_target


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    target = Path(path)
    refuse_special_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(fd, PRIVATE_FILE)  # mkstemp's 0600, stated: see the module's doc
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return target


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))
