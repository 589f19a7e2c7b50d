"""The head anchor's file: rewritten in place at every audit event, never half-read.

Every audited action (a patient search, a view) moves this workstation's anchor
(consult.storage.anchor), so writing it must cost next to nothing. Replacing the file
by a rename, as before, cost each event 0.3 ms of CPU and up to a millisecond: on
ext4 a rename over an existing file, like a truncation, makes the kernel write the
new file's data out at once, so that a crash leaves the old content or the new and
never an empty file.

So the file has two fixed slots, each one record carrying a sequence number and a
checksum, and a write overwrites the older slot in place: no new blocks, no rename, one
`pwrite`. The newest record is never the one overwritten, so a write cut short by a
crash, or read half-done by another process, only ever fails its own checksum, and the
reader takes the other slot: an older head, which understates what the trail held and
never overstates it. The file is made, or converted from the previous release's single
JSON document, by a rename, once.

A slot is one line padded with spaces: the sequence number (20 digits), the SHA-256 of
the record, and the record as JSON, so a reader checks both slots without parsing them
and parses only the newest.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from consult.protection import atomic

SLOT_BYTES = 4096  # one page: a database identity is a path, and a path may be long
FILE_BYTES = 2 * SLOT_BYTES


class AnchorDamaged(ValueError):
    """No record of the file can be read (hand-edited, or not an anchor at all)."""


def read_newest(path: Path) -> dict[str, Any]:
    """The newest intact record of the anchor at `path` (its `id`, `hash`, `key_id`).

    A file of the previous release (one JSON document) is read as it is. Raises
    FileNotFoundError when there is no anchor, AnchorDamaged when none can be read.
    """
    descriptor = os.open(path, os.O_RDONLY | _BINARY)
    try:
        data = _read_all(descriptor)
    finally:
        os.close(descriptor)
    if len(data) != FILE_BYTES:
        return _legacy(data)
    newest = _newest_slot(data)
    if newest is None:
        raise AnchorDamaged("neither of its records is intact")
    try:
        record = json.loads(newest[2])
    except ValueError as exc:  # intact, so written by hand with its checksum
        raise AnchorDamaged(str(exc)) from None
    if not isinstance(record, dict):
        raise AnchorDamaged("not an anchor")
    return record


def write_next(path: Path, fields: dict[str, Any]) -> None:
    """Record `fields` as the anchor's newest record, over its older slot."""
    descriptor = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | _BINARY)
    try:
        current = _read_all(descriptor)
        newest = _newest_slot(current) if len(current) == FILE_BYTES else None
        if newest is None:  # a file of the previous release, or damaged
            raise _NeedsFreshFile
        seq, slot, _ = newest
        _write_at(descriptor, (1 - slot) * SLOT_BYTES, _slot(fields, seq + 1))
    finally:
        os.close(descriptor)


def write_fresh(path: Path, fields: dict[str, Any]) -> None:
    """A new anchor file holding `fields`, readable by this user only, put in place by
    a rename once on disk: a crash leaves no file or all of it, never an empty one
    (which would read as a damaged anchor). Once per database and workstation."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    atomic.write_bytes(path, _slot(fields, 1) + _EMPTY_SLOT)


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
_SEQ_DIGITS = 20
_DIGEST_CHARS = 64
_RECORD_AT = _SEQ_DIGITS + 1 + _DIGEST_CHARS + 1  # where the JSON starts in a slot
_EMPTY_SLOT = b" " * (SLOT_BYTES - 1) + b"\n"


def _slot(fields: dict[str, Any], seq: int) -> bytes:
    """One slot's bytes: sequence, digest and record on one line, padded to SLOT_BYTES."""
    record = json.dumps(fields, ensure_ascii=True).encode("ascii")
    if _RECORD_AT + len(record) >= SLOT_BYTES:  # a database path of thousands of characters
        shortened = {**fields, "database": "sha256:" + _digest(str(fields.get("database")))}
        return _slot(shortened, seq)
    line = b"%020d %s %s" % (seq, _digest(record).encode("ascii"), record)
    return line + b" " * (SLOT_BYTES - 1 - len(line)) + b"\n"


def _newest_slot(data: bytes) -> tuple[int, int, bytes] | None:
    """(sequence, slot number, record) of the newest intact slot of a two-slot file."""
    newest = None
    for slot in (0, 1):
        intact = _intact(data[slot * SLOT_BYTES : (slot + 1) * SLOT_BYTES])
        if intact is not None and (newest is None or intact[0] > newest[0]):
            newest = (intact[0], slot, intact[1])
    return newest


def _intact(raw: bytes) -> tuple[int, bytes] | None:
    """(sequence, record) of a slot whose record matches its digest; None if torn."""
    seq_text, digest = raw[:_SEQ_DIGITS], raw[_SEQ_DIGITS + 1 : _RECORD_AT - 1]
    record = raw[_RECORD_AT:].rstrip()
    if not seq_text.isdigit() or not record or _digest(record).encode("ascii") != digest:
        return None
    return int(seq_text), record


def _legacy(data: bytes) -> dict[str, Any]:
    try:
        document = json.loads(data.decode("utf-8"))
    except ValueError as exc:
        raise AnchorDamaged(str(exc)) from None
    if not isinstance(document, dict):
        raise AnchorDamaged("not an anchor")
    return document


def _digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _read_all(descriptor: int) -> bytes:
    """The file's bytes, up to one more than an anchor's size (enough to tell)."""
    chunks = []
    wanted = FILE_BYTES + 1
    while wanted > 0 and (chunk := os.read(descriptor, wanted)):
        chunks.append(chunk)
        wanted -= len(chunk)
    return b"".join(chunks)


def _write_at(descriptor: int, offset: int, data: bytes) -> None:
    if hasattr(os, "pwrite"):
        written = os.pwrite(descriptor, data, offset)
    else:  # Windows
        os.lseek(descriptor, offset, os.SEEK_SET)
        written = os.write(descriptor, data)
    if written != len(data):  # a full disk: the other slot still holds the last head
        raise OSError(f"the anchor's record was written short ({written} of {len(data)} bytes)")
