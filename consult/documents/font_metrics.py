"""The metrics of the faces every document uses, worked out once and shipped.

reportlab reads a TrueType face by walking its tables in Python (`TTFontFile.extractInfo`:
every glyph's width and position, every character's glyph), about 20 ms for each DejaVu
face: most of what a cold `consult documents` spends on fonts. What it works out depends
on the font file and on reportlab alone, so for the faces of STORED it is kept in
resources/fonts/metrics.marshal (written by scripts/font_metrics.py) and a face is
built from it, the font's bytes still read (subsetting embeds from them).

The store is used only for the very font file it was made from (its SHA-256), by the
reportlab and Python versions that made it (marshal's format is Python's own); anything
else, a changed font or an upgraded library, parses the font as reportlab does.
A test keeps the store equal to a fresh parse.
"""

from __future__ import annotations

import hashlib
import io
import marshal
import sys
from functools import cache
from typing import Any

import reportlab
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFNameBytes, TTFontFace, TTFontParser

from consult import data

STORE = "fonts/metrics.marshal"
STORED = ("fonts/DejaVuSans.ttf", "fonts/DejaVuSans-Bold.ttf")
# Attributes extractInfo sets that marshal cannot hold as they are.
_NAMES = ("name", "familyName", "styleName", "fullName", "uniqueFontID")
_SCALE = "_pdfScale"  # a function of unitsPerEm, made again on loading


def face(resource: str, raw: bytes) -> TTFontFace:
    """The reportlab face of the font `raw` (the bytes of `resource`)."""
    stored = _stored().get(resource)
    if stored is None or stored["sha256"] != hashlib.sha256(raw).hexdigest():
        return TTFontFace(io.BytesIO(raw))
    built: TTFontFace = TTFontFace.__new__(TTFontFace)
    pdfmetrics.TypeFace.__init__(built, None)
    TTFontParser.__init__(built, io.BytesIO(raw))  # the bytes and the table directory
    built.__dict__.update(_restored(stored["metrics"]))
    return built


def versions() -> tuple[str, str]:
    """What a store must have been made by: (Python major.minor, reportlab version)."""
    return f"{sys.version_info[0]}.{sys.version_info[1]}", reportlab.Version


def worked_out(raw: bytes) -> dict[str, Any]:
    """What extractInfo adds to a face, in the store's form (scripts/font_metrics.py)."""
    parsed = TTFontFace(io.BytesIO(raw))
    bare = TTFontFace.__new__(TTFontFace)
    pdfmetrics.TypeFace.__init__(bare, None)
    TTFontParser.__init__(bare, io.BytesIO(raw))
    before = vars(bare)
    metrics = {
        key: value
        for key, value in vars(parsed).items()
        if key != _SCALE and (key not in before or before[key] != value)
    }
    for key in _NAMES:
        metrics[key] = bytes(metrics[key])
    return metrics


def store(faces: dict[str, bytes]) -> bytes:
    """The store's bytes for `faces` (resource name -> font bytes)."""
    python, library = versions()
    content = {
        "python": python,
        "reportlab": library,
        "faces": {
            resource: {"sha256": hashlib.sha256(raw).hexdigest(), "metrics": worked_out(raw)}
            for resource, raw in faces.items()
        },
    }
    return marshal.dumps(content)


@cache
def _stored() -> dict[str, dict[str, Any]]:
    try:
        # Package data made by scripts/font_metrics.py, as trusted as this code; marshal
        # builds values only (it runs nothing), and a damaged store parses the fonts.
        content = marshal.loads(data.read_bytes(STORE))  # noqa: S302
    except (FileNotFoundError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(content, dict) or (content.get("python"), content.get("reportlab")) != (
        versions()
    ):
        return {}
    faces: dict[str, dict[str, Any]] = content.get("faces", {})
    return faces


def _restored(metrics: dict[str, Any]) -> dict[str, Any]:
    restored = dict(metrics)
    for key in _NAMES:
        restored[key] = TTFNameBytes(metrics[key])
    units = metrics["unitsPerEm"]
    # As extractInfo makes it: 1000 units per em are points already.
    restored[_SCALE] = _identity if units == 1000 else _scaled(1000 / units)
    return restored


def _identity(x: float) -> float:
    return x


def _scaled(factor: float) -> Any:
    def scale(x: float) -> float:
        return x * factor

    return scale
