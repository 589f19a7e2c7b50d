"""Quote choices carried in a consult/1 file's optional `quote` object."""

import json
from decimal import Decimal

import pytest

from consult.clinical import fileformat
from consult.errors import InvalidField
from consult.pricing.options import QuoteOptions, options_from_consultation


def _with_quote(examples, quote):
    document = json.loads((examples / "acne-scars.json").read_text(encoding="utf-8"))
    document["quote"] = quote
    return fileformat.loads(json.dumps(document))


def test_no_quote_object_gives_the_defaults(acne_scars, prices):
    assert options_from_consultation(acne_scars, prices) == QuoteOptions()


def test_every_choice_is_read(examples, prices):
    chosen = _with_quote(
        examples,
        {
            "add_ons": ["numbing", "serum"],
            "pay_upfront": True,
            "manual_discount_percent": "5",
            "sessions": 5,
        },
    )
    assert options_from_consultation(chosen, prices) == QuoteOptions(
        add_ons=("numbing", "serum"),
        pay_upfront=True,
        manual_discount_percent=Decimal(5),
        sessions_override=5,
    )


def test_the_quote_object_round_trips_through_the_file(examples):
    quote = {"add_ons": ["led"], "pay_upfront": False}
    chosen = _with_quote(examples, quote)
    assert json.loads(fileformat.dumps(chosen))["quote"] == quote


@pytest.mark.parametrize(
    ("quote", "field", "problem"),
    [
        ({"add_ons": ["gold"]}, "quote.add_ons[0]", '"gold" is not an add-on'),
        ({"add_ons": ["led", "gold"]}, "quote.add_ons[1]", '"gold" is not an add-on'),
        ({"add_ons": "numbing"}, "quote.add_ons", "must be a list"),
        ({"add_ons": [3]}, "quote.add_ons[0]", "must be an add-on id"),
        ({"add_ons": ["led", "led"]}, "quote.add_ons[1]", "listed twice"),
        ({"pay_upfront": "yes"}, "quote.pay_upfront", "must be true or false"),
        ({"manual_discount_percent": "120"}, "quote.manual_discount_percent", "between 0 and 100"),
        ({"manual_discount_percent": "five"}, "quote.manual_discount_percent", "is not a number"),
        ({"sessions": 0}, "quote.sessions", "from 1 to 24"),
        ({"sessions": 4.5}, "quote.sessions", "whole number"),
        ({"coupon": "SPRING"}, "quote.coupon", "is not a quote choice"),
        ("cheap", "quote", "must be an object"),
    ],
)
def test_bad_choices_name_the_field(examples, prices, quote, field, problem):
    chosen = _with_quote(examples, quote)
    with pytest.raises(InvalidField) as caught:
        options_from_consultation(chosen, prices)
    assert caught.value.field == field
    assert problem in str(caught.value)
