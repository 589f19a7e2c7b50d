"""A photograph as the clinic keeps it: upright, stripped, capped in size, fingerprinted.

Phones write where a picture was taken (GPS), the device's serial number, its owner and
the editing software into the file. None of that belongs in a patient's record, so the
image is decoded, turned upright by its EXIF orientation, and written again as a plain
JPEG with no metadata at all. Its long edge is capped (a clinic setting, 4,000 px by
default) and a small thumbnail is made for lists. The SHA-256 is of the stored bytes, so
the audit trail names exactly what was kept.

JPEG, PNG and HEIC (iPhones) are read; HEIC through pillow-heif's opener for Pillow.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from functools import cache

from PIL import Image, ImageOps, UnidentifiedImageError

from consult.errors import InvalidField
from consult.photos.limits import DEFAULT_LONG_EDGE, MAX_FILE_BYTES, check_long_edge

FORMATS = ("JPEG", "PNG", "HEIF", "MPO")
THUMBNAIL_EDGE = 256
# A 12 MP phone photo is about 4000×3000; 48 MP sensors exist. Anything far beyond is
# a mistake or a decompression bomb.
MAX_PIXELS = 120_000_000
JPEG_QUALITY = 90
THUMBNAIL_QUALITY = 80


@dataclass(frozen=True)
class Normalised:
    """The stored image, its thumbnail (both JPEG), its size and its SHA-256."""

    image: bytes
    thumbnail: bytes
    width: int
    height: int
    sha256: str


@cache
def register_heif() -> None:
    """Let Pillow open HEIC/HEIF files (once per process)."""
    from pillow_heif import register_heif_opener

    register_heif_opener()


def normalise(data: bytes, long_edge: int = DEFAULT_LONG_EDGE, field: str = "file") -> Normalised:
    """The photo in `data` made ready to store; InvalidField(field) if it is not one."""
    check_long_edge(long_edge)
    if not isinstance(data, bytes) or not data:
        raise InvalidField(field, "is empty")
    if len(data) > MAX_FILE_BYTES:
        raise InvalidField(field, f"is larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
    upright = _decoded(data, long_edge, field)
    if max(upright.size) > long_edge:
        upright.thumbnail((long_edge, long_edge), Image.Resampling.LANCZOS)
    image = _jpeg(upright, JPEG_QUALITY)
    small = upright.resize(_fitted(upright.size, THUMBNAIL_EDGE), Image.Resampling.BILINEAR,
                           reducing_gap=2.0)
    return Normalised(
        image=image,
        thumbnail=_jpeg(small, THUMBNAIL_QUALITY),
        width=upright.width,
        height=upright.height,
        sha256=hashlib.sha256(image).hexdigest(),
    )


def _decoded(data: bytes, long_edge: int, field: str) -> Image.Image:
    """The pixels, upright, in RGB; nothing of the file's metadata comes along."""
    register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Not closed with `with`: closing an image drops its pixels, which are
            # what is returned; the file is in memory, so nothing is left open.
            opened = Image.open(io.BytesIO(data))
            if opened.format not in FORMATS:
                raise InvalidField(field, "is not a JPEG, PNG or HEIC photo")
            if opened.width * opened.height > MAX_PIXELS:
                raise InvalidField(
                    field, f"is too large a picture ({opened.width}×{opened.height})"
                )
            if opened.format in ("JPEG", "MPO"):
                # A photo at least twice the cap each way decodes at a reduced
                # scale (never below the cap): far less work than full size.
                opened.draft("RGB", (long_edge, long_edge))
            # In place and converted only when needed: a 12 MP copy is 36 MB of
            # memory moved while the interpreter's lock is held (the window waits).
            opened.load()
            ImageOps.exif_transpose(opened, in_place=True)
            pixels = opened if opened.mode == "RGB" else opened.convert("RGB")
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise InvalidField(field, "is not a readable JPEG, PNG or HEIC photo") from None
    # Nothing of the file's metadata may travel on: EXIF (GPS, serials), ICC, XMP, text.
    # The JPEG writer takes metadata only from the image's info and what save() is
    # given, and save() is given none.
    pixels.info.clear()
    return pixels


def _fitted(size: tuple[int, int], edge: int) -> tuple[int, int]:
    width, height = size
    scale = min(1.0, edge / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _jpeg(image: Image.Image, quality: int) -> bytes:
    # No `optimize`: Pillow then encodes the whole image in one call that holds the
    # interpreter's lock (140 ms for 12 MP), and the window would freeze meanwhile.
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return out.getvalue()


def size_of(data: bytes) -> tuple[int, int]:
    """The width and height of a stored JPEG (for a thumbnail placed in a PDF)."""
    with Image.open(io.BytesIO(data)) as image:
        return image.size
