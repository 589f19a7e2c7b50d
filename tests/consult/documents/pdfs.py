"""Reading produced PDFs back the way a person or another program would."""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw
from pypdf import PdfReader


def text_of(pdf: bytes, tmp_path: Path, name: str = "doc.pdf") -> str:
    """What `pdftotext` extracts (reading order, one page after another)."""
    path = tmp_path / name
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def flat(text: str) -> str:
    """Text with line breaks and runs of spaces made single spaces (wrapped lines join)."""
    return re.sub(r"\s+", " ", text)


def pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def qpdf_check(pdf: bytes, tmp_path: Path, name: str = "check.pdf") -> None:
    path = tmp_path / name
    path.write_bytes(pdf)
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def signature_png(colour: tuple[int, int, int] = (20, 20, 90)) -> bytes:
    """A squiggle like a signature pad produces (transparent background)."""
    image = Image.new("RGBA", (300, 100), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 80), (80, 20), (150, 70), (290, 30)], fill=colour, width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
