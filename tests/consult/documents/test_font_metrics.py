"""The shipped font metrics: the same face as reportlab's own parse, or no use at all."""

from __future__ import annotations

import io

import pytest
from reportlab import rl_config
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

from consult import data
from consult.documents import font_metrics, fonts


def _comparable(face: TTFontFace) -> dict:
    """A face's attributes, its scale function replaced by what it gives."""
    found = dict(vars(face))
    scale = found.pop("_pdfScale")
    found["scaled 1234 units"] = scale(1234)
    return found


def test_the_store_is_current_for_this_python_and_reportlab():
    """resources/fonts/metrics.marshal is up to date: run scripts/font_metrics.py if not."""
    stored = font_metrics._stored()
    assert set(stored) == set(font_metrics.STORED)
    for resource in font_metrics.STORED:
        raw = data.read_bytes(resource)
        assert stored[resource]["metrics"] == font_metrics.worked_out(raw), resource


@pytest.mark.parametrize("resource", font_metrics.STORED)
def test_a_face_from_the_store_is_the_face_reportlab_parses(resource):
    raw = data.read_bytes(resource)
    built = font_metrics.face(resource, raw)
    parsed = TTFontFace(io.BytesIO(raw))
    assert _comparable(built) == _comparable(parsed)
    assert built.getCharWidth(ord("Ž")) == parsed.getCharWidth(ord("Ž")) > 0
    assert built.makeSubset([0, 65, 66, 381]) == parsed.makeSubset([0, 65, 66, 381])


def test_other_font_bytes_are_parsed_not_looked_up():
    bold = data.read_bytes("fonts/DejaVuSans-Bold.ttf")
    face = font_metrics.face("fonts/DejaVuSans.ttf", bold)  # the regular face's name
    assert face.name == b"DejaVuSans-Bold"


def test_a_store_from_another_python_or_reportlab_is_not_used(monkeypatch):
    font_metrics._stored.cache_clear()
    monkeypatch.setattr(font_metrics, "versions", lambda: ("2.7", rl_config.__name__))
    try:
        assert font_metrics._stored() == {}
    finally:
        font_metrics._stored.cache_clear()


def test_consults_font_is_set_up_as_reportlabs_ttfont_is():
    """fonts._Font does what TTFont.__init__ does (it builds the face itself)."""
    ours = fonts._Font("ConsultTestFace", "fonts/DejaVuSans.ttf")
    theirs = TTFont("ConsultTestFace", io.BytesIO(data.read_bytes("fonts/DejaVuSans.ttf")))
    assert set(vars(ours)) == set(vars(theirs)) | {"shaped_text"}
    for key in ("fontName", "_asciiReadable", "shapable"):
        assert getattr(ours, key) == getattr(theirs, key), key
    assert type(ours.encoding) is type(theirs.encoding)
    assert _comparable(ours.face) == _comparable(theirs.face)
