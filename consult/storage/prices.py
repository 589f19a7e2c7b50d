"""Price-list versions: the current list, its history, and a manager's new version.

A change never edits a price in place: it writes a whole new version, and each quote
names the version it was priced with, so an old quote never changes. The first
version is written when a new database is opened, from resources/prices.toml.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from consult.access import Actor, require
from consult.errors import ConsultError, InvalidField
from consult.pricing.prices import PriceItem, PriceList, default_price_list
from consult.storage import audit
from consult.storage.db import Database
from consult.storage.models import PriceItem as PriceItemRow
from consult.storage.models import PriceListVersion

SEEDED_BY = "resources/prices.toml"
MAX_NOTE = 500


@dataclass(frozen=True)
class PriceListInfo:
    id: int
    created_at: datetime
    created_by: str
    note: str
    items: int


def seed_if_empty(db: Database) -> None:
    """Write the first price list and the settings row of a new database."""
    from consult.storage import settings

    with db.Session.begin() as session:
        settings.seed_if_missing(session)
        if session.scalar(select(func.count()).select_from(PriceListVersion)):
            return
        _add_version(session, default_price_list().items.values(), SEEDED_BY, "initial prices")


def current_price_list(db: Database) -> PriceList:
    """The newest price list (what new quotes are priced with)."""
    with db.Session() as session:
        newest = session.scalar(select(func.max(PriceListVersion.id)))
        if newest is None:
            raise ConsultError("the database has no price list")
        return _load(session, newest)


def price_list(db: Database, version_id: int) -> PriceList:
    """A given version, such as the one an old quote was priced with."""
    with db.Session() as session:
        return _load(session, version_id)


def list_versions(db: Database) -> list[PriceListInfo]:
    """Every version, newest first."""
    with db.Session() as session:
        counts = (
            select(PriceItemRow.version_id, func.count().label("item_count"))
            .group_by(PriceItemRow.version_id)
            .subquery()
        )
        rows = session.execute(
            select(PriceListVersion, counts.c.item_count)
            .join(counts, counts.c.version_id == PriceListVersion.id)
            .order_by(PriceListVersion.id.desc())
        )
        return [PriceListInfo(v.id, v.created_at, v.created_by, v.note, items) for v, items in rows]


def new_version(
    db: Database, actor: Actor, prices: PriceList, note: str = "", based_on: int | None = None
) -> PriceList:
    """Save `prices` as the new current list.

    `based_on` is the version the manager started editing; if someone saved a newer one
    meanwhile, the save is refused rather than silently undoing their change.
    """
    require(actor, "prices.edit")
    if len(note) > MAX_NOTE:
        raise InvalidField("note", f"is longer than {MAX_NOTE} characters")
    if not prices.items:
        raise InvalidField("prices", "a price list needs at least one price")
    with db.Session.begin() as session:
        newest = session.scalar(select(func.max(PriceListVersion.id)))
        if based_on is not None and newest != based_on:
            author = session.scalar(
                select(PriceListVersion.created_by).where(PriceListVersion.id == newest)
            )
            who = "you, in another window" if author == actor.username else author
            raise ConsultError(
                f"the price list was changed by {who} (now version {newest}); "
                "reopen it and make your changes again"
            )
        version = _add_version(session, prices.items.values(), actor.username, note.strip())
        audit.record(
            session,
            actor,
            "prices.new_version",
            detail={"version": version.id, "based_on": newest, "items": len(prices.items)},
        )
        return _load(session, version.id)


def _add_version(
    session: Session, items: Iterable[PriceItem], created_by: str, note: str
) -> PriceListVersion:
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


def _load(session: Session, version_id: int) -> PriceList:
    version = session.scalar(
        select(PriceListVersion)
        .where(PriceListVersion.id == version_id)
        .options(selectinload(PriceListVersion.items))
    )
    if version is None:
        raise ConsultError(f"price list version {version_id} does not exist")
    return PriceList.from_items(
        version.id,
        (
            PriceItem(row.treatment, row.kind, row.item, row.label, row.unit_price)
            for row in version.items
        ),
    )
