"""Pricing: the clinic's price list and settings, the quote engine and a quote's life.

Money is `decimal.Decimal` throughout, rounded to cents half up at each step (see
consult/pricing/quote.py). The engine is pure: the storage layer persists price-list
versions, settings and quotes, and the app only shows what these functions compute.
"""

from consult.pricing.format import format_money
from consult.pricing.options import QuoteOptions, options_from_consultation
from consult.pricing.prices import PriceItem, PriceList, default_price_list
from consult.pricing.quote import Quote, QuoteLine, build_quote
from consult.pricing.settings import ClinicSettings, default_settings

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
