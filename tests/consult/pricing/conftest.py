"""Fixtures for the pricing tests."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest

from consult.clinic.settings import ClinicSettings
from consult.clinical.fileformat import Consultation, load
from consult.pricing.prices import PriceList, default_price_list
from tests.consult.pricing.builders import make_consultation


@pytest.fixture
def consultation() -> Callable[..., Consultation]:
    return make_consultation


@pytest.fixture
def acne_scars(examples) -> Consultation:
    return load(examples / "acne-scars.json")


@pytest.fixture
def prices() -> PriceList:
    return default_price_list()


@pytest.fixture
def settings() -> ClinicSettings:
    """No tax, 10 % off for paying up front, approval above 10 %: fixed for the tests."""
    return ClinicSettings(
        tax_rate=Decimal(0),
        course_discount_percent=Decimal(10),
        manual_discount_limit_percent=Decimal(10),
        quote_validity_days=30,
    )
