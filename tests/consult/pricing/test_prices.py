"""The price list: the shipped prices, validation naming the entry, versions."""

import tomllib
from decimal import Decimal

import pytest

from consult import data
from consult.clinical.catalogue import catalogue
from consult.errors import ConsultError, InvalidField
from consult.pricing.prices import PriceItem, PriceList, price_list_from_toml, session_name


def test_every_treatment_prices_every_region(prices):
    for treatment in catalogue().treatments:
        for region, label in catalogue().regions.items():
            item = prices.region_price(treatment, region)
            assert item.kind == "region"
            assert item.label == label
            assert item.unit_price > 0
            assert item.unit_price == item.unit_price.quantize(Decimal("0.01"))


def test_seed_prices_for_mechanical_micro_needling(prices):
    assert prices.region_price("microneedling", "face").unit_price == Decimal("199.00")
    assert prices.region_price("microneedling", "neck").unit_price == Decimal("75.00")
    assert prices.region_price("microneedling", "chest").unit_price == Decimal("199.00")


def test_rf_is_priced_higher_on_every_region(prices):
    for region in catalogue().regions:
        rf = prices.region_price("rf_microneedling", region).unit_price
        mechanical = prices.region_price("microneedling", region).unit_price
        assert rf > mechanical, region


def test_add_ons_are_offered_with_both_treatments(prices):
    for treatment in catalogue().treatments:
        add_ons = prices.add_ons(treatment)
        assert set(add_ons) == {"numbing", "serum", "led"}
        assert all(item.kind == "addon" and item.unit_price > 0 for item in add_ons.values())
    assert prices.add_ons("microneedling")["numbing"].label == "Numbing cream before each session"


def test_default_list_has_no_version(prices):
    assert prices.version is None


def test_session_names():
    assert session_name("microneedling") == "micro-needling session"
    assert session_name("rf_microneedling") == "RF micro-needling session"


def _raw_prices() -> dict:
    # A fresh, mutable copy of the shipped file.
    return tomllib.loads(data.read_text("prices.toml"))


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        (
            lambda raw: raw["microneedling"]["regions"].update(face="-1.00"),
            "prices.microneedling.regions.face",
            "must not be negative",
        ),
        (
            lambda raw: raw["microneedling"]["regions"].update(neck="75.001"),
            "prices.microneedling.regions.neck",
            "more than two decimal places",
        ),
        (
            lambda raw: raw["rf_microneedling"]["regions"].pop("legs"),
            "prices.rf_microneedling.regions.legs",
            "has no price",
        ),
        (
            lambda raw: raw["microneedling"]["regions"].update(ears="10.00"),
            "prices.microneedling.regions.ears",
            "not a priced region",
        ),
        (
            lambda raw: raw["microneedling"]["add_ons"].update(gold="10.00"),
            "prices.microneedling.add_ons.gold",
            "has no name in [add_ons]",
        ),
        (
            lambda raw: raw["microneedling"]["add_ons"].update(serum="ten"),
            "prices.microneedling.add_ons.serum",
            "is not a number",
        ),
        (lambda raw: raw.pop("rf_microneedling"), "prices.rf_microneedling", "is missing"),
    ],
)
def test_bad_price_file_names_the_entry(change, field, problem):
    raw = _raw_prices()
    change(raw)
    with pytest.raises(InvalidField) as caught:
        price_list_from_toml(raw)
    assert caught.value.field == field
    assert problem in str(caught.value)


def test_rows_rebuild_a_price_list():
    rows = [
        PriceItem("microneedling", "region", "face", "Face", Decimal("210.00")),
        PriceItem("microneedling", "addon", "numbing", "Numbing cream", Decimal("20.00")),
    ]
    rebuilt = PriceList.from_items(3, rows)
    assert rebuilt.version == 3
    assert rebuilt.region_price("microneedling", "face").unit_price == Decimal("210.00")
    assert list(rebuilt.add_ons("microneedling")) == ["numbing"]


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        (("laser", "region", "face", "Face", Decimal(1)), '"laser" is not a treatment'),
        (("microneedling", "bundle", "face", "Face", Decimal(1)), 'kind "bundle"'),
        (("microneedling", "region", "ears", "Ears", Decimal(1)), "not a priced region"),
        (("microneedling", "addon", "face", "Face", Decimal(1)), "cannot have a region's id"),
        (("microneedling", "region", "face", "Face", Decimal("1.005")), "more than two decimal"),
        (("microneedling", "region", "face", "Face", 199.0), "must be a decimal amount"),
    ],
)
def test_a_bad_row_names_the_entry(item, problem):
    with pytest.raises(InvalidField) as caught:
        PriceItem(*item)
    assert caught.value.field == f"prices.{item[0]}.{item[2]}"
    assert problem in str(caught.value)


def test_a_row_priced_twice_is_refused():
    row = PriceItem("microneedling", "region", "face", "Face", Decimal("1.00"))
    with pytest.raises(InvalidField, match="is priced twice"):
        PriceList.from_items(1, [row, row])


def test_missing_region_price_is_a_clear_error():
    empty = PriceList.from_items(1, [])
    with pytest.raises(ConsultError, match="no price for microneedling on the face region"):
        empty.region_price("microneedling", "face")


def test_with_prices_makes_a_new_version_and_leaves_the_old_one(prices):
    v2 = prices.with_prices(2, {("microneedling", "face"): Decimal("249.00")})
    assert v2.version == 2
    assert v2.region_price("microneedling", "face").unit_price == Decimal("249.00")
    assert prices.region_price("microneedling", "face").unit_price == Decimal("199.00")
    assert v2.region_price("microneedling", "neck") == prices.region_price("microneedling", "neck")
    with pytest.raises(InvalidField, match="is not on the price list"):
        prices.with_prices(3, {("microneedling", "ears"): Decimal(1)})
