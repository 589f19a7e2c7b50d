"""Pricing: the clinic's price list and settings, the quote engine and a quote's life.

Money is `decimal.Decimal` throughout, rounded to cents half up at each step (see
consult/pricing/quote.py). The engine is pure: the storage layer persists price-list
versions, settings and quotes, and the app only shows what these functions compute.

The names below are loaded from their modules when first used (PEP 562), so reading
the clinic's settings or price list at start-up does not load the quote engine too.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from consult.clinic.settings import ClinicSettings, default_settings
    from consult.pricing.format import format_money
    from consult.pricing.options import QuoteOptions, options_from_consultation
    from consult.pricing.prices import PriceItem, PriceList, default_price_list
    from consult.pricing.quote import Quote, QuoteLine, build_quote

_HOMES = {
    "ClinicSettings": "consult.clinic.settings",
    "PriceItem": "prices",
    "PriceList": "prices",
    "Quote": "quote",
    "QuoteLine": "quote",
    "QuoteOptions": "options",
    "build_quote": "quote",
    "default_price_list": "prices",
    "default_settings": "consult.clinic.settings",
    "format_money": "format",
    "options_from_consultation": "options",
}
__all__ = [
    "ClinicSettings",
    "PriceItem",
    "PriceList",
    "Quote",
    "QuoteLine",
    "QuoteOptions",
    "build_quote",
    "default_price_list",
    "default_settings",
    "format_money",
    "options_from_consultation",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = home if "." in home else f"{__name__}.{home}"
    value = getattr(import_module(module), name)
    globals()[name] = value  # looked up once
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_HOMES))
