"""Writing a big file (a backup, an export) so it is never seen half-written.

consult.protection.atomic covers content held in memory; a backup is written by another
program or library straight to disk, so it gets a temporary name beside the target
and is renamed into place only once complete and flushed.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from consult.app.paths import PRIVATE_FOLDER
from consult.errors import ConsultError
from consult.protection.input_files import refuse_special_target


@contextmanager
def temporary_beside(target: Path) -> Iterator[Path]:
    """A fresh temporary path in `target`'s folder (same file system, so rename is atomic).

    Whatever is left at that path when the block ends (an error, a refused check) is
    removed; `publish` moves it away first on success.
    """
    if target.is_dir():
        raise ConsultError(f"{target}: is a folder; give the name of a file to write")
    refuse_special_target(target)
    try:
        target.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(  # created 0600: a backup holds every patient
            prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
        )
    except OSError as exc:
        raise ConsultError(f"{target}: cannot be written ({exc.strerror})") from None
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
    finally:
        temporary.unlink(missing_ok=True)


def publish(temporary: Path, target: Path) -> None:
    """Flush `temporary` to disk, rename it to `target`, and make the rename durable."""
    with temporary.open("rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, target)
    folder = os.open(target.parent, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)
