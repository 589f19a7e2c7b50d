"""Document numbers: one per sealed version, never two versions with the same number.

A number is the document kind's prefix, the clinic's local date and 40 random bits in
Crockford's base 32 (no I, L, O or U to misread): `CS-20261206-ZRR8-YKAX`. It is made
before the PDF is built (the number is printed on every page and sealed with it), so it
cannot come from a database sequence without holding the clinic's write lock while a
document is sealed; 40 random bits a day make a clash vanishingly unlikely, and the
database's unique index on stored numbers refuses one if it ever happened.
"""

from __future__ import annotations

import re
import secrets
from datetime import date

from consult.errors import InvalidField

PREFIXES = {"consent": "CS", "plan": "TP", "session": "SR", "progress": "PR"}
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_SHAPE = re.compile(r"^(?P<prefix>[A-Z]{2})-\d{8}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def check_document_number(number: str, kind: str, field: str) -> str:
    """`number` if it is a well-formed number of a `kind` document."""
    match = _SHAPE.match(number)
    if match is None or match["prefix"] != PREFIXES[kind]:
        raise InvalidField(field, f'"{number}" is not a {kind} document number')
    return number


def new_document_number(kind: str, day: date) -> str:
    value = secrets.randbits(40)
    digits = "".join(_ALPHABET[(value >> shift) & 31] for shift in range(35, -1, -5))
    return f"{PREFIXES[kind]}-{day:%Y%m%d}-{digits[:4]}-{digits[4:]}"
