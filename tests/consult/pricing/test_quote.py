"""The quote engine on known cases: the spec example, discounts, tax, blocked areas."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from consult.clinic.settings import ClinicSettings
from consult.errors import InvalidField
from consult.pricing.options import QuoteOptions
from consult.pricing.prices import PriceItem, PriceList
from consult.pricing.quote import build_quote
from tests.consult.pricing.builders import ACNE_SCARS_QUOTE

D = Decimal


def test_spec_example_acne_scars(acne_scars, prices, settings):
    quote = build_quote(acne_scars, prices, settings)
    assert quote.to_json() == ACNE_SCARS_QUOTE


def test_every_face_zone_is_one_face_line(consultation, prices, settings):
    chosen = consultation(
        ("chin", ("acne_scars",)), ("nose", ("enlarged_pores",)), ("cheeks", ("texture",))
    )
    quote = build_quote(chosen, prices, settings)
    assert [line.item for line in quote.lines] == ["face"]
    assert quote.lines[0].description == "Face — chin, nose, cheeks: micro-needling session"
    assert quote.lines[0].quantity == 4  # the face's most demanding concern: acne scars


def test_each_region_gets_its_own_sessions(consultation, prices, settings):
    chosen = consultation(("cheeks", ("texture",)), ("abdomen", ("stretch_marks",)))
    quote = build_quote(chosen, prices, settings)
    by_item = {line.item: line for line in quote.lines}
    assert by_item["face"].quantity == 3  # rejuvenation
    assert by_item["abdomen"].quantity == quote.sessions  # stretch marks set the course
    assert quote.sessions > 3


def test_rf_uses_rf_prices(consultation, prices, settings):
    chosen = consultation(("jawline", ("laxity",)), treatment="rf_microneedling")
    line = build_quote(chosen, prices, settings).lines[0]
    assert line.unit_price == prices.region_price("rf_microneedling", "face").unit_price
    assert line.description == "Face — jawline: RF micro-needling session"


def test_blocked_areas_are_left_out(acne_scars, prices, settings):
    quote = build_quote(acne_scars, prices, settings, blocked_areas=("neck",))
    assert [line.item for line in quote.lines] == ["face"]
    assert quote.total == D("796.00")


def test_a_blocked_face_zone_leaves_the_others(acne_scars, prices, settings):
    quote = build_quote(acne_scars, prices, settings, blocked_areas=("cheeks",))
    assert quote.lines[0].description == "Face — forehead: micro-needling session"


def test_every_area_blocked_gives_an_empty_quote(acne_scars, prices, settings):
    options = QuoteOptions(add_ons=("numbing",), pay_upfront=True)
    quote = build_quote(acne_scars, prices, settings, options, ("cheeks", "forehead", "neck"))
    assert quote.lines == ()
    assert quote.sessions == 0
    assert (quote.subtotal, quote.discount, quote.tax, quote.total) == (D("0.00"),) * 4
    assert quote.to_json()["total"] == "0.00"


def test_add_ons_run_for_every_session(acne_scars, prices, settings):
    quote = build_quote(acne_scars, prices, settings, QuoteOptions(add_ons=("numbing", "led")))
    numbing, led = quote.lines[2:]
    assert (numbing.kind, numbing.item, numbing.quantity, numbing.amount) == (
        "addon",
        "numbing",
        4,
        D("100.00"),
    )
    assert (led.item, led.amount) == ("led", D("140.00"))
    assert quote.subtotal == D("1336.00")


def test_unknown_add_on_names_the_field(acne_scars, prices, settings):
    with pytest.raises(InvalidField, match=r'^add_ons\[1\]: "gold" is not an add-on'):
        build_quote(acne_scars, prices, settings, QuoteOptions(add_ons=("serum", "gold")))


def test_course_discount_only_when_paid_up_front(acne_scars, prices, settings):
    assert build_quote(acne_scars, prices, settings).discount == D("0.00")
    quote = build_quote(acne_scars, prices, settings, QuoteOptions(pay_upfront=True))
    assert quote.course_discount == D("109.60")
    assert quote.discount == D("109.60")
    assert quote.total == D("986.40")


def test_discounts_and_tax_round_half_up_at_each_step(acne_scars, prices):
    settings = replace_settings(tax_rate=D("0.0825"), course_discount_percent=D("7.5"))
    options = QuoteOptions(pay_upfront=True, manual_discount_percent=D("2.5"))
    quote = build_quote(acne_scars, prices, settings, options)
    assert quote.course_discount == D("82.20")  # 1096 × 7.5 % = 82.20
    assert quote.manual_discount == D("27.40")  # 1096 × 2.5 % = 27.40
    assert quote.taxable == D("986.40")
    assert quote.tax == D("81.38")  # 986.40 × 8.25 % = 81.378 → 81.38
    assert quote.total == D("1067.78")


@pytest.mark.parametrize(
    ("tax_rate", "tax"),
    # 100.00 × rate is exactly half a cent; half up rounds it away from zero where
    # banker's rounding (half even) would round 0.025 and 0.045 down.
    [("0.00025", "0.03"), ("0.00045", "0.05"), ("0.00015", "0.02")],
)
def test_a_half_cent_rounds_up(consultation, settings, tax_rate, tax):
    settings = replace(settings, tax_rate=D(tax_rate))
    neck = consultation(("neck", ("texture",)))
    one_session = QuoteOptions(sessions_override=1)
    quote = build_quote(neck, _neck_only_prices(D("100.00")), settings, one_session)
    assert quote.subtotal == D("100.00")
    assert quote.tax == D(tax)


def test_discounts_never_make_the_total_negative(acne_scars, prices, settings):
    options = QuoteOptions(pay_upfront=True, manual_discount_percent=D(100))
    quote = build_quote(acne_scars, prices, settings, options)
    assert quote.course_discount == D("109.60")
    assert quote.manual_discount == D("986.40")  # capped at what is left
    assert quote.discount == quote.subtotal
    assert quote.total == D("0.00")


@pytest.mark.parametrize(
    ("percent", "needs_approval"),
    [("9.99", False), ("10", False), ("10.00", False), ("10.01", True), ("0", False)],
)
def test_manager_approval_above_the_limit(acne_scars, prices, settings, percent, needs_approval):
    options = QuoteOptions(manual_discount_percent=D(percent))
    assert build_quote(acne_scars, prices, settings, options).needs_approval is needs_approval


def test_course_discount_does_not_need_approval(acne_scars, prices):
    settings = replace_settings(course_discount_percent=D(25))
    quote = build_quote(acne_scars, prices, settings, QuoteOptions(pay_upfront=True))
    assert quote.needs_approval is False


@pytest.mark.parametrize("percent", ["-1", "100.5"])
def test_manual_discount_outside_0_to_100_is_refused(percent):
    with pytest.raises(InvalidField, match=r"^manual_discount_percent: .* between 0 and 100"):
        QuoteOptions(manual_discount_percent=D(percent))


def test_sessions_override_replaces_every_quantity(acne_scars, prices, settings):
    quote = build_quote(
        acne_scars, prices, settings, QuoteOptions(add_ons=("serum",), sessions_override=6)
    )
    assert quote.sessions == 6
    assert [line.quantity for line in quote.lines] == [6, 6, 6]
    assert quote.lines[0].amount == D("1194.00")


@pytest.mark.parametrize("sessions", [0, 25, True])
def test_sessions_override_must_be_sensible(sessions):
    with pytest.raises(InvalidField, match=r"^sessions: "):
        QuoteOptions(sessions_override=sessions)


def test_valid_until_counts_from_the_consultation(acne_scars, prices, settings):
    settings = replace(settings, quote_validity_days=14)
    assert build_quote(acne_scars, prices, settings).valid_until == date(2026, 12, 4)


def test_quote_keeps_the_prices_of_its_price_list_version(acne_scars, prices, settings):
    v1 = prices.with_prices(1, {})
    quote_v1 = build_quote(acne_scars, v1, settings)
    v2 = v1.with_prices(
        2, {("microneedling", "face"): D("249.00"), ("microneedling", "neck"): D("80.00")}
    )
    quote_v2 = build_quote(acne_scars, v2, settings)
    assert quote_v1.price_list_version == 1
    assert quote_v1.lines[0].unit_price == D("199.00")
    assert quote_v1.total == D("1096.00")
    assert quote_v2.price_list_version == 2
    assert quote_v2.total == D("1316.00")  # 249 × 4 + 80 × 4
    # Pricing again with v1 after v2 exists still gives v1's quote.
    assert build_quote(acne_scars, v1, settings) == quote_v1


def test_currency_comes_from_the_settings(acne_scars, prices):
    quote = build_quote(acne_scars, prices, replace_settings(currency="EUR", locale="de_DE"))
    assert quote.currency == "EUR"


def replace_settings(**changes):
    return replace(ClinicSettings(tax_rate=D(0)), **changes)


def _neck_only_prices(price):
    return PriceList.from_items(7, [PriceItem("microneedling", "region", "neck", "Neck", price)])
