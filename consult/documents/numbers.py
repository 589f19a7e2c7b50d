"""Document numbers: one per sealed version, never two versions with the same number.

A number is the document kind's prefix, the clinic's local date and 40 random bits in
Crockford's base 32 (no I, L, O or U to misread): `CS-20261206-7K3QX-9MDE2`. It is made
before the PDF is built (the number is printed on every page and sealed with it), so it
cannot come from a database sequence without holding the clinic's write lock while a
document is sealed; 40 random bits a day make a clash vanishingly unlikely, and the
database's unique index on stored numbers refuses one if it ever happened.
"""

from __future__ import annotations

import secrets
from datetime import date

PREFIXES = {"consent": "CS", "plan": "TP", "session": "SR", "progress": "PR"}
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_document_number(kind: str, day: date) -> str:
    value = secrets.randbits(40)
    digits = "".join(_ALPHABET[(value >> shift) & 31] for shift in range(35, -1, -5))
    return f"{PREFIXES[kind]}-{day:%Y%m%d}-{digits[:4]}-{digits[4:]}"
