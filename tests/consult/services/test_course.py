"""The course after the consent: sessions, lots and recall, through the services."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from consult.clinical.fileformat import HistoryEntry
from consult.documents.certificate import load_certificate
from consult.documents.verify import verify_pdf
from consult.errors import ConsultError, InvalidField, PermissionDenied
from consult.records.course import EntryInput, LotInput
from consult.services import course, lots, signing
from consult.services.course import SessionStart
from consult.services.signing import SigningRequest
from consult.storage.models import AuditEvent
from consult.storage.models.course import TreatmentSession
from tests.consult.clinical.factory import consultation
from tests.consult.documents.pdfs import signature_png, text_of
from tests.helpers.signing import signed_in

INK = signature_png()
CONSULTED = date(2026, 11, 20)
FIRST = date(2026, 11, 27)
NEEDLES = LotInput("Dermaworks", "Nano 12 cartridge", "cartridge", "NC-2291", date(2027, 6, 30))
OLD_SERUM = LotInput("Lumen Labs", "HA serum", "serum", "HA-0042", date(2026, 10, 31))


@pytest.fixture
def pen(pia):
    return lots.register_device(pia, "SkinPen Precision", "mechanical", "SP-1001")


def signed_consultation(user, name: str = "Ana Souza", history=None) -> int:
    file = consultation(history)
    file = replace(file, patient=replace(file.patient, name=name))
    request = SigningRequest(file, True, False, INK, INK)
    return signing.sign(user, request).consultation_id


def entry(device_id: int, **changes) -> EntryInput:
    values = dict(
        area="cheeks", device_id=device_id, erythema=2, needle_lot=NEEDLES,
        depth_mm=Decimal("1.50"), passes=3, pinpoint_bleeding=True, notes="even response",
    )
    values.update(changes)
    return EntryInput(**values)


def audit_actions(db) -> list[str]:
    with db.Session() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_session_is_recorded_signed_sealed_and_then_immutable(pia, pen, clinic, tmp_path):
    consultation_id = signed_consultation(pia)
    draft = course.start_session(pia, SessionStart(consultation_id, FIRST))
    assert (draft.status, draft.areas, draft.verdict) == ("draft", ("cheeks",), "proceed")
    recorded = course.record_entry(pia, draft.id, entry(pen.id))
    (only,) = recorded.entries
    assert only.needle_lot.lot_number == "NC-2291"
    assert (only.depth_outside_plan, only.expired_lot) == (False, False)
    assert only.planned_min_mm <= only.depth_mm <= only.planned_max_mm

    signed = course.sign_session(pia, draft.id, INK)
    assert signed.status == "signed"
    assert signed.document_number.startswith("SR-")
    pdf = course.session_pdf(pia, draft.id)
    assert verify_pdf(pdf, load_certificate()).signer  # `consult verify` accepts it
    words = " ".join(text_of(pdf, tmp_path).split())
    for expected in ("Treatment session record", "Ana Souza", "NC-2291", "1.50 mm",
                     "SkinPen Precision", signed.document_number, "erythema 2 of 3"):
        assert expected in words

    with pytest.raises(ConsultError, match="signed and cannot change"):
        course.record_entry(pia, draft.id, entry(pen.id, depth_mm=Decimal("1.00")))
    with pytest.raises(DBAPIError, match="append-only"), clinic.engine.begin() as connection:
        connection.execute(
            text("UPDATE treatment_sessions SET session_date = :d WHERE id = :id"),
            {"d": date(2026, 12, 1), "id": draft.id},
        )
    with pytest.raises(DBAPIError, match="append-only"), clinic.engine.begin() as connection:
        connection.execute(text("UPDATE session_entries SET passes = 9"))
    with pytest.raises(DBAPIError, match="append-only"), clinic.engine.begin() as connection:
        connection.execute(text("DELETE FROM treatment_sessions WHERE id = :id"), {"id": draft.id})
    assert {"course.start", "course.record_entry", "course.sign", "course.view_pdf"} <= set(
        audit_actions(clinic)
    )


def test_the_rescreening_counts_windows_from_the_session_date(pia, clinic):
    consultation_id = signed_consultation(pia)
    retinol = {"topical_retinoids": HistoryEntry(date=FIRST - timedelta(days=3))}
    with pytest.raises(ConsultError, match=r"re-screening .defer. blocks cheeks"):
        course.start_session(pia, SessionStart(consultation_id, FIRST, changes=retinol))
    later = course.start_session(
        pia, SessionStart(consultation_id, FIRST + timedelta(days=7), changes=retinol)
    )
    assert later.verdict == "proceed"
    assert later.changes == ("topical_retinoids",)


def test_an_override_lets_a_blocked_session_start_and_is_audited(pia, clinic):
    consultation_id = signed_consultation(pia)
    changes = {"pregnant": HistoryEntry()}
    started = course.start_session(
        pia, SessionStart(consultation_id, FIRST, changes=changes,
                          override_reason="Obstetrician's written approval on file")
    )
    assert started.verdict == "defer"
    assert started.override_reason == "Obstetrician's written approval on file"
    assert "screening.override" in audit_actions(clinic)


def test_depth_outside_the_plan_and_an_expired_lot_need_confirmation_and_are_flagged(pia, pen):
    consultation_id = signed_consultation(pia)
    draft = course.start_session(pia, SessionStart(consultation_id, FIRST))
    with pytest.raises(InvalidField, match=r"^depth_mm: 3.50 mm is outside the plan"):
        course.record_entry(pia, draft.id, entry(pen.id, depth_mm=Decimal("3.50")))
    with pytest.raises(InvalidField, match=r"^confirm_expired_lot: HA serum lot HA-0042"):
        course.record_entry(pia, draft.id, entry(pen.id, serum_lot=OLD_SERUM))
    confirmed = course.record_entry(
        pia, draft.id,
        entry(pen.id, depth_mm=Decimal("3.50"), serum_lot=OLD_SERUM,
              confirm_outside_plan=True, confirm_expired_lot=True),
    )
    (only,) = confirmed.entries
    assert (only.depth_outside_plan, only.expired_lot) == (True, True)
    summary = course.list_sessions(pia, confirmed.patient_id)
    assert [item.flagged for item in summary] == [True]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"erythema": 4}, "erythema"),
        ({"depth_mm": None}, "depth_mm"),
        ({"area": "forehead"}, "area"),
        ({"rf_energy": "level 3"}, "rf_energy"),
        ({"needle_lot": replace(NEEDLES, kind="serum")}, "needle_lot.kind"),
        ({"needle_lot": replace(NEEDLES, lot_number=" ")}, "needle_lot.lot_number"),
    ],
)
def test_bad_entries_are_refused_naming_the_field(pia, pen, changes, field):
    consultation_id = signed_consultation(pia)
    draft = course.start_session(pia, SessionStart(consultation_id, FIRST))
    with pytest.raises(InvalidField) as refused:
        course.record_entry(pia, draft.id, entry(pen.id, **changes))
    assert refused.value.field == field


def test_signing_needs_ink_and_the_treating_practitioner(pia, pen, clinic, other_practitioner):
    consultation_id = signed_consultation(pia)
    draft = course.start_session(pia, SessionStart(consultation_id, FIRST))
    with pytest.raises(ConsultError, match="at least one area"):
        course.sign_session(pia, draft.id, INK)
    course.record_entry(pia, draft.id, entry(pen.id))
    blank = signature_png(colour=(255, 255, 255))
    with pytest.raises(InvalidField, match=r"^practitioner_signature: the signature is blank"):
        course.sign_session(pia, draft.id, blank)
    olga = signed_in(clinic, other_practitioner, "Olga")
    with pytest.raises(InvalidField, match=r"^practitioner: "):
        course.sign_session(olga, draft.id, INK)
    with clinic.Session() as session:
        assert session.get(TreatmentSession, draft.id).status == "draft"


def test_a_correction_is_an_amendment_linked_to_the_sealed_original(pia, pen, tmp_path):
    consultation_id = signed_consultation(pia)
    draft = course.start_session(pia, SessionStart(consultation_id, FIRST))
    course.record_entry(pia, draft.id, entry(pen.id))
    original = course.sign_session(pia, draft.id, INK)
    with pytest.raises(InvalidField, match=r"^reason: "):
        course.amend_session(pia, original.id, "  ")
    amendment = course.amend_session(pia, original.id, "Passes were 2, not 3")
    assert (amendment.status, amendment.amends_id) == ("draft", original.id)
    assert [e.passes for e in amendment.entries] == [3]
    course.record_entry(pia, amendment.id, entry(pen.id, passes=2))
    signed = course.sign_session(pia, amendment.id, INK)
    words = " ".join(text_of(course.session_pdf(pia, signed.id), tmp_path).split())
    assert f"amends document {original.document_number}" in words
    assert course.open_session(pia, original.id).entries[0].passes == 3
    recalled = lots.recall(pia, "NC-2291")
    assert [(hit.session_id, hit.amends_id) for hit in recalled] == [
        (original.id, None), (signed.id, original.id),
    ]


def test_adverse_events_are_kept_with_what_was_done(pia, pen, clinic):
    consultation_id = signed_consultation(pia)
    draft = course.start_session(pia, SessionStart(consultation_id, FIRST))
    with pytest.raises(InvalidField, match=r"^action_taken: "):
        course.record_adverse_event(pia, draft.id, "Urticaria on the left cheek", "")
    record = course.record_adverse_event(
        pia, draft.id, "Urticaria on the left cheek", "Cold compress; antihistamine given"
    )
    (event,) = record.adverse_events
    assert event.action_taken == "Cold compress; antihistamine given"
    with pytest.raises(DBAPIError, match="append-only"), clinic.engine.begin() as connection:
        connection.execute(text("UPDATE adverse_events SET happened = 'nothing'"))


def test_lots_count_their_sessions_and_recall_finds_every_patient(pia, pen, clinic, manager):
    sessions = []
    for name in ("Ana Souza", "Björn Åkesson"):
        consultation_id = signed_consultation(pia, name)
        draft = course.start_session(pia, SessionStart(consultation_id, FIRST))
        course.record_entry(pia, draft.id, entry(pen.id))
        sessions.append(course.sign_session(pia, draft.id, INK))
    lots.register_lot(pia, replace(NEEDLES, lot_number="NC-3000"))
    counted = {lot.lot_number: lot.sessions_used for lot in lots.list_lots(pia)}
    assert counted == {"NC-2291": 2, "NC-3000": 0}

    mara = signed_in(clinic, manager, "Mara")
    hits = lots.recall(mara, "nc-2291", product="Nano 12 Cartridge")
    assert [(hit.patient_name, hit.session_date, hit.areas) for hit in hits] == [
        ("Ana Souza", FIRST, ("cheeks",)), ("Björn Åkesson", FIRST, ("cheeks",)),
    ]
    assert hits[0].devices == ("SkinPen Precision (SP-1001)",)
    assert lots.recall(mara, "NC-2291", product="Other") == ()
    with clinic.Session() as session:
        recalls = session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "lots.recall")
        )
    assert recalls == 2


def test_a_lot_typed_again_is_the_same_lot_and_a_clash_is_refused(pia):
    first = lots.register_lot(pia, NEEDLES)
    assert lots.register_lot(pia, replace(NEEDLES, maker=" Dermaworks ")).id == first.id
    with pytest.raises(InvalidField, match=r"^lot.expiry: lot NC-2291"):
        lots.register_lot(pia, replace(NEEDLES, expiry=date(2028, 1, 1)))
    with pytest.raises(InvalidField, match=r"^device.kind: "):
        lots.register_device(pia, "Morpheus8", "laser", "M8-1")


def test_reception_never_sees_the_clinical_record(pia, pen, clinic, reception):
    consultation_id = signed_consultation(pia)
    draft = course.start_session(pia, SessionStart(consultation_id, FIRST))
    rita = signed_in(clinic, reception, "Rita")
    for call in (
        lambda: course.open_session(rita, draft.id),
        lambda: course.list_sessions(rita, draft.patient_id),
        lambda: lots.recall(rita, "NC-2291"),
        lambda: lots.list_lots(rita),
    ):
        with pytest.raises(PermissionDenied):
            call()


def test_every_view_of_a_session_record_is_audited(pia, clinic):
    consultation_id = signed_consultation(pia)
    draft = course.start_session(pia, SessionStart(consultation_id, FIRST))
    before = audit_actions(clinic).count("course.view")
    course.open_session(pia, draft.id)
    course.open_session(pia, draft.id)
    assert audit_actions(clinic).count("course.view") == before + 2


def test_a_sealed_record_altered_in_the_database_is_refused(pia, pen, clinic):
    consultation_id = signed_consultation(pia)
    draft = course.start_session(pia, SessionStart(consultation_id, FIRST))
    course.record_entry(pia, draft.id, entry(pen.id))
    course.sign_session(pia, draft.id, INK)
    with clinic.engine.begin() as connection:
        # Someone with the database drops the guard first, then edits the record.
        if clinic.dialect == "postgresql":
            connection.execute(text("DROP TRIGGER treatment_sessions_signed ON treatment_sessions"))
        else:
            connection.execute(text("DROP TRIGGER treatment_sessions_signed_no_update"))
        connection.execute(
            text("UPDATE treatment_sessions SET pdf = :pdf WHERE id = :id"),
            {"pdf": b"%PDF-1.7 forged", "id": draft.id},
        )
    with pytest.raises(ConsultError, match="does not match its fingerprint"):
        course.session_pdf(pia, draft.id)
