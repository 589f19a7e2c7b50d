"""The head anchor's file: rewritten in place at every audit event, never half-read.

Every audited action (a patient search, a view) moves this workstation's anchor
(consult.storage.anchor), so writing it must cost next to nothing. Replacing the file
by a rename, as before, cost each event 0.3 ms of CPU and up to a millisecond: on
ext4 a rename over an existing file, like a truncation, makes the kernel write the
new file's data out at once, so that a crash leaves the old content or the new and
never an empty file.

So the file has two fixed slots, each one record (a JSON line padded with spaces)
carrying a sequence number and a checksum, and a write overwrites the older slot in
place: no new blocks, no rename, one `pwrite`. The newest record is never the one
overwritten, so a write cut short by a crash, or read half-done by another process,
only ever fails its own checksum, and the reader takes the other slot: an older head,
which understates what the trail held and never overstates it. The file is made, or
converted from the previous release's single JSON document, by a rename, once.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

SLOT_BYTES = 4096  # one page: a database identity is a path, and a path may be long
FILE_BYTES = 2 * SLOT_BYTES
_FORMAT = "consult-anchor/2"


class AnchorDamaged(ValueError):
    """No record of the file can be read (hand-edited, or not an anchor at all)."""


def read_newest(path: Path) -> dict[str, Any]:
    """The newest intact record of the anchor at `path` (its `id`, `hash`, `key_id`).

    A file of the previous release (one JSON document) is read as it is. Raises
    FileNotFoundError when there is no anchor, AnchorDamaged when none can be read.
    """
    data = path.read_bytes()
    if len(data) != FILE_BYTES:
        return _legacy(data)
    newest = _newest_slot(data)
    if newest is None:
        raise AnchorDamaged("neither of its records is intact")
    return newest[1]


def write_next(path: Path, fields: dict[str, Any]) -> None:
    """Record `fields` as the anchor's newest record, over its older slot."""
    descriptor = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | _BINARY)
    try:
        current = _read_all(descriptor)
        newest = _newest_slot(current) if len(current) == FILE_BYTES else None
        if newest is None:  # a file of the previous release, or damaged
            raise _NeedsFreshFile
        slot, record = newest
        _write_at(descriptor, (1 - slot) * SLOT_BYTES, _slot(fields, record["seq"] + 1))
    finally:
        os.close(descriptor)


def write_fresh(path: Path, fields: dict[str, Any]) -> None:
    """A new anchor file holding `fields`, put in place by a rename (readable by this
    user only)."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    content = _slot(fields, 1) + _slot(None, 0)
    # mkstemp creates the file 0600 itself (a umask can only narrow that).
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write(path: Path, fields: dict[str, Any]) -> None:
    """Record `fields` in the anchor at `path`: in place, or as a new file the first
    time (and when the file there is the previous release's, or damaged)."""
    try:
        write_next(path, fields)
    except (OSError, _NeedsFreshFile):  # none yet, a link where the file was, a full disk
        write_fresh(path, fields)


class _NeedsFreshFile(Exception):
    pass


_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def _slot(fields: dict[str, Any] | None, seq: int) -> bytes:
    """One slot's bytes: the record as a JSON line, padded to SLOT_BYTES."""
    if fields is None:  # the unused second slot of a new file
        return b" " * (SLOT_BYTES - 1) + b"\n"
    record = {"format": _FORMAT, "seq": seq, **fields}
    record["check"] = _checksum(record)
    line = json.dumps(record, ensure_ascii=True).encode("ascii")
    if len(line) >= SLOT_BYTES:  # a database path of thousands of characters
        shortened = {**fields, "database": "sha256:" + _digest(str(fields.get("database")))}
        return _slot(shortened, seq)
    return line + b" " * (SLOT_BYTES - 1 - len(line)) + b"\n"


def _newest_slot(data: bytes) -> tuple[int, dict[str, Any]] | None:
    """(slot number, record) of the newest intact record in a two-slot file, if any."""
    intact = []
    for slot in (0, 1):
        record = _parse_slot(data[slot * SLOT_BYTES : (slot + 1) * SLOT_BYTES])
        if record is not None:
            intact.append((record["seq"], slot, record))
    if not intact:
        return None
    _, slot, record = max(intact)
    return slot, record


def _parse_slot(raw: bytes) -> dict[str, Any] | None:
    text = raw.strip()
    if not text:
        return None
    try:
        record = json.loads(text)
    except ValueError:  # torn by a crash or read half-written: the other slot counts
        return None
    if not isinstance(record, dict) or record.get("format") != _FORMAT:
        return None
    claimed = record.pop("check", None)
    if claimed != _checksum(record) or not isinstance(record.get("seq"), int):
        return None
    return record


def _legacy(data: bytes) -> dict[str, Any]:
    try:
        document = json.loads(data.decode("utf-8"))
    except ValueError as exc:
        raise AnchorDamaged(str(exc)) from None
    if not isinstance(document, dict):
        raise AnchorDamaged("not an anchor")
    return document


def _checksum(record: dict[str, Any]) -> str:
    return _digest(json.dumps(record, sort_keys=True, separators=(",", ":")))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _read_all(descriptor: int) -> bytes:
    chunks = []
    while chunk := os.read(descriptor, FILE_BYTES + 1):
        chunks.append(chunk)
        if sum(map(len, chunks)) > FILE_BYTES:
            break
    return b"".join(chunks)


def _write_at(descriptor: int, offset: int, data: bytes) -> None:
    if hasattr(os, "pwrite"):
        written = os.pwrite(descriptor, data, offset)
    else:  # Windows
        os.lseek(descriptor, offset, os.SEEK_SET)
        written = os.write(descriptor, data)
    if written != len(data):  # a full disk: the other slot still holds the last head
        raise OSError(f"the anchor's record was written short ({written} of {len(data)} bytes)")
