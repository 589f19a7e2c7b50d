"""The clinic's price list: a price per session for each treatment × region and add-on.

`default_price_list()` reads resources/prices.toml. The storage layer keeps versions of
the list in the database and rebuilds a `PriceList` from its rows with
`PriceList.from_items(version, items)`, so both paths are validated the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from consult import data
from consult.clinical.catalogue import catalogue
from consult.errors import ConsultError, InvalidField
from consult.pricing.money import parse_amount

KINDS = ("region", "addon")
RESOURCE = "prices.toml"


@dataclass(frozen=True)
class PriceItem:
    treatment: str
    kind: str  # "region" or "addon"
    item: str  # region id (catalogue [regions]) or add-on id
    label: str
    unit_price: Decimal  # per session

    def __post_init__(self) -> None:
        where = f"prices.{self.treatment}.{self.item}"
        if self.treatment not in catalogue().treatments:
            raise InvalidField(where, f'"{self.treatment}" is not a treatment')
        if self.kind not in KINDS:
            raise InvalidField(where, f'kind "{self.kind}" is not one of {", ".join(KINDS)}')
        if self.kind == "region" and self.item not in catalogue().regions:
            raise InvalidField(where, f'"{self.item}" is not a priced region')
        if self.kind == "addon" and self.item in catalogue().regions:
            raise InvalidField(where, "an add-on cannot have a region's id")
        if not self.item or not self.label.strip():
            raise InvalidField(where, "needs an id and a label")
        if not isinstance(self.unit_price, Decimal):
            raise InvalidField(where, "the price must be a decimal amount")
        parse_amount(self.unit_price, where)


@dataclass(frozen=True)
class PriceList:
    version: int | None  # the database version; None for the file defaults
    items: Mapping[tuple[str, str], PriceItem] = field(default_factory=dict)

    @classmethod
    def from_items(cls, version: int | None, items: Iterable[PriceItem]) -> PriceList:
        table: dict[tuple[str, str], PriceItem] = {}
        for entry in items:
            key = (entry.treatment, entry.item)
            if key in table:
                raise InvalidField(f"prices.{entry.treatment}.{entry.item}", "is priced twice")
            table[key] = entry
        return cls(version, table)

    def get(self, treatment: str, item: str) -> PriceItem | None:
        return self.items.get((treatment, item))

    def region_price(self, treatment: str, region: str) -> PriceItem:
        entry = self.get(treatment, region)
        if entry is None or entry.kind != "region":
            raise ConsultError(
                f"the price list has no price for {treatment} on the {region} region"
            )
        return entry

    def add_ons(self, treatment: str) -> dict[str, PriceItem]:
        """The add-ons offered with `treatment`, in price-list order."""
        return {
            entry.item: entry
            for (item_treatment, _), entry in self.items.items()
            if item_treatment == treatment and entry.kind == "addon"
        }

    def with_prices(
        self, version: int | None, changes: Mapping[tuple[str, str], Decimal]
    ) -> PriceList:
        """A new version of this list with some unit prices changed (the rest kept)."""
        unknown = [key for key in changes if key not in self.items]
        if unknown:
            treatment, item = unknown[0]
            raise InvalidField(f"prices.{treatment}.{item}", "is not on the price list")
        return PriceList.from_items(
            version,
            (
                PriceItem(e.treatment, e.kind, e.item, e.label, changes.get(key, e.unit_price))
                for key, e in self.items.items()
            ),
        )


@cache
def default_price_list() -> PriceList:
    """The price list in resources/prices.toml."""
    return price_list_from_toml(data.read_toml(RESOURCE))


@cache
def session_name(treatment: str) -> str:
    """How one session of `treatment` is named on a quote line ("micro-needling session")."""
    names = data.read_toml(RESOURCE).get("session_names", {})
    return names.get(treatment) or f"{catalogue().treatments[treatment]} session"


def price_list_from_toml(raw: Mapping[str, Any]) -> PriceList:
    labels = raw.get("add_ons", {})
    if not isinstance(labels, dict):
        raise InvalidField("prices.add_ons", "must be a table of add-on names")
    items: list[PriceItem] = []
    for treatment in catalogue().treatments:
        table = raw.get(treatment)
        if not isinstance(table, dict):
            raise InvalidField(f"prices.{treatment}", "is missing")
        items.extend(_region_items(treatment, table.get("regions")))
        items.extend(_add_on_items(treatment, table.get("add_ons", {}), labels))
    return PriceList.from_items(None, items)


def _region_items(treatment: str, table: Any) -> list[PriceItem]:
    where = f"prices.{treatment}.regions"
    if not isinstance(table, dict):
        raise InvalidField(where, "is missing")
    regions = catalogue().regions
    for key in table:
        if key not in regions:
            raise InvalidField(f"{where}.{key}", "is not a priced region of the catalogue")
    missing = [region for region in regions if region not in table]
    if missing:
        raise InvalidField(f"{where}.{missing[0]}", "has no price")
    return [
        PriceItem(
            treatment, "region", region, label, parse_amount(table[region], f"{where}.{region}")
        )
        for region, label in regions.items()
    ]


def _add_on_items(treatment: str, table: Any, labels: Mapping[str, Any]) -> list[PriceItem]:
    where = f"prices.{treatment}.add_ons"
    if not isinstance(table, dict):
        raise InvalidField(where, "must be a table of add-on prices")
    items = []
    for add_on, price in table.items():
        label = labels.get(add_on)
        if not isinstance(label, str):
            raise InvalidField(f"{where}.{add_on}", "has no name in [add_ons]")
        items.append(
            PriceItem(treatment, "addon", add_on, label, parse_amount(price, f"{where}.{add_on}"))
        )
    return items
