"""Text that cannot lie about itself: the one check for names and free text.

A patient's name, a practitioner's name, a clinic's address or a note is shown on
screens and printed on paper a patient signs. Invisible characters could make it show
something other than what is stored:

- the bidirectional embedding, override and isolate controls (U+202A to U+202E,
  U+2066 to U+2069) reorder what follows them on screen, so "Ana" + U+202E + "znuoS"
  shows as "Ana Souza" while being stored, searched and signed as something else;
- control characters (C0, DEL and C1) are invisible or move the cursor (a carriage
  return can make a terminal or a log line overwrite its own start).

Both are refused, naming the field. A line break and a tab are allowed in multi-line
free text (an address, a note), and a carriage return there only as part of a
Windows line break (CR LF). The zero-width non-joiner and joiner (U+200C, U+200D) are
kept: Persian, Hindi, Bengali and other scripts need them to spell names correctly.
The left-to-right and right-to-left marks (U+200E, U+200F) are kept too: they only
settle the direction of the character next to them, which mixed Arabic or Hebrew and
Latin text needs, and cannot reorder a whole run.

Used by consult/1 validation (consult.clinical.fileformat), by storage (patients, accounts,
clinic settings, reasons and comments) and by the app's forms.
"""

from __future__ import annotations

import re
import unicodedata

from consult.errors import InvalidField

BIDI_CONTROLS = frozenset(
    chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
)
# Allowed only in multi-line free text.
LINE_BREAK = "\n"
TAB = "\t"
# Line and paragraph separators break a one-line field (a name) in two on paper.
LINE_SEPARATORS = frozenset({"\u2028", "\u2029"})
# The control characters (Unicode category Cc: C0, DEL and C1), for text that is looked
# up rather than stored (a search, a sign-in name): no stored text holds one.
CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f]")


def check_text(value: str, field: str, *, multiline: bool = False) -> str:
    """`value` unchanged, or InvalidField naming `field` and the character at fault."""
    problem = text_problem(value, multiline=multiline)
    if problem is not None:
        raise InvalidField(field, problem)
    return value


def text_problem(value: str, *, multiline: bool = False) -> str | None:
    """Why `value` cannot be stored as a name or free text; None when it can."""
    for index, char in enumerate(value):
        if char in BIDI_CONTROLS:
            return (
                f"contains an invisible bidirectional control character ({_code(char)}) "
                "that can make the text show in a misleading order"
            )
        if multiline and _allowed_in_free_text(value, index):
            continue
        if not multiline and (char in LINE_SEPARATORS or char in "\r\n"):
            return f"must be on one line (it contains a line break, {_code(char)})"
        if unicodedata.category(char) == "Cc":
            return f"contains an invisible control character ({_code(char)})"
    return None


def _allowed_in_free_text(value: str, index: int) -> bool:
    char = value[index]
    if char in (LINE_BREAK, TAB) or char in LINE_SEPARATORS:
        return True
    # A carriage return only as the first half of a Windows line break.
    return char == "\r" and value[index + 1 : index + 2] == LINE_BREAK


def _code(char: str) -> str:
    return f"U+{ord(char):04X}"
