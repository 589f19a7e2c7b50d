"""Text typed into the course, lot and photo forms: a control character (a NUL pasted
from elsewhere, an escape) is refused naming the field, as names and notes elsewhere
are (consult.protection.safe_text); never a database error, which PostgreSQL would
raise for a NUL."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from consult.clinical.fileformat import HistoryEntry
from consult.errors import InvalidField
from consult.records.course import EntryInput
from consult.services import course, lots, photos
from consult.services.course import SessionStart
from tests.helpers import photos as pictures
from tests.helpers.course import FIRST_SESSION, INK, NEEDLES, pen_of, signed_consultation
from tests.helpers.signing import signed_in

NUL = "\x00"


def _refused(field: str):
    return pytest.raises(InvalidField, match=rf"^{field}: contains an invisible control")


def test_device_and_lot_names(pia):
    with _refused("device.name"):
        lots.register_device(pia, f"Skin{NUL}Pen", "mechanical", "SP-1")
    with _refused("device.serial"):
        lots.register_device(pia, "SkinPen", "mechanical", "SP\x1b[2J")
    for field in ("maker", "product", "lot_number"):
        with _refused(f"lot.{field}"):
            lots.register_lot(pia, replace(NEEDLES, **{field: f"NC{NUL}1"}))
    assert lots.devices(pia) == () and lots.list_lots(pia) == ()


def test_a_recall_lookup(pia):
    with _refused("lot"):
        lots.recall(pia, f"NC-2291{NUL}")
    with _refused("product"):
        lots.recall(pia, "NC-2291", f"Nano{NUL}")


def test_what_a_session_records(pia):
    consultation_id = signed_consultation(pia)
    draft = course.start_session(pia, SessionStart(consultation_id, FIRST_SESSION))
    pen = pen_of(pia)
    needling = EntryInput("cheeks", pen.id, erythema=2, needle_lot=NEEDLES,
                          depth_mm=Decimal("1.50"))  # fmt: skip
    with _refused("notes"):
        course.record_entry(pia, draft.id, replace(needling, notes=f"even{NUL}response"))
    rf = lots.register_device(pia, "Genius RF", "rf", "RF-1")
    with _refused("rf_tip"):
        course.record_entry(pia, draft.id, replace(needling, device_id=rf.id, rf_tip=f"T{NUL}49"))
    with _refused("happened"):
        course.record_adverse_event(pia, draft.id, f"Urticaria{NUL}", "Cold compress")
    assert course.open_session(pia, draft.id).entries == ()
    course.record_entry(pia, draft.id, needling)
    signed = course.sign_session(pia, draft.id, INK)
    with _refused("reason"):
        course.amend_session(pia, signed.id, f"Passes were 2{NUL}")


def test_a_session_starts_override_reason_and_changed_history(pia):
    consultation_id = signed_consultation(pia)
    pregnant = {"pregnant": HistoryEntry()}
    start = SessionStart(consultation_id, FIRST_SESSION, changes=pregnant,
                         override_reason=f"Approval{NUL} on file")  # fmt: skip
    with _refused("override_reason"):
        course.start_session(pia, start)
    retinol = {"topical_retinoids": HistoryEntry(note=f"stopped{NUL}")}
    with _refused("changes.topical_retinoids.note"):
        course.start_session(pia, SessionStart(consultation_id, date(2026, 12, 4), changes=retinol))


def test_a_photo_consent_withdrawal_note_and_an_erasure_reason(pia, clinic, manager):
    patient = pictures.signed_consultation(pia).patient_id
    with _refused("note"):
        photos.withdraw_consent(pia, patient, "clinical", f"by phone{NUL}")
    with _refused("reason"):
        photos.erase_photos(signed_in(clinic, manager, "Mara"), patient, f"request{NUL}")
    assert photos.photo_consent(pia, patient).clinical
