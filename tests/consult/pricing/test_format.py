"""Money in the clinic's locale, without a locale library."""

from decimal import Decimal

import pytest

from consult.errors import InvalidField
from consult.pricing.format import format_money, format_percent

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("currency", "locale", "expected"),
    [
        ("USD", "en_US", "$1,234.50"),
        ("GBP", "en_GB", "£1,234.50"),
        ("EUR", "de_DE", "1.234,50 €"),
        ("EUR", "fr_FR", "1 234,50 €"),
        ("BRL", "pt_BR", "R$ 1.234,50"),
        ("EUR", "it_IT", "1.234,50 €"),
        ("EUR", "nl_NL", "€ 1.234,50"),
        ("CHF", "en_US", "CHF 1,234.50"),  # no symbol known: the ISO code and a space
        ("CHF", "de_DE", "1.234,50 CHF"),
    ],
)
def test_locales(currency, locale, expected):
    # Spaces in the output are no-break spaces so amounts never wrap.
    assert format_money(Decimal("1234.5"), currency, locale) == expected.replace(" ", NBSP)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", "$0.00"),
        ("5", "$5.00"),
        ("999.999", "$1,000.00"),
        ("1234567.891", "$1,234,567.89"),
        ("-119.6", "-$119.60"),
    ],
)
def test_grouping_rounding_and_sign(amount, expected):
    assert format_money(Decimal(amount), "USD", "en_US") == expected


def test_negative_after_the_number_locale():
    assert format_money(Decimal("-1234.5"), "EUR", "de_DE") == f"-1.234,50{NBSP}€"


def test_unknown_locale_names_the_field():
    with pytest.raises(InvalidField, match=r'^locale: "xx_XX" is not one of en_US'):
        format_money(Decimal(1), "USD", "xx_XX")


@pytest.mark.parametrize(("value", "expected"), [("10", "10 %"), ("8.250", "8.25 %"), ("0", "0 %")])
def test_format_percent(value, expected):
    assert format_percent(Decimal(value)) == expected
