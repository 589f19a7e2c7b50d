"""Checking the images a user hands in (signatures, logo) before they reach a PDF."""

from __future__ import annotations

import io
import warnings
from functools import lru_cache

from PIL import Image, UnidentifiedImageError

from consult.errors import InvalidField

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# A signature pad image is a few hundred pixels; anything huge is a mistake or an attack.
MAX_PIXELS = 4000 * 4000


def check_png(data: bytes, field: str) -> bytes:
    """`data` if it is a readable PNG image; otherwise `InvalidField(field, ...)`."""
    if not data.startswith(PNG_MAGIC):
        raise InvalidField(field, "not a PNG image")
    _check_decodes(data, field, "PNG")
    return data


def check_logo(data: bytes, field: str = "clinic.logo") -> bytes:
    """A PNG or JPEG logo that decodes."""
    _check_decodes(data, field, "PNG or JPEG")
    return data


def _check_decodes(data: bytes, field: str, kind: str) -> None:
    problem = _decoding_problem(data, kind)
    if problem is not None:
        raise InvalidField(field, problem)


# The same signature is checked for every document of a consultation (and again when
# it is signed on the next one): decode each image once per process.
@lru_cache(maxsize=32)
def _decoding_problem(data: bytes, kind: str) -> str | None:
    """Why `data` is not a usable PNG or JPEG image, or None when it is."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ("PNG", "JPEG"):
                    return f"not a {kind} image"
                if image.width * image.height > MAX_PIXELS:
                    return f"image is too large ({image.width}×{image.height})"
                image.load()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        return f"not a {kind} image (the file is damaged)"
    return None
