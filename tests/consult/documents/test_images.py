"""Checking signature and logo images before they reach a PDF."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from consult.documents.images import check_logo, check_png
from consult.errors import InvalidField
from tests.consult.documents.pdfs import signature_png


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), "white").save(out, "JPEG")
    return out.getvalue()


def test_a_png_passes_unchanged():
    png = signature_png()
    assert check_png(png, "--patient-signature") is png


@pytest.mark.parametrize(
    "data",
    [b"", b"GIF89a....", _jpeg(), b"\x89PNG\r\n\x1a\n" + b"\x00" * 40],
    ids=["empty", "gif", "jpeg", "png-header-only"],
)
def test_anything_else_names_the_field(data):
    with pytest.raises(InvalidField) as raised:
        check_png(data, "--patient-signature")
    assert raised.value.field == "--patient-signature"
    assert "not a PNG image" in str(raised.value)


def test_a_huge_image_is_refused():
    out = io.BytesIO()
    Image.new("1", (5000, 4000)).save(out, "PNG")
    with pytest.raises(InvalidField, match="too large"):
        check_png(out.getvalue(), "--patient-signature")


def test_logos_may_be_png_or_jpeg():
    assert check_logo(_jpeg()) and check_logo(signature_png())
    with pytest.raises(InvalidField, match=r"clinic\.logo"):
        check_logo(b"<svg/>")
