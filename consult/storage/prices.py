"""Price-list versions: the current list, its history, and a manager's new version.

A change never edits a price in place: it writes a whole new version, and each quote
names the version it was priced with, so an old quote never changes. The first
version is written from resources/prices.toml when a new database is opened
(consult.storage.seeding).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from consult.access import Actor, require
from consult.errors import ConsultError, InvalidField
from consult.pricing.prices import PriceItem, PriceList
from consult.protection.safe_text import check_text
from consult.records.quotes import PriceListInfo
from consult.storage import audit
from consult.storage.db import Database
from consult.storage.models import PriceItem as PriceItemRow
from consult.storage.models import PriceListVersion
from consult.storage.seeding import add_price_list_version

MAX_NOTE = 500


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
    check_text(note, "note")
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
        version = add_price_list_version(
            session, prices.items.values(), actor.username, note.strip()
        )
        audit.record(
            session,
            actor,
            "prices.new_version",
            detail={"version": version.id, "based_on": newest, "items": len(prices.items)},
        )
        return _load(session, version.id)


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
