"""Never leave a half-written file: write beside the target, flush to disk, rename."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from consult.input_files import refuse_special_target


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    target = Path(path)
    refuse_special_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
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
