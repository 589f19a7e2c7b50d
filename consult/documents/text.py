"""Turning user and clinic text into reportlab Paragraph markup safely and legibly.

Paragraph reads a small XML dialect, so a name such as `Zoë <b>O'Brien & Co</b>` would
be taken as markup (or break the parse). Everything printed goes through `esc` first;
only markup written here in code is left unescaped.

`esc` also makes any script print right. Text that DejaVu covers and that runs left to
right is only escaped (the fast path every Latin, Greek or Cyrillic document takes).
Other text is ordered and shaped with maintained implementations:

- python-bidi's Unicode Bidirectional Algorithm (UAX #9) resolves each character's
  embedding level and reorders the line for display (rules L1, L2, and L4 mirroring);
- each character takes the bundled face that has it (`fonts.face_for`), so a mixed name
  such as "Ana 李 محمد" switches font per character;
- runs in the Arabic and Hebrew faces go through reportlab's HarfBuzz shaping
  (`shapeFragWord`, uharfbuzz) in logical order, which gives the joined, ligated glyphs
  in visual order; each glyph is written as the character reportlab maps it to, and the
  face's ToUnicode map gives back the letters and marks it was shaped from
  (`fonts._Font`).

Lines keep the document's left-to-right base direction, so a right-to-left name reads
correctly inside an English form, and `pdftotext` gives it back in logical order.

Known limits: each line is ordered before reportlab wraps it, so a right-to-left text
too long for one line (a long Arabic note) wraps with its first printed line holding
the end of the text; names, addresses and short notes fit. Vowel marks are placed by
the font's default anchors, not HarfBuzz's offsets (reportlab draws shaped offsets only
when a whole paragraph is shaped, which would also shape every Latin word).
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from functools import lru_cache
from itertools import groupby

from reportlab.lib.abag import ABag
from reportlab.pdfbase.ttfonts import ShapedStr, shapeFragWord

from consult.documents import fonts
from consult.errors import ConsultError

BLANK_LINE = "_" * 34
# Fits half the page width, beside a label (signature blocks).
SHORT_BLANK_LINE = "_" * 22


def escape(text: str) -> str:
    """`&`, `<` and `>` as entities, as xml.sax.saxutils.escape does; that module loads
    urllib and ssl on import, a tenth of a cold `consult documents`."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def esc(value: object, *, bold: bool = False) -> str:
    """Plain text as Paragraph markup; line breaks are kept, any script printed right.

    `bold` picks the bold faces for text in a fallback script (the bold of DejaVu
    follows the paragraph's style or an enclosing `<b>`).
    """
    text = str(value)
    if text.isascii():
        return escape(text).replace("\n", "<br/>")
    return _markup(text, bold)


def bold(value: object) -> str:
    return f"<b>{esc(value, bold=True)}</b>"


# Bidi classes that make a text need reordering (strong right-to-left, Arabic numbers,
# explicit embeddings, overrides and isolates).
_BIDI_CLASSES = frozenset(
    {"R", "AL", "AN", "RLE", "RLO", "RLI", "FSI", "LRE", "LRO", "LRI", "PDF", "PDI"}
)
_PLAIN_FACES = frozenset({fonts.REGULAR, fonts.BOLD})
_KEPT_MARKUP = 4096
SHAPING_SIZE = 10  # shaping picks glyphs, which do not depend on the size
# Kerning and standard ligatures (lam-alef is required in Arabic). Not reportlab's default
# discretionary ligatures: they fuse whole words (محمد into one glyph), which no reader
# can split back into the letters and vowel marks typed.
SHAPING_FEATURES = {"kern": True, "liga": True}


@lru_cache(maxsize=_KEPT_MARKUP)
def _markup(text: str, bold: bool) -> str:
    if all(_plain(char) for char in text):
        return escape(text).replace("\n", "<br/>")
    refused = fonts.unprintable(text)
    if refused is not None:
        raise ConsultError(
            f'"{refused}" (U+{ord(refused):04X}) cannot be printed: no bundled font has it'
        )
    return "<br/>".join(_line_markup(line, bold) for line in text.split("\n"))


def _plain(char: str) -> bool:
    """Printed by DejaVu as it stands, left to right."""
    if unicodedata.bidirectional(char) in _BIDI_CLASSES:
        return False
    return char == "\n" or fonts.face_for(ord(char)) in _PLAIN_FACES


def _face(char: str, bold: bool) -> str:
    """The face for a character already known to be printable (see `_markup`)."""
    face = fonts.face_for(ord(char), bold)
    if face is None:  # a format character (joiner, direction mark): no ink, dropped below
        return fonts.BOLD if bold else fonts.REGULAR
    return face


def _visual(line: str) -> list[tuple[int, int, str]]:
    """(logical index, embedding level, character as displayed) in display order."""
    # Imported on first use: only text in a right-to-left or fallback script needs it.
    from bidi import algorithm as uba

    storage = uba.get_empty_storage()
    # The document's own direction: a name is read in the flow of an English form, so
    # "محمد Smith" prints with محمد first (leftmost), as typed; each right-to-left run
    # within it is still reversed and shaped.
    storage["base_level"] = 0
    storage["base_dir"] = "L"
    uba.get_embedding_levels(_isolates_as_embeddings(line), storage)
    for index, char in enumerate(storage["chars"]):
        char["index"] = index
    uba.explicit_embed_and_overrides(storage, False)
    uba.resolve_weak_types(storage, False)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    uba.reorder_resolved_levels(storage, False)
    uba.apply_mirroring(storage, False)
    return [(char["index"], char["level"], char["ch"]) for char in storage["chars"]]


# python-bidi's algorithm module implements UAX #9 before isolates (Unicode 6.3) and
# rejects them; each becomes the embedding that nests the same way. The controls print
# nothing either way, and the replacement keeps every character's index.
_ISOLATE_EMBEDDINGS = {"\u2066": "\u202a", "\u2067": "\u202b", "\u2069": "\u202c"}
FIRST_STRONG_ISOLATE = "\u2068"
LEFT_TO_RIGHT_MARK = "\u200e"  # zero width in DejaVu


def _isolates_as_embeddings(line: str) -> str:
    chars = list(line)
    for index, char in enumerate(chars):
        if char == FIRST_STRONG_ISOLATE:
            from bidi import algorithm as uba

            rtl = uba.get_base_level(line[index + 1 :]) == 1
            chars[index] = "\u202b" if rtl else "\u202a"
        else:
            chars[index] = _ISOLATE_EMBEDDINGS.get(char, char)
    return "".join(chars)


def _line_markup(line: str, bold: bool) -> str:
    """One line: runs of one face and direction, in display order, each as markup."""
    parts = []
    cells = [
        (index, level, shown, _face(line[index], bold)) for index, level, shown in _visual(line)
    ]
    previous_level = 0
    for (face, _), group in groupby(cells, key=lambda cell: (cell[3], cell[1] % 2)):
        run = list(group)
        level = run[0][1]
        if previous_level % 2 and level == 0:
            # Back from right-to-left to the line's own direction: an invisible
            # left-to-right mark, so readers that rebuild logical order (pdftotext,
            # copy and paste) end the right-to-left run here rather than taking the
            # following space into it ("محمد Smith" would come back as "محمدSmith").
            parts.append(LEFT_TO_RIGHT_MARK)
        previous_level = level
        if face in fonts.SHAPED_FACES:
            logical = "".join(line[index] for index, _, _, _ in sorted(run))
            text = _shaped(logical, face)
        else:
            text = "".join(shown for _, _, shown, _ in run if not _no_ink(shown, face))
        if not text:
            continue
        parts.append(
            escape(text) if face in _PLAIN_FACES else f'<font name="{face}">{escape(text)}</font>'
        )
    return "".join(parts)


def _no_ink(char: str, face: str) -> bool:
    """A format character (joiner, direction mark) the face has no glyph for."""
    return unicodedata.category(char) == fonts.FORMAT_CATEGORY and (
        ord(char) not in fonts.font(face).face.charToGlyph
    )


def _right_to_left(text: str) -> bool:
    return any(unicodedata.bidirectional(char) in ("R", "AL") for char in text)


def _shaped(logical: str, face: str) -> str:
    """HarfBuzz's glyphs for `logical`, in display order, as the characters that print them.

    reportlab writes each glyph as a character the font maps to it (an Arabic
    presentation form, or a private-use code for a glyph with none). The face remembers
    the text each one was shaped from, so the ToUnicode map gives back the letters and
    marks typed rather than presentation forms (see consult.documents.fonts).
    """
    word = [0.0, (ABag(fontName=face, fontSize=SHAPING_SIZE), logical)]
    shaped = shapeFragWord(word, features=SHAPING_FEATURES)[1][1]
    # __shapeData__ is set by reportlab's shaping and absent from its stub.
    shape_data = getattr(shaped, "__shapeData__", None)
    if not isinstance(shaped, ShapedStr) or shape_data is None:
        return str(shaped)
    font = fonts.font(face)
    clusters = sorted({data.cluster for data in shape_data})
    ends = dict(zip(clusters, [*clusters[1:], len(logical)], strict=True))
    seen: set[int] = set()
    for char, data in zip(str(shaped), shape_data, strict=True):
        if data.cluster in seen:
            continue  # a second glyph for the same letters: the first one carries them
        seen.add(data.cluster)
        letters = logical[data.cluster : ends[data.cluster]]
        if len(letters) > 1 and _right_to_left(letters):
            # A ligature (lam-alef, a mark pair) in a right-to-left word: readers turn
            # each such word back to logical order character by character, so its
            # letters are stored in display order.
            letters = letters[::-1]
        font.shaped_text.setdefault(ord(char), letters)
    return str(shaped)


# Not strftime("%b"): the app's toolkit sets the process locale, and the documents'
# wording is English, so month names must not follow the computer's language.
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day(value: date) -> str:
    """A date no reader can misread across countries: 20 Nov 2026."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def moment(value: datetime) -> str:
    """Date, time and zone, e.g. `20 Nov 2026, 14:05 CET (UTC+01:00)`."""
    offset = value.strftime("%z")
    utc = "UTC" if offset in ("+0000", "") else f"UTC{offset[:3]}:{offset[3:]}"
    zone = value.tzname() or utc
    if zone[0] in "+-":
        zone = utc  # a zone with no abbreviation ("+03") is named by its offset alone
    shown_zone = zone if zone == utc else f"{zone} ({utc})"
    return f"{day(value)}, {value:%H:%M} {shown_zone}"


def grouped_fingerprint(hex_digest: str) -> str:
    """A SHA-256 fingerprint in groups of four, two lines of eight groups, to read aloud."""
    groups = [hex_digest[start : start + 4] for start in range(0, len(hex_digest), 4)]
    return "\n".join(" ".join(groups[row : row + 8]) for row in range(0, len(groups), 8))


def checkbox(ticked: bool | None, label: str) -> str:
    """A tick box the reader sees without relying on colour; None prints empty."""
    box = "☒" if ticked else "☐"
    return f"{box} {esc(label)}"


def choice(answer: bool | None) -> str:
    """`☒ Yes  ☐ No` for an answer; both empty when not yet chosen."""
    gap = "&nbsp;" * 4
    return f"{checkbox(answer is True, 'Yes')}{gap}{checkbox(answer is False, 'No')}"
