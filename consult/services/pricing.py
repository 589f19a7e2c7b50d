"""The clinic's settings and price list: read by everyone, changed by a manager."""

from __future__ import annotations

from consult.clinic.settings import ClinicSettings
from consult.pricing import PriceList
from consult.records import StoredSettings
from consult.records.quotes import PriceListInfo
from consult.services.acting import SignedIn, use_case
from consult.storage import prices, settings


@use_case("settings.read")
def clinic_settings(user: SignedIn) -> StoredSettings:
    return settings.get_settings(user.database)


@use_case("settings.edit")
def change_settings(
    user: SignedIn,
    new: ClinicSettings,
    expected_version: int,
    *,
    logo: bytes | None = None,
    keep_logo: bool = True,
) -> StoredSettings:
    return settings.update_settings(
        user.database, user.actor, new, expected_version, logo=logo, keep_logo=keep_logo
    )


@use_case("prices.current")
def current_price_list(user: SignedIn) -> PriceList:
    return prices.current_price_list(user.database)


@use_case("prices.versions")
def price_list_versions(user: SignedIn) -> tuple[PriceListInfo, ...]:
    return tuple(prices.list_versions(user.database))


@use_case("prices.publish")
def publish_price_list(
    user: SignedIn, new: PriceList, note: str = "", based_on: int | None = None
) -> PriceList:
    """A new version of the price list; quotes already made keep the version they used."""
    return prices.new_version(user.database, user.actor, new, note, based_on)
