"""The bundled fonts: DejaVu for every document, fallback faces loaded only when needed.

reportlab's built-in Helvetica covers Latin-1 only. DejaVu (resources/fonts) covers Latin
extended, Greek, Cyrillic and more, and is registered with the first document. A name in
another script takes a fallback face, registered the first time a text needs it, so a
Latin-only document never reads them:

- Noto Sans Arabic and Noto Sans Hebrew (OFL), preferred for their scripts even where
  DejaVu has a glyph: they carry the OpenType shaping (joining forms, ligatures, marks)
  that HarfBuzz applies (see consult.documents.text);
- Droid Sans Fallback (Apache 2.0) for Chinese and Japanese;
- Nanum Square (OFL) for Korean Hangul, which Droid Sans Fallback lacks.

All are TrueType (glyf) fonts, which reportlab can embed as subsets; CFF-based OpenType
fonts such as Noto Sans CJK cannot be. A character no face has is refused
(`check_printable`) before any page is laid out, never printed as an empty box.

Text extraction (`pdftotext`, screen readers, copy and paste) reads each subset's
ToUnicode map. reportlab writes it as `<%04X>` of the code point, which is wrong in two
cases that this module's `_Font` corrects:

- a character outside the Basic Multilingual Plane (Gothic 𐌰, U+2000B 𠀋 …) must be
  written as its UTF-16 surrogate pair (`<D840DC0B>`), else readers decode U+2000B as
  U+2000 plus garbage;
- a shaped glyph with no code point of its own (a contextual form or ligature that the
  font reaches only through its shaping tables) is given a private-use code by
  reportlab, and must map back to the text it was shaped from.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatch
from functools import cache
from weakref import WeakKeyDictionary

from reportlab import rl_config
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDocument
from reportlab.pdfbase.ttfonts import SUBSETN, TTEncoding, TTFont
from reportlab.rl_config import unShapedFontGlob

from consult import data
from consult.documents import font_metrics
from consult.errors import InvalidField

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
_FILES = {REGULAR: "fonts/DejaVuSans.ttf", BOLD: "fonts/DejaVuSans-Bold.ttf"}

# Characters that lay no ink and need no glyph: joiners, direction marks, variation
# selectors. Shaping uses them; a face that lacks them simply draws nothing.
FORMAT_CATEGORY = "Cf"


class _Font(TTFont):
    """A TrueType font whose ToUnicode map gives back the text it printed (see above)."""

    def __init__(self, name: str, resource: str) -> None:
        # What TTFont.__init__ does, but the face is built from the shipped metrics when
        # they are this font's (consult.documents.font_metrics); a test keeps the two alike.
        self.fontName = name
        self.face = font_metrics.face(resource, data.read_bytes(resource))
        self.encoding = TTEncoding()
        self.state = WeakKeyDictionary()
        self._asciiReadable = rl_config.ttfAsciiReadable
        self.shapable = not any(fnmatch(name, glob) for glob in unShapedFontGlob or ())
        # Private-use code (given by reportlab to a shaped glyph) → the text it stands for.
        self.shaped_text: dict[int, str] = {}

    def addObjects(self, doc: PDFDocument) -> None:
        state = self.state.get(doc)
        subsets = [list(subset) for subset in state.subsets] if state is not None else []
        super().addObjects(doc)
        for number, subset in enumerate(subsets):
            if not any(code > 0xFFFF or code in self.shaped_text for code in subset):
                continue  # reportlab's own map is right for this subset
            base = b"".join((SUBSETN(number), b"+", self.face.name, self.face.subfontNameX))
            base_name = base.decode("pdfdoc")
            stream = doc.idToObject["toUnicodeCMap:" + base_name]
            # reportlab's stub types the registry's objects as PDFObject; this one is a stream.
            stream.content = _to_unicode_cmap(  # type: ignore[attr-defined]
                base_name, subset, self.shaped_text
            )


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def _to_unicode_cmap(name: str, subset: list[int], shaped: dict[int, str]) -> str:
    """reportlab's ToUnicode CMap, with UTF-16 (surrogate pairs) and shaped glyphs' text."""
    entries = [
        f"<{index:02X}> <{_utf16_hex(shaped.get(code) or chr(code))}>"
        for index, code in enumerate(subset)
    ]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({name})",
            f"/Ordering ({name})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{name} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *entries,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


@cache
def register() -> None:
    """Register DejaVu and its bold mapping (so `<b>` in a Paragraph works)."""
    for name, resource in _FILES.items():
        pdfmetrics.registerFont(_Font(name, resource))
    addMapping(REGULAR, 0, 0, REGULAR)
    addMapping(REGULAR, 1, 0, BOLD)
    addMapping(REGULAR, 0, 1, REGULAR)
    addMapping(REGULAR, 1, 1, BOLD)


def _arabic(code: int) -> bool:
    return (
        0x0600 <= code <= 0x06FF
        or 0x0750 <= code <= 0x077F
        or 0x08A0 <= code <= 0x08FF
        or 0xFB50 <= code <= 0xFDFF
        or 0xFE70 <= code <= 0xFEFF
    )


def _hebrew(code: int) -> bool:
    return 0x0590 <= code <= 0x05FF or 0xFB1D <= code <= 0xFB4F


@dataclass(frozen=True)
class Fallback:
    """A face for scripts DejaVu lacks or does not shape well, loaded on first use."""

    name: str
    resource: str
    bold_name: str  # the same as `name` when the face has no bold
    bold_resource: str
    shaped: bool  # its text goes through HarfBuzz (joining, ligatures, marks)
    preferred: Callable[[int], bool] | None = None  # code points it takes before DejaVu


FALLBACKS = (
    Fallback(
        "NotoSansArabic",
        "fonts/NotoSansArabic-Regular.ttf",
        "NotoSansArabic-Bold",
        "fonts/NotoSansArabic-Bold.ttf",
        shaped=True,
        preferred=_arabic,
    ),
    Fallback(
        "NotoSansHebrew",
        "fonts/NotoSansHebrew-Regular.ttf",
        "NotoSansHebrew-Bold",
        "fonts/NotoSansHebrew-Bold.ttf",
        shaped=True,
        preferred=_hebrew,
    ),
    Fallback(
        "DroidSansFallback",
        "fonts/DroidSansFallbackFull.ttf",
        "DroidSansFallback",
        "fonts/DroidSansFallbackFull.ttf",
        shaped=False,
    ),
    Fallback(
        "NanumSquare",
        "fonts/NanumSquareR.ttf",
        "NanumSquare",
        "fonts/NanumSquareR.ttf",
        shaped=False,
    ),
)
SHAPED_FACES = frozenset(
    name
    for fallback in FALLBACKS
    if fallback.shaped
    for name in (fallback.name, fallback.bold_name)
)


@cache
def _loaded(fallback: Fallback) -> _Font:
    """Register a fallback face (and its bold) the first time a text needs it."""
    regular = _Font(fallback.name, fallback.resource)
    pdfmetrics.registerFont(regular)
    addMapping(fallback.name, 0, 0, fallback.name)
    if fallback.bold_name != fallback.name:
        pdfmetrics.registerFont(_Font(fallback.bold_name, fallback.bold_resource))
        addMapping(fallback.bold_name, 0, 0, fallback.bold_name)
    return regular


@cache
def _dejavu_has(code: int) -> bool:
    register()
    font = pdfmetrics.getFont(REGULAR)
    return code in font.face.charToGlyph  # type: ignore[attr-defined]  # a TTFont; stub says Font


@cache
def face_for(code: int, bold: bool = False) -> str | None:
    """The registered face that prints code point `code`, or None if no bundled face has it."""
    for fallback in FALLBACKS:
        if fallback.preferred is not None and fallback.preferred(code):
            if code in _loaded(fallback).face.charToGlyph:
                return fallback.bold_name if bold else fallback.name
    if _dejavu_has(code):
        return BOLD if bold else REGULAR
    for fallback in FALLBACKS:
        if code in _loaded(fallback).face.charToGlyph:
            return fallback.bold_name if bold else fallback.name
    return None


def font(name: str) -> _Font:
    """A registered face by name (registered by `face_for` first)."""
    found = pdfmetrics.getFont(name)
    if not isinstance(found, _Font):
        raise TypeError(f"{name} is not one of the bundled fonts")
    return found


def unprintable(text: str) -> str | None:
    """The first character of `text` that no bundled face can print, if any."""
    if text.isascii():
        return None
    for char in text:
        if char in "\n\t" or unicodedata.category(char) == FORMAT_CATEGORY:
            continue
        if not _dejavu_has(ord(char)) and face_for(ord(char)) is None:
            return char
    return None


def check_printable(value: str, field: str) -> None:
    """Refuse, naming `field`, a text with a character no bundled font can print."""
    char = unprintable(value)
    if char is not None:
        name = unicodedata.name(char, "unnamed character")
        raise InvalidField(
            field,
            f'"{char}" (U+{ord(char):04X} {name}) cannot be printed: no bundled font has it',
        )
