"""The clinic's cap on a stored photo's size (no Pillow here: settings import it early)."""

from __future__ import annotations

from consult.errors import InvalidField

SUFFIXES = (".jpg", ".jpeg", ".png", ".heic", ".heif")
MAX_FILE_BYTES = 60 * 1024 * 1024
DEFAULT_LONG_EDGE = 4000
MIN_LONG_EDGE = 640
MAX_LONG_EDGE = 8000


def check_long_edge(value: object, field: str = "photo_long_edge") -> int:
    """`value` if it is a whole number of pixels within the allowed range."""
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidField(field, "must be a whole number of pixels")
    if not MIN_LONG_EDGE <= value <= MAX_LONG_EDGE:
        raise InvalidField(field, f"{value} must be from {MIN_LONG_EDGE} to {MAX_LONG_EDGE} px")
    return value
