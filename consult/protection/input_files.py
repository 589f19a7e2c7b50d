"""Reading a file the user named, and checking a file about to be replaced.

A path on the command line can name something that is not a file: a FIFO (a named
pipe) blocks the reader until some other program writes to it, which may be never; a
character device such as /dev/zero or /dev/urandom never ends; /dev/tty waits for
the keyboard. Each is refused at once, in one line naming the path, instead of a
command that hangs or fills the memory.

The file is opened without blocking (O_NONBLOCK: opening a FIFO for reading then
returns at once) and its type checked on the open descriptor, so nothing can swap a
FIFO in between the check and the read.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from consult.errors import ConsultError, InvalidField

_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
NOT_A_FILE = "is not a regular file (a pipe, device or socket)"


def read_input(path: str | os.PathLike[str], what: str, *, field: str | None = None) -> bytes:
    """The bytes of the regular file at `path` (`what` names what it should be: "PDF file").

    Every problem is one line starting with the path; with `field` (a command-line
    option) it is an InvalidField naming that option.
    """
    file = Path(path)
    try:
        descriptor = os.open(file, _OPEN_FLAGS)
    except FileNotFoundError:
        raise _error(field, f"{file}: no such file") from None
    except IsADirectoryError:
        raise _error(field, f"{file}: is a folder, not a {what}") from None
    except OSError as exc:
        raise _error(field, f"{file}: cannot be read ({exc.strerror})") from None
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        if stat.S_ISDIR(mode):
            raise _error(field, f"{file}: is a folder, not a {what}")
        raise _error(field, f"{file}: {NOT_A_FILE}; give a {what}")
    with os.fdopen(descriptor, "rb") as handle:
        try:
            return handle.read()
        except OSError as exc:
            raise _error(field, f"{file}: cannot be read ({exc.strerror})") from None


def require_regular_file(path: str | os.PathLike[str], what: str) -> None:
    """Refuse at once a path that is missing, a folder, a pipe, a device or a socket.

    For files a library or another program opens by name (SQLite, pg_restore), which
    would block on a FIFO just as a plain read does.
    """
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise ConsultError(f"{path}: no such file") from None
    except OSError as exc:
        raise ConsultError(f"{path}: cannot be read ({exc.strerror})") from None
    if stat.S_ISDIR(mode):
        raise ConsultError(f"{path}: is a folder, not a {what}")
    if not stat.S_ISREG(mode):
        raise ConsultError(f"{path}: {NOT_A_FILE}; give a {what}")


def refuse_special_target(path: str | os.PathLike[str]) -> None:
    """Refuse to write over a pipe, device or socket (a folder is the caller's to refuse).

    Writing is by rename over the target, so a FIFO would not block; but renaming over
    /dev/null run as root replaces the device itself, and the user who named a FIFO
    expected some program to read what is written, which a rename never feeds.
    """
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return
    except OSError as exc:
        raise ConsultError(f"{path}: cannot be written ({exc.strerror})") from None
    if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        raise ConsultError(f"{path}: {NOT_A_FILE}; give the name of a file to write")


def _error(field: str | None, message: str) -> ConsultError:
    return InvalidField(field, message) if field else ConsultError(message)
