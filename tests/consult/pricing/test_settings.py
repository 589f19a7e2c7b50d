"""Clinic settings: the shipped defaults and validation naming the field."""

from decimal import Decimal

import pytest

from consult import data
from consult.clinic.settings import ClinicSettings, check_name, default_settings
from consult.errors import InvalidField


def test_default_settings_come_from_clinic_toml():
    settings = default_settings()
    raw = data.read_toml("clinic.toml")
    assert settings.currency == raw["currency"]
    assert settings.currency == "USD"
    assert settings.locale == "en_US"
    # No tax by default, so `consult quote` prints predictable totals.
    assert settings.tax_rate == Decimal(0)
    assert settings.course_discount_percent == Decimal(10)
    assert settings.manual_discount_limit_percent == Decimal(10)
    assert settings.quote_validity_days == 30
    assert settings.idle_lock_minutes == 5
    assert isinstance(settings.tax_rate, Decimal)


def test_from_mapping_reads_text_and_floats_exactly():
    settings = ClinicSettings.from_mapping(
        {"tax_rate": 0.0825, "course_discount_percent": "12.5", "manual_discount_limit_percent": 15}
    )
    assert settings.tax_rate == Decimal("0.0825")
    assert settings.tax_percent == Decimal("8.25")
    assert settings.course_discount_percent == Decimal("12.5")
    assert settings.manual_discount_limit_percent == Decimal(15)


@pytest.mark.parametrize(
    ("values", "field", "problem"),
    [
        ({"tax_rate": "-0.01"}, "tax_rate", "fraction from 0 up to 1"),
        ({"tax_rate": "8.25"}, "tax_rate", "fraction from 0 up to 1"),
        ({"tax_rate": "lots"}, "tax_rate", "is not a number"),
        ({"course_discount_percent": "101"}, "course_discount_percent", "between 0 and 100"),
        (
            {"manual_discount_limit_percent": "-5"},
            "manual_discount_limit_percent",
            "between 0 and 100",
        ),
        ({"currency": "usd"}, "currency", "is not a currency code"),
        ({"currency": "XYZ"}, "currency", "not a known currency"),
        ({"currency": "JPY"}, "currency", "not a known currency with cents"),
        ({"locale": "en_ZZ"}, "locale", "is not one of"),
        ({"quote_validity_days": 0}, "quote_validity_days", "from 1 to 365"),
        ({"quote_validity_days": "30"}, "quote_validity_days", "whole number"),
        ({"idle_lock_minutes": True}, "idle_lock_minutes", "whole number"),
        ({"email": "clinic.example.org"}, "email", "not an e-mail address"),
        ({"phone": "555\x00"}, "phone", "control character (U+0000)"),
        ({"name": "Clinic \u202e"}, "name", "bidirectional control character (U+202E)"),
        ({"colour": "pink"}, "colour", "is not a clinic setting"),
    ],
)
def test_bad_values_name_the_field(values, field, problem):
    with pytest.raises(InvalidField) as caught:
        ClinicSettings.from_mapping(values)
    assert caught.value.field == field
    assert problem in str(caught.value)


def test_constructing_directly_validates_too():
    with pytest.raises(InvalidField, match=r"^tax_rate:"):
        ClinicSettings(tax_rate=Decimal("-0.1"))
    with pytest.raises(InvalidField, match=r"^course_discount_percent: must be a decimal"):
        ClinicSettings(course_discount_percent=10.0)  # a float is refused: money is Decimal


def test_no_invented_clinic_identity_is_shipped():
    settings = default_settings()
    raw = data.read_toml("clinic.toml")
    assert not {"name", "address", "phone", "email"} & set(raw)
    assert (settings.name, settings.address, settings.phone, settings.email) == ("", "", "", "")
    assert not settings.is_set_up


@pytest.mark.parametrize(
    ("values", "set_up"),
    [
        ({"name": "Glow Skin Clinic", "address": "12 High Street", "phone": "+1 555 0199"}, True),
        ({"name": "Glow Skin Clinic", "address": "12 High Street"}, False),
        ({"name": "  ", "address": "12 High Street", "phone": "+1 555 0199"}, False),
    ],
)
def test_set_up_needs_name_address_and_phone(values, set_up):
    assert ClinicSettings.from_mapping(values).is_set_up is set_up


def test_a_typed_clinic_name_is_required():
    with pytest.raises(InvalidField) as caught:
        check_name("   ")
    assert str(caught.value) == "name: must not be empty"
    assert check_name("Glow") == "Glow"
