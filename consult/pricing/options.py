"""The choices that shape a quote: add-ons, paying up front, a manual discount, sessions.

A consult/1 file may carry them in an optional top-level `quote` object:

    "quote": {"add_ons": ["numbing"], "pay_upfront": true,
              "manual_discount_percent": "5", "sessions": 5}

`options_from_consultation` reads it and names the field of any bad value
(`quote.add_ons[0]: "gold" is not an add-on`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from consult.clinical.fileformat import Consultation
from consult.errors import InvalidField
from consult.pricing.money import parse_percent
from consult.pricing.prices import PriceList

FILE_KEY = "quote"
MAX_SESSIONS = 24  # two years of monthly sessions; anything more is a typing mistake
_KEYS = ("add_ons", "pay_upfront", "manual_discount_percent", "sessions")


@dataclass(frozen=True)
class QuoteOptions:
    add_ons: tuple[str, ...] = ()
    pay_upfront: bool = False
    manual_discount_percent: Decimal = Decimal(0)
    sessions_override: int | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.manual_discount_percent, Decimal):
            raise InvalidField("manual_discount_percent", "must be a decimal number")
        parse_percent(self.manual_discount_percent, "manual_discount_percent")
        if self.sessions_override is not None:
            check_sessions(self.sessions_override, "sessions")
        if len(set(self.add_ons)) != len(self.add_ons):
            raise InvalidField("add_ons", "lists an add-on twice")


def check_sessions(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_SESSIONS:
        raise InvalidField(field, f"{value!r} must be a whole number from 1 to {MAX_SESSIONS}")
    return value


def check_add_ons(
    add_ons: tuple[str, ...], treatment: str, price_list: PriceList, field: str
) -> None:
    offered = price_list.add_ons(treatment)
    for index, add_on in enumerate(add_ons):
        if add_on not in offered:
            choices = ", ".join(offered) or "none"
            raise InvalidField(
                f"{field}[{index}]",
                f'"{add_on}" is not an add-on (offered with {treatment}: {choices})',
            )


def options_from_consultation(consultation: Consultation, price_list: PriceList) -> QuoteOptions:
    """The quote choices stored in the file's `quote` object; the defaults if it has none."""
    raw = consultation.extra.get(FILE_KEY)
    if raw is None:
        return QuoteOptions()
    if not isinstance(raw, Mapping):
        raise InvalidField(FILE_KEY, "must be an object")
    unknown = sorted(set(raw) - set(_KEYS))
    if unknown:
        raise InvalidField(
            f"{FILE_KEY}.{unknown[0]}", f"is not a quote choice (use {', '.join(_KEYS)})"
        )
    add_ons = _add_ons(raw.get("add_ons", []))
    check_add_ons(add_ons, consultation.treatment, price_list, f"{FILE_KEY}.add_ons")
    pay_upfront = raw.get("pay_upfront", False)
    if not isinstance(pay_upfront, bool):
        raise InvalidField(f"{FILE_KEY}.pay_upfront", f"{pay_upfront!r} must be true or false")
    percent = parse_percent(
        raw.get("manual_discount_percent", "0"), f"{FILE_KEY}.manual_discount_percent"
    )
    sessions = raw.get("sessions")
    if sessions is not None:
        check_sessions(sessions, f"{FILE_KEY}.sessions")
    return QuoteOptions(add_ons, pay_upfront, percent, sessions)


def _add_ons(value: Any) -> tuple[str, ...]:
    field = f"{FILE_KEY}.add_ons"
    if not isinstance(value, list):
        raise InvalidField(field, "must be a list of add-on ids")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise InvalidField(f"{field}[{index}]", f"{item!r} must be an add-on id")
        if item in value[:index]:
            raise InvalidField(f"{field}[{index}]", f'"{item}" is listed twice')
    return tuple(value)
