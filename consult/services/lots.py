"""The clinic's devices and product lots, and the recall search over them.

Devices and lots are entered by a practitioner or a manager (a lot is also added when
a session names one not yet known). `recall` answers a manufacturer's recall notice:
every session that used a lot, with patient, date, practitioner, areas and device; each
search is an audit event, whatever it finds.
"""

from __future__ import annotations

from consult.errors import InvalidField
from consult.records.course import DeviceRecord, LotInput, LotRecord, RecallHit
from consult.services.acting import SignedIn, transaction, use_case
from consult.storage import audit
from consult.storage import course as store


@use_case("lots.register_device")
def register_device(user: SignedIn, name: str, kind: str, serial: str) -> DeviceRecord:
    with transaction(user) as session:
        row = store.add_device(session, name, kind, serial)
        audit.record(
            session,
            user.actor,
            "lots.register_device",
            detail={"device": row.id, "name": row.name, "kind": row.kind, "serial": row.serial},
        )
        return store.device_record(row)


@use_case("lots.devices")
def devices(user: SignedIn) -> tuple[DeviceRecord, ...]:
    with transaction(user) as session:
        return tuple(store.device_record(row) for row in store.all_devices(session))


@use_case("lots.register")
def register_lot(user: SignedIn, lot: LotInput) -> LotRecord:
    """The lot as stored: the existing one when it is already known, else a new one."""
    if not isinstance(lot, LotInput):
        raise InvalidField("lot", "is missing")
    with transaction(user) as session:
        row, added = store.find_or_add_lot(session, lot)
        if added:
            audit.record(
                session,
                user.actor,
                "lots.register",
                detail={"lot": row.id, "number": row.lot_number, "product": row.product},
            )
        return store.lot_record(row)


@use_case("lots.list")
def list_lots(user: SignedIn) -> tuple[LotRecord, ...]:
    """Every lot with how many sessions used it."""
    with transaction(user) as session:
        return tuple(store.lots_with_use(session))


@use_case("lots.recall")
def recall(user: SignedIn, lot_number: str, product: str | None = None) -> tuple[RecallHit, ...]:
    """Every session that used the lot (optionally of one product); audited."""
    with transaction(user) as session:
        hits = store.recall(session, lot_number, product)
        audit.record(
            session,
            user.actor,
            "lots.recall",
            detail={
                "lot": lot_number.strip(),
                "product": product.strip() if product else None,
                "sessions": len(hits),
                "patients": sorted({hit.patient_id for hit in hits}),
            },
        )
        return tuple(hits)
