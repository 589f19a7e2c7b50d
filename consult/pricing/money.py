"""Decimal money: rounding to cents, reading amounts and percentages from files and forms.

Money is always `decimal.Decimal`, never float. Every amount the product shows or stores
is rounded to cents with ROUND_HALF_UP (the rounding people learn at school and the one
a patient checks with a calculator), one step at a time; see consult/pricing/quote.py.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from consult.errors import InvalidField

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal(100)
# Far above any real price; keeps every sum well inside Decimal's 28 significant digits.
MAX_AMOUNT = Decimal("1000000.00")
_DECIMAL_TEXT = re.compile(r"^-?\d+(\.\d+)?$")


def cents(value: Decimal) -> Decimal:
    """`value` rounded to cents, half up; never a negative zero."""
    rounded = value.quantize(CENT, rounding=ROUND_HALF_UP)
    return ZERO if rounded == 0 else rounded


def money_text(value: Decimal) -> str:
    """The JSON form of an amount: a string with exactly two decimal places ("199.00")."""
    return f"{cents(value):f}"


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent` % of `amount`, rounded to cents."""
    return cents(amount * percent / HUNDRED)


def parse_decimal(value: Any, field: str) -> Decimal:
    """A decimal from a TOML/JSON/form value: text ("12.50"), a whole number, or a float.

    Floats are accepted because someone editing a TOML file may write 0.0825 without
    quotes; they are read through their shortest text form, so 0.0825 is exactly 0.0825.
    """
    if isinstance(value, bool):
        raise InvalidField(field, f"{value!r} is not a number")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str) and _DECIMAL_TEXT.match(value.strip()):
        number = Decimal(value.strip())
    else:
        raise InvalidField(field, f"{_show(value)} is not a number")
    if not number.is_finite():
        raise InvalidField(field, f"{_show(value)} is not a number")
    return number


def parse_amount(value: Any, field: str) -> Decimal:
    """A price: 0 or more, at most two decimal places, returned with exactly two."""
    number = parse_decimal(value, field)
    if number < 0:
        raise InvalidField(field, f"{_show(value)} must not be negative")
    if number > MAX_AMOUNT:
        raise InvalidField(field, f"{_show(value)} is more than {MAX_AMOUNT}")
    try:
        exact = number.quantize(CENT)
    except InvalidOperation:
        raise InvalidField(field, f"{_show(value)} is not an amount") from None
    if exact != number:
        raise InvalidField(field, f"{_show(value)} has more than two decimal places")
    return exact


def parse_percent(value: Any, field: str) -> Decimal:
    """A percentage from 0 to 100, in hundredths at most (12.5 or 8.25, not 8.255): as
    percentages are stored, and a tax rate (a fraction) keeps four places."""
    number = parse_decimal(value, field)
    if not 0 <= number <= HUNDRED:
        raise InvalidField(field, f"{_show(value)} must be between 0 and 100")
    if number != number.quantize(CENT):
        raise InvalidField(field, f"{_show(value)} has more than two decimal places")
    return number


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)
