"""Cents, half-up rounding and reading amounts and percentages."""

from decimal import Decimal

import pytest

from consult.errors import InvalidField
from consult.pricing.money import cents, money_text, parse_amount, parse_decimal, parse_percent


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0.005", "0.01"),  # half up, not half even
        ("0.015", "0.02"),
        ("0.025", "0.03"),
        ("2.675", "2.68"),
        ("0.0049", "0.00"),
        ("-0.001", "0.00"),  # never a negative zero
        ("1234.5", "1234.50"),
    ],
)
def test_cents_rounds_half_up(value, expected):
    assert money_text(cents(Decimal(value))) == expected


def test_money_text_has_two_places_and_no_exponent():
    assert money_text(Decimal("1E+3")) == "1000.00"
    assert money_text(Decimal(0)) == "0.00"


@pytest.mark.parametrize(
    ("value", "expected"), [("199.00", "199.00"), ("75", "75.00"), (12, "12.00")]
)
def test_parse_amount_accepts_prices(value, expected):
    assert str(parse_amount(value, "price")) == expected


def test_parse_amount_reads_a_float_exactly():
    assert parse_amount(19.99, "price") == Decimal("19.99")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("-1.00", "must not be negative"),
        ("19.999", "more than two decimal places"),
        ("abc", "is not a number"),
        ("1e3", "is not a number"),
        (True, "is not a number"),
        (None, "is not a number"),
        ("NaN", "is not a number"),
        ("99999999", "is more than"),
    ],
)
def test_parse_amount_names_the_field(value, problem):
    with pytest.raises(InvalidField) as caught:
        parse_amount(value, "prices.microneedling.regions.face")
    assert caught.value.field == "prices.microneedling.regions.face"
    assert problem in str(caught.value)


def test_parse_decimal_rejects_infinity():
    with pytest.raises(InvalidField, match="is not a number"):
        parse_decimal(Decimal("Infinity"), "x")


@pytest.mark.parametrize("value", ["-0.01", "100.01", "150"])
def test_parse_percent_is_zero_to_a_hundred(value):
    with pytest.raises(InvalidField, match="between 0 and 100"):
        parse_percent(value, "manual_discount_percent")


@pytest.mark.parametrize("value", ["12.345", "8.255", "0.001"])
def test_parse_percent_keeps_hundredths_at_most(value):
    """As percentages are stored (two places; a tax rate, a fraction, keeps four)."""
    with pytest.raises(InvalidField, match="has more than two decimal places"):
        parse_percent(value, "course_discount_percent")


def test_parse_percent_keeps_fractions():
    assert parse_percent("12.5", "p") == Decimal("12.5")
