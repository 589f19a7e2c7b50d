"""The anchor file: two records rewritten in place, never read half-written."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from consult.storage import anchor_file
from consult.storage.anchor_file import FILE_BYTES, SLOT_BYTES, AnchorDamaged


def _fields(position: int) -> dict[str, object]:
    return {"database": "sqlite:/clinic", "id": position, "hash": f"{position:064x}", "key_id": "k"}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "audit-anchors" / "anchor.json"


def test_a_new_anchor_is_private_and_the_next_records_go_in_place(path: Path):
    anchor_file.write(path, _fields(1))
    assert path.stat().st_mode & 0o777 == 0o600
    assert path.parent.stat().st_mode & 0o777 == 0o700
    inode = path.stat().st_ino
    for position in range(2, 6):
        anchor_file.write(path, _fields(position))
        assert anchor_file.read_newest(path)["id"] == position
    assert path.stat().st_ino == inode  # the same file, rewritten: no rename
    assert path.stat().st_size == FILE_BYTES


def test_a_write_cut_short_leaves_the_previous_head(path: Path):
    """The newest record is never the one overwritten: tearing the slot being written
    (a crash, or a reader halfway through) falls back to the head before it."""
    for position in (1, 2, 3):
        anchor_file.write(path, _fields(position))
    data = bytearray(path.read_bytes())
    newest = 0 if b'"id": 3' in data[:SLOT_BYTES] else 1
    start = newest * SLOT_BYTES
    data[start + 40 : start + 60] = b"\0" * 20  # half of the record written
    path.write_bytes(bytes(data))
    assert anchor_file.read_newest(path)["id"] == 2

    anchor_file.write(path, _fields(4))  # the torn slot is not the one kept
    assert anchor_file.read_newest(path)["id"] == 4
    assert _ids(path) == {2, 4}


def test_a_record_whose_checksum_fails_is_not_believed(path: Path):
    anchor_file.write(path, _fields(1))
    anchor_file.write(path, _fields(2))
    text = path.read_bytes().replace(b'"id": 2,', b'"id": 9,')
    path.write_bytes(text)
    assert anchor_file.read_newest(path)["id"] == 1


def test_no_intact_record_is_damage_not_an_empty_anchor(path: Path):
    anchor_file.write(path, _fields(1))
    path.write_bytes(b"x" * FILE_BYTES)
    with pytest.raises(AnchorDamaged):
        anchor_file.read_newest(path)
    anchor_file.write(path, _fields(7))  # the next head replaces the damaged file
    assert anchor_file.read_newest(path)["id"] == 7


def test_an_anchor_of_the_previous_release_is_read_then_converted(path: Path):
    path.parent.mkdir(mode=0o700)
    path.write_text(json.dumps(_fields(41)) + "\n", encoding="utf-8")
    assert anchor_file.read_newest(path)["id"] == 41
    anchor_file.write(path, _fields(42))
    assert path.stat().st_size == FILE_BYTES
    assert anchor_file.read_newest(path)["id"] == 42


def test_a_database_named_by_a_very_long_path_still_fits_a_record(path: Path):
    fields = {**_fields(3), "database": "sqlite:/" + "folder/" * 1000}
    anchor_file.write(path, fields)
    anchor_file.write(path, fields)
    record = anchor_file.read_newest(path)
    assert record["id"] == 3 and str(record["database"]).startswith("sha256:")


def test_a_missing_anchor_is_not_found(path: Path):
    with pytest.raises(FileNotFoundError):
        anchor_file.read_newest(path)


def _ids(path: Path) -> set[int]:
    """The id in each slot (a slot: sequence, digest, then the record as JSON)."""
    data = path.read_bytes()
    slots = (data[n * SLOT_BYTES : (n + 1) * SLOT_BYTES].decode("ascii") for n in (0, 1))
    return {json.loads(slot.split(" ", 2)[2])["id"] for slot in slots}
