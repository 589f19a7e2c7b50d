"""Reading dates typed by hand: ISO (2026-11-20) or day first (20/11/2026)."""

from __future__ import annotations

import re
from datetime import date

from consult.errors import InvalidField

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")
HINT = "DD/MM/YYYY or YYYY-MM-DD"


def parse_date(text: str, field: str, *, required: bool = False) -> date | None:
    typed = text.strip()
    if not typed:
        if required:
            raise InvalidField(field, "is required")
        return None
    if match := _ISO.match(typed):
        year, month, day = (int(part) for part in match.groups())
    elif match := _DAY_FIRST.match(typed):
        day, month, year = (int(part) for part in match.groups())
    else:
        raise InvalidField(field, f'"{typed}" is not a date (use {HINT})')
    try:
        return date(year, month, day)
    except ValueError:
        raise InvalidField(field, f'"{typed}" is not a date in the calendar') from None


def show_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""
