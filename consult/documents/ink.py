"""Is a signature image ink? One rule for the signature pad and the command line.

A record signed with a blank, a dot, a stray line or a black rectangle is not signed.
A signature has ink when at least 0.5 % of its pixels are dark, its dark pixels span at
least a quarter of the image's width, and it is not all dark (a solid or inverted
image). "Dark" is a luminance under half, after flattening transparency onto white, so
a transparent pad export and a scan on white paper are judged alike.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from consult.documents.images import check_png
from consult.errors import InvalidField

MIN_DARK_SHARE = 0.005
MIN_SPAN_SHARE = 0.25
MAX_DARK_SHARE = 0.98
DARK_BELOW = 128


@dataclass(frozen=True)
class Ink:
    dark_share: float  # of all pixels
    span_share: float  # of the width, from the leftmost to the rightmost dark column


def measure(png: bytes) -> Ink:
    with Image.open(io.BytesIO(png)) as image:
        rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    grey = Image.alpha_composite(white, rgba).convert("L")
    dark = grey.point(lambda value: 255 if value < DARK_BELOW else 0)
    histogram = dark.histogram()
    total = grey.width * grey.height
    dark_pixels = histogram[255]
    box = dark.getbbox()
    span = (box[2] - box[0]) if box else 0
    return Ink(dark_pixels / total if total else 0.0, span / grey.width if grey.width else 0.0)


def require_ink(png: bytes, field: str) -> bytes:
    """`png` if it is a signature with ink; otherwise InvalidField naming `field`."""
    check_png(png, field)
    ink = measure(png)
    if ink.dark_share > MAX_DARK_SHARE:
        raise InvalidField(field, "the image is all dark, not a signature")
    if ink.dark_share < MIN_DARK_SHARE:
        raise InvalidField(field, "the signature is blank (almost no ink); sign again")
    if ink.span_share < MIN_SPAN_SHARE:
        raise InvalidField(
            field, "the signature is too small (its strokes span under a quarter of the width)"
        )
    return png
