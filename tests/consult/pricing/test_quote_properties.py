"""Invariants of every quote, over generated consultations, prices, settings and choices."""

import json
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from consult.clinic.settings import ClinicSettings
from consult.clinical.catalogue import catalogue
from consult.pricing.options import QuoteOptions
from consult.pricing.prices import default_price_list
from consult.pricing.quote import build_quote
from tests.consult.pricing.builders import make_consultation

CENT = Decimal("0.01")
AREAS = sorted(catalogue().areas)
CONCERNS = sorted(catalogue().concerns)
ADD_ONS = sorted(default_price_list().add_ons("microneedling"))
MONEY_KEYS = ("subtotal", "discount", "tax", "total", "course_discount", "manual_discount")


def decimals(low: str, high: str, places: int) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=Decimal(low), max_value=Decimal(high), places=places)


@st.composite
def cases(draw):
    areas = draw(st.lists(st.sampled_from(AREAS), min_size=1, max_size=6, unique=True))
    requests = [
        (area, tuple(draw(st.lists(st.sampled_from(CONCERNS), max_size=3, unique=True))))
        for area in areas
    ]
    treatment = draw(st.sampled_from(sorted(catalogue().treatments)))
    consultation = make_consultation(*requests, treatment=treatment)
    base = default_price_list()
    changes = {
        key: draw(decimals("0", "9999.99", 2))
        for key in draw(st.sets(st.sampled_from(sorted(base.items))))
    }
    prices = base.with_prices(draw(st.integers(1, 1000)), changes)
    clinic = ClinicSettings(
        tax_rate=draw(decimals("0", "0.3", 4)),
        course_discount_percent=draw(decimals("0", "100", 2)),
        manual_discount_limit_percent=draw(decimals("0", "100", 2)),
        quote_validity_days=draw(st.integers(1, 365)),
    )
    options = QuoteOptions(
        add_ons=tuple(draw(st.lists(st.sampled_from(ADD_ONS), unique=True))),
        pay_upfront=draw(st.booleans()),
        manual_discount_percent=draw(decimals("0", "100", 2)),
        sessions_override=draw(st.none() | st.integers(1, 24)),
    )
    blocked = tuple(draw(st.lists(st.sampled_from(areas), unique=True)))
    return consultation, prices, clinic, options, blocked


@settings(max_examples=300, deadline=None)
@given(cases())
def test_quote_invariants(case):
    consultation, prices, clinic, options, blocked = case
    quote = build_quote(consultation, prices, clinic, options, blocked)
    for line in quote.lines:
        assert line.amount == line.unit_price * line.quantity
        assert line.quantity >= 1
        # Prices come from the list the quote was built with, and only from it.
        assert line.unit_price == prices.items[(consultation.treatment, line.item)].unit_price
    assert quote.subtotal == sum((line.amount for line in quote.lines), Decimal(0))
    assert quote.discount == quote.course_discount + quote.manual_discount
    assert quote.taxable == quote.subtotal - quote.discount
    assert quote.total == quote.subtotal - quote.discount + quote.tax
    money = [
        quote.subtotal,
        quote.course_discount,
        quote.manual_discount,
        quote.discount,
        quote.tax,
        quote.total,
    ]
    money += [line.amount for line in quote.lines] + [line.unit_price for line in quote.lines]
    assert all(value >= 0 for value in money)
    assert all(value == value.quantize(CENT) for value in money)
    assert quote.needs_approval == (
        options.manual_discount_percent > clinic.manual_discount_limit_percent
    )
    assert quote.price_list_version == prices.version
    treated = [request.area for request in consultation.areas if request.area not in blocked]
    assert {line.item for line in quote.lines if line.kind == "region"} == {
        catalogue().region_of(area) for area in treated
    }


@settings(max_examples=200, deadline=None)
@given(cases())
def test_json_has_two_place_money_strings_and_no_floats(case):
    consultation, prices, clinic, options, blocked = case
    document = build_quote(consultation, prices, clinic, options, blocked).to_json()
    text = json.dumps(document)
    assert not _floats_in(document)
    assert not _floats_in(json.loads(text))
    for key in MONEY_KEYS:
        assert _two_places(document[key]), key
    for line in document["lines"]:
        assert _two_places(line["unit_price"]) and _two_places(line["amount"])
        assert isinstance(line["quantity"], int)


def _two_places(text: str) -> bool:
    if not isinstance(text, str):
        return False
    whole, _, fraction = text.partition(".")
    return whole.isdigit() and len(fraction) == 2 and fraction.isdigit()


def _floats_in(value) -> bool:
    if isinstance(value, float):
        return True
    if isinstance(value, dict):
        return any(_floats_in(item) for item in value.values())
    if isinstance(value, list):
        return any(_floats_in(item) for item in value)
    return False
