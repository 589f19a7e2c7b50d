"""The bundled DejaVu fonts, registered once with reportlab.

reportlab's built-in Helvetica covers Latin-1 only; a patient called Ζωή or Пётр would
print as black boxes. DejaVu (resources/fonts, free licence beside it) covers Latin
extended, Greek and Cyrillic, and is embedded as a subset, so `pdftotext` gives the
exact name back.

Known reportlab limitation (5.1, checked): characters outside the Basic Multilingual
Plane that DejaVu can draw (Gothic 𐌰, mathematical letters 𝔸…) print correctly but do
not come back from `pdftotext` or a screen reader. reportlab writes each subset's
ToUnicode map as `<%04X>` of the code point (ttfonts.makeToUnicodeCMap), so U+1D538
becomes `<1D538>` instead of the UTF-16 surrogate pair `<D835DD38>` the PDF format asks
for, and readers decode it as U+1D53. It needs fixing in reportlab, not here: the
scripts DejaVu covers that people's names are written in (Latin, Greek, Cyrillic…)
are all inside the BMP.
"""

from __future__ import annotations

import io
from functools import cache

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from consult import data

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
_FILES = {REGULAR: "fonts/DejaVuSans.ttf", BOLD: "fonts/DejaVuSans-Bold.ttf"}


@cache
def register() -> None:
    """Register the fonts and their bold mapping (so `<b>` in a Paragraph works)."""
    for name, resource in _FILES.items():
        pdfmetrics.registerFont(TTFont(name, io.BytesIO(data.read_bytes(resource))))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)
