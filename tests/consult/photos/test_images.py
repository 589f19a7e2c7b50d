"""Photos as the clinic keeps them: upright, stripped of metadata, capped, fingerprinted."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from consult.errors import InvalidField
from consult.photos.images import THUMBNAIL_EDGE, normalise
from tests.helpers import photos


def test_exif_orientation_is_applied_then_every_tag_is_stripped():
    source = photos.rotated_jpeg_with_gps()
    with Image.open(io.BytesIO(source)) as original:
        assert original.getexif().get_ifd(photos.GPS_IFD)  # the test file does carry GPS
    kept = normalise(source)
    assert (kept.width, kept.height) == (480, 640)
    assert photos.top_left_is_red(kept.image)
    with Image.open(io.BytesIO(kept.image)) as stored:
        assert stored.format == "JPEG"
        assert len(stored.getexif()) == 0
        assert not stored.getexif().get_ifd(photos.GPS_IFD)
        assert "icc_profile" not in stored.info and "exif" not in stored.info
    assert photos.SERIAL_NUMBER.encode() not in kept.image
    assert b"iPhone" not in kept.image


def test_the_long_edge_is_capped_and_a_thumbnail_made():
    kept = normalise(photos.jpeg(3000, 2000), long_edge=1500)
    assert (kept.width, kept.height) == (1500, 1000)
    with Image.open(io.BytesIO(kept.thumbnail)) as thumbnail:
        assert max(thumbnail.size) == THUMBNAIL_EDGE
    assert kept.sha256 == hashlib.sha256(kept.image).hexdigest()


def test_a_12_megapixel_phone_photo_is_kept_whole_under_the_default_cap():
    kept = normalise(photos.twelve_megapixels())
    assert (kept.width, kept.height) == (4000, 3000)
    assert photos.top_left_is_red(kept.image)


def test_a_small_photo_keeps_its_size():
    kept = normalise(photos.png(320, 240))
    assert (kept.width, kept.height) == (320, 240)
    assert photos.top_left_is_red(kept.image)


def test_heic_from_an_iphone_is_read():
    kept = normalise(photos.heic(400, 300))
    assert (kept.width, kept.height) == (400, 300)
    assert photos.top_left_is_red(kept.image)


def test_a_sideways_heic_is_turned_upright_once():
    kept = normalise(photos.rotated_heic())
    assert (kept.width, kept.height) == (480, 640)
    assert photos.top_left_is_red(kept.image)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "is empty"),
        (b"%PDF-1.7 not a photo", "not a readable JPEG, PNG or HEIC"),
        (photos.jpeg()[:200], "not a readable JPEG, PNG or HEIC"),
    ],
)
def test_what_is_not_a_photo_is_refused_naming_the_field(data, message):
    with pytest.raises(InvalidField, match=message) as refused:
        normalise(data, field="photo.jpg")
    assert refused.value.field == "photo.jpg"


def test_the_cap_is_held_to_its_range():
    with pytest.raises(InvalidField, match="photo_long_edge"):
        normalise(photos.jpeg(), long_edge=100)
