"""What a new clinic database starts with: the settings row and the first price list.

`Database.open` calls `seed` once the schema is current, so this is the one place a
database is seeded (as opening and migrating have theirs in consult.storage.db). It
writes through the models with the shipped defaults (resources/clinic.toml and
resources/prices.toml) and imports no repository: the repositories depend on the
database, so the database must not depend on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import fields
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.clinic.settings import ClinicSettings, default_settings
from consult.pricing.prices import PriceItem, default_price_list
from consult.storage.models import ClinicSettings as SettingsRow
from consult.storage.models import PriceItem as PriceItemRow
from consult.storage.models import PriceListVersion

# The clinic settings table holds one row (a CHECK constraint keeps it so).
SETTINGS_ROW_ID = 1
PRICES_SEEDED_BY = "resources/prices.toml"


def seed(session: Session) -> None:
    """Write the settings row and the first price list, each only if missing."""
    _seed_settings(session)
    if session.scalar(select(func.count()).select_from(PriceListVersion)):
        return
    add_price_list_version(
        session, default_price_list().items.values(), PRICES_SEEDED_BY, "initial prices"
    )


def add_price_list_version(
    session: Session, items: Iterable[PriceItem], created_by: str, note: str
) -> PriceListVersion:
    """Store `items` as a new price list version (the first one, or a manager's)."""
    version = PriceListVersion(created_at=datetime.now(UTC), created_by=created_by, note=note)
    version.items = [
        PriceItemRow(
            treatment=item.treatment,
            kind=item.kind,
            item=item.item,
            label=item.label,
            unit_price=item.unit_price,
        )
        for item in items
    ]
    session.add(version)
    session.flush()
    return version


def _seed_settings(session: Session) -> None:
    if session.get(SettingsRow, SETTINGS_ROW_ID) is not None:
        return
    defaults = default_settings()
    values = {f.name: getattr(defaults, f.name) for f in fields(ClinicSettings)}
    session.add(SettingsRow(id=SETTINGS_ROW_ID, **values))
