"""Money written the way the clinic's country writes it, without a locale library.

A small table covers the locales a clinic can choose. Symbol and number are joined with a
no-break space where the locale puts a space, and French digit groups use one too, so a
PDF or a narrow table cell never breaks "1 234,50 €" across two lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from consult.errors import InvalidField
from consult.pricing.money import cents

NBSP = "\u00a0"


@dataclass(frozen=True)
class MoneyStyle:
    group: str
    decimal: str
    symbol_first: bool
    space: str  # between symbol and number


LOCALES: dict[str, MoneyStyle] = {
    "en_US": MoneyStyle(",", ".", symbol_first=True, space=""),
    "en_GB": MoneyStyle(",", ".", symbol_first=True, space=""),
    "de_DE": MoneyStyle(".", ",", symbol_first=False, space=NBSP),
    "fr_FR": MoneyStyle(NBSP, ",", symbol_first=False, space=NBSP),
    "it_IT": MoneyStyle(".", ",", symbol_first=False, space=NBSP),
    "nl_NL": MoneyStyle(".", ",", symbol_first=True, space=NBSP),
    "pt_BR": MoneyStyle(".", ",", symbol_first=True, space=NBSP),
}

# Currencies with a well-known symbol; any other is written with its ISO code.
SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "BRL": "R$"}

_GROUPS = re.compile(r"(\d)(?=(\d{3})+$)")


def check_locale(locale: str, field: str = "locale") -> str:
    if locale not in LOCALES:
        raise InvalidField(field, f'"{locale}" is not one of {", ".join(LOCALES)}')
    return locale


def format_money(amount: Decimal, currency: str, locale: str) -> str:
    """`amount` rounded to cents and written for `locale`: en_US "$1,234.50", de_DE "1.234,50 €"."""
    style = LOCALES[check_locale(locale)]
    value = cents(amount)
    whole, fraction = f"{abs(value):f}".split(".")
    number = _GROUPS.sub(lambda match: match.group(1) + "\0", whole).replace("\0", style.group)
    number = f"{number}{style.decimal}{fraction}"
    symbol = SYMBOLS.get(currency)
    if symbol is None:
        symbol, space = currency, NBSP  # an ISO code always needs a space: "CHF 12.00"
    else:
        space = style.space
    text = f"{symbol}{space}{number}" if style.symbol_first else f"{number}{space}{symbol}"
    return f"-{text}" if value < 0 else text


def format_percent(value: Decimal) -> str:
    """10 → "10 %", 8.250 → "8.25 %" (no trailing zeros, never an exponent)."""
    return f"{value.normalize():f} %"
