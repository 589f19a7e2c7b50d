"""The clinic's settings that shape a quote: currency, locale, tax, discounts, validity.

`ClinicSettings` validates itself when made, so settings read from resources/clinic.toml,
from the database or typed in the app's Settings dialog are checked the same way, and a
bad value is an `InvalidField` naming it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import Any

from consult import data
from consult.errors import InvalidField
from consult.photos.limits import check_long_edge
from consult.pricing.format import check_locale
from consult.pricing.money import parse_decimal, parse_percent
from consult.protection.safe_text import check_text

# ISO 4217 currencies whose money has cents (two minor digits). Currencies without cents
# (JPY, KRW, …) or with three (KWD, BHD, …) are left out: quotes are priced in cents.
CURRENCIES = frozenset(
    """
    AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BRL BSD BTN BWP
    BYN BZD CAD CDF CHF CNY COP CRC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP
    GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT
    LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN
    NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP
    SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD UYU UZS VES
    WST XCD YER ZAR ZMW
    """.split()
)
_CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")
# The longest each text may be: the address in a text column, the others in the
# clinic_settings columns' widths (a storage test keeps them in step; PostgreSQL refuses
# a longer value).
LONGEST = {"name": 200, "address": 500, "phone": 50, "email": 200}
MAX_VALIDITY_DAYS = 365
MAX_IDLE_LOCK_MINUTES = 240


@dataclass(frozen=True)
class ClinicSettings:
    # The clinic's identity has no default: until it is entered (first-start set-up or
    # the Settings dialog) it is empty, and documents say "clinic not set up" rather
    # than print invented details.
    name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    currency: str = "USD"
    locale: str = "en_US"
    tax_rate: Decimal = Decimal(0)  # a fraction: 0.0825 is 8.25 %
    course_discount_percent: Decimal = Decimal(10)
    manual_discount_limit_percent: Decimal = Decimal(10)
    quote_validity_days: int = 30
    idle_lock_minutes: int = 5
    # IANA zone ("Europe/Lisbon") dates and times on screen and paper are in; "" until
    # the clinic is set up (the machine's own zone is used meanwhile).
    time_zone: str = ""
    # Stored photographs are scaled down to this long edge, in pixels.
    photo_long_edge: int = 4000

    def __post_init__(self) -> None:
        for key, longest in LONGEST.items():
            _check_text(getattr(self, key), key, longest, multiline=key == "address")
        if self.email and "@" not in self.email:
            raise InvalidField("email", f'"{self.email}" is not an e-mail address')
        _check_currency(self.currency)
        check_locale(self.locale)
        _check_tax_rate(self.tax_rate)
        for key in ("course_discount_percent", "manual_discount_limit_percent"):
            if not isinstance(getattr(self, key), Decimal):
                raise InvalidField(key, "must be a decimal number")
            parse_percent(getattr(self, key), key)
        _check_whole(self.quote_validity_days, "quote_validity_days", 1, MAX_VALIDITY_DAYS)
        _check_whole(self.idle_lock_minutes, "idle_lock_minutes", 1, MAX_IDLE_LOCK_MINUTES)
        _check_time_zone(self.time_zone)
        check_long_edge(self.photo_long_edge)

    @property
    def is_set_up(self) -> bool:
        """The clinic's name, address and phone have been entered: its letterhead.

        Sealing asks for more (the time zone its records are dated in too):
        consult.clinic.setup.require_set_up.
        """
        return all(value.strip() for value in (self.name, self.address, self.phone))

    @property
    def tax_percent(self) -> Decimal:
        return self.tax_rate * 100

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ClinicSettings:
        """Settings from a TOML table, a database row or a form: numbers may be text."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise InvalidField(unknown[0], "is not a clinic setting")
        converted: dict[str, Any] = dict(values)
        if "tax_rate" in values:
            converted["tax_rate"] = parse_decimal(values["tax_rate"], "tax_rate")
        for key in ("course_discount_percent", "manual_discount_limit_percent"):
            if key in values:
                converted[key] = parse_decimal(values[key], key)
        return cls(**converted)


def check_name(name: str) -> str:
    """A clinic name someone typed: required wherever it is entered."""
    if not name.strip():
        raise InvalidField("name", "must not be empty")
    return name


def default_settings() -> ClinicSettings:
    """The settings in resources/clinic.toml (no clinic identity: it is set up, not shipped)."""
    return ClinicSettings.from_mapping(data.read_toml("clinic.toml"))


def _check_text(value: Any, field: str, longest: int, *, multiline: bool) -> None:
    if not isinstance(value, str):
        raise InvalidField(field, "must be text")
    if len(value) > longest:
        raise InvalidField(field, f"is longer than {longest} characters")
    check_text(value, field, multiline=multiline)


def _check_time_zone(name: Any) -> None:
    if not isinstance(name, str):
        raise InvalidField("time_zone", "must be text")
    if not name:
        return
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidField(
            "time_zone", f'"{name}" is not a time zone (an IANA name, like Europe/Lisbon)'
        ) from None


def _check_currency(code: Any) -> None:
    if not isinstance(code, str) or not _CURRENCY_CODE.match(code):
        raise InvalidField(
            "currency", f'"{code}" is not a currency code (three capitals, like USD)'
        )
    if code not in CURRENCIES:
        raise InvalidField("currency", f'"{code}" is not a known currency with cents')


def _check_tax_rate(rate: Any) -> None:
    if not isinstance(rate, Decimal):
        raise InvalidField("tax_rate", "must be a decimal number")
    if not rate.is_finite() or not 0 <= rate < 1:
        raise InvalidField(
            "tax_rate", f'"{rate}" must be a fraction from 0 up to 1 (0.0825 is 8.25 %)'
        )


def _check_whole(value: Any, field: str, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidField(field, f"{value!r} must be a whole number from {low} to {high}")
