"""A treatment course set up through the real services, for the course's tests.

`signed_course` signs a consultation for a patient (cheeks, acne scars, 20 Nov 2026),
registers a device, and leaves one signed session (or a draft) with the plan's other
sessions proposed as bookings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import Any

from consult.records.course import DeviceRecord, EntryInput, LotInput, SessionRecord
from consult.services import bookings, course, lots, signing
from consult.services.acting import SignedIn
from consult.services.course import SessionStart
from consult.services.signing import SigningRequest
from tests.consult.clinical.factory import consultation
from tests.consult.documents.pdfs import signature_png

INK = signature_png()
NEEDLES = LotInput("Dermaworks", "Nano 12 cartridge", "cartridge", "NC-2291", date(2027, 6, 30))
FIRST_SESSION = date(2026, 11, 20)


@dataclass(frozen=True)
class Course:
    user: SignedIn
    consultation_id: int
    patient_id: int
    device: DeviceRecord
    session: SessionRecord


def signed_consultation(user: SignedIn, name: str = "Ana Souza", **history: Any) -> int:
    file = consultation(history or None)
    file = replace(file, patient=replace(file.patient, name=name))
    return signing.sign(user, SigningRequest(file, True, False, INK, INK)).consultation_id


def pen_of(user: SignedIn) -> DeviceRecord:
    """The clinic's SkinPen, registered the first time it is asked for."""
    for device in lots.devices(user):
        if device.serial == "SP-1001":
            return device
    return lots.register_device(user, "SkinPen Precision", "mechanical", "SP-1001")


def signed_course(user: SignedIn, name: str = "Ana Souza", *, sign: bool = True) -> Course:
    consultation_id = signed_consultation(user, name)
    pen = pen_of(user)
    draft = course.start_session(user, SessionStart(consultation_id, FIRST_SESSION))
    record = course.record_entry(
        user,
        draft.id,
        EntryInput("cheeks", pen.id, erythema=2, needle_lot=NEEDLES, depth_mm=Decimal("1.50")),
    )
    if sign:
        record = course.sign_session(user, draft.id, INK)
    bookings.propose_from_plan(user, consultation_id)
    return Course(user, consultation_id, record.patient_id, pen, record)
