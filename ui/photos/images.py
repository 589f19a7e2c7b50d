"""Decoding photos into QImages, on a worker thread (QImage, unlike QPixmap, may be made there).

A stored photo is up to 4,000 px on its long edge. Pillow decodes and scales it (at a
reduced scale straight from the JPEG where it can), with the interpreter's lock
released while it works, so the window's thread keeps running meanwhile; Qt's own
decoders would hold the lock for the whole decode. Only the small result is copied
into a QImage.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError
from PySide6.QtGui import QImage

from consult.errors import InvalidField
from consult.photos.limits import MAX_FILE_BYTES

PREVIEW_EDGE = 1200


def decoded(jpeg: bytes, longest: int = PREVIEW_EDGE, field: str = "photo") -> QImage:
    """The image, upright, scaled to at most `longest` px on its long edge."""
    from consult.photos.images import register_heif

    register_heif()
    try:
        image = Image.open(io.BytesIO(jpeg))
        if image.format in ("JPEG", "MPO"):
            image.draft("RGB", (longest, longest))
        image.load()
        ImageOps.exif_transpose(image, in_place=True)
        image.thumbnail((longest, longest), Image.Resampling.BILINEAR, reducing_gap=2.0)
        rgb = image if image.mode == "RGB" else image.convert("RGB")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidField(field, "is not a readable JPEG, PNG or HEIC photo") from None
    raw = rgb.tobytes()
    return QImage(raw, rgb.width, rgb.height, 3 * rgb.width, QImage.Format.Format_RGB888).copy()


def preview_of_file(path: str, longest: int = PREVIEW_EDGE) -> QImage:
    """A file about to be imported, upright (EXIF orientation applied) and scaled."""
    name = Path(path).name
    try:
        if Path(path).stat().st_size > MAX_FILE_BYTES:
            raise InvalidField(name, f"is larger than {MAX_FILE_BYTES // 1024 // 1024} MB")
        data = Path(path).read_bytes()
    except OSError as error:
        raise InvalidField(name, f"cannot be read ({error.strerror})") from None
    return decoded(data, longest, field=name)
