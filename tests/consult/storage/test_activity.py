"""Printing and screening overrides leave audit events; a signed quote is presented."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from consult.access import Actor
from consult.clinical.fileformat import AreaRequest, Consultation
from consult.errors import ConsultError, InvalidField, PermissionDenied
from consult.pricing.options import QuoteOptions
from consult.pricing.quote import build_quote
from consult.storage import Database, activity, audit, consultations, patients, prices, quotes
from consult.storage.models import AuditEvent
from consult.storage.settings import get_settings


@pytest.fixture
def visit(db: Database, practitioner: Actor, ana) -> tuple[int, int]:
    """(patient id, consultation id) of a draft consultation made today."""
    patient = patients.create_patient(db, practitioner, ana)
    consultation = Consultation(
        date.today(), ana, "microneedling", (AreaRequest("cheeks", ("acne_scars",)),)
    )
    return patient.id, consultations.create_draft(db, practitioner, patient.id, consultation).id


def _events(db: Database, action: str) -> list[AuditEvent]:
    with db.Session() as session:
        return list(
            session.scalars(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


def test_printing_a_document_is_audited_with_who_what_and_which_patient(
    db: Database, practitioner: Actor, visit: tuple[int, int]
):
    patient_id, consultation_id = visit
    activity.record_print(
        db,
        practitioner,
        patient_id=patient_id,
        document_kind="plan",
        consultation_id=consultation_id,
    )
    [event] = _events(db, "documents.print")
    assert (event.username, event.workstation, event.patient_id) == (
        "pia",
        "test-workstation",
        patient_id,
    )
    assert json.loads(event.detail) == {"consultation": consultation_id, "kind": "plan"}
    assert audit.verify_chain(db) == []


def test_printing_needs_the_print_permission(
    db: Database, reception: Actor, visit: tuple[int, int]
):
    patient_id, consultation_id = visit
    with pytest.raises(PermissionDenied, match=r"documents: print"):
        activity.record_print(
            db,
            reception,
            patient_id=patient_id,
            document_kind="consent",
            consultation_id=consultation_id,
        )
    assert _events(db, "documents.print") == []


def test_a_print_names_a_known_document_of_that_patient(
    db: Database, practitioner: Actor, visit: tuple[int, int]
):
    patient_id, consultation_id = visit
    with pytest.raises(InvalidField, match=r"document_kind.*receipt"):
        activity.record_print(
            db,
            practitioner,
            patient_id=patient_id,
            document_kind="receipt",
            consultation_id=consultation_id,
        )
    with pytest.raises(InvalidField, match=r"consultation_id"):
        activity.record_print(
            db,
            practitioner,
            patient_id=patient_id + 1,
            document_kind="consent",
            consultation_id=consultation_id,
        )
    with pytest.raises(ConsultError, match=r"consultation 999 does not exist"):
        activity.record_print(
            db, practitioner, patient_id=patient_id, document_kind="consent", consultation_id=999
        )
    assert _events(db, "documents.print") == []


def test_a_saved_copy_is_audited_as_an_export_with_its_file_name(
    db: Database, practitioner: Actor, reception: Actor, visit: tuple[int, int]
):
    patient_id, consultation_id = visit
    target = {
        "patient_id": patient_id,
        "document_kind": "consent",
        "consultation_id": consultation_id,
    }
    activity.record_export(db, practitioner, **target, file_name="consent-Ana-Souza.pdf")
    [event] = _events(db, "documents.export")
    assert (event.username, event.patient_id) == ("pia", patient_id)
    assert json.loads(event.detail) == {
        "consultation": consultation_id,
        "kind": "consent",
        "file": "consent-Ana-Souza.pdf",
    }
    with pytest.raises(InvalidField, match=r"file_name"):
        activity.record_export(db, practitioner, **target, file_name="  ")
    with pytest.raises(PermissionDenied):
        activity.record_export(db, reception, **target, file_name="copy.pdf")
    assert len(_events(db, "documents.export")) == 1


def test_a_screening_override_keeps_the_verdict_and_the_reason(
    db: Database, practitioner: Actor, visit: tuple[int, int]
):
    patient_id, consultation_id = visit
    activity.record_screening_override(
        db,
        practitioner,
        patient_id=patient_id,
        consultation_id=consultation_id,
        verdict="clearance",
        reason="  GP clearance letter of 12/11/2026 is on file  ",
    )
    [event] = _events(db, "screening.override")
    assert event.patient_id == patient_id
    assert json.loads(event.detail) == {
        "consultation": consultation_id,
        "verdict": "clearance",
        "reason": "GP clearance letter of 12/11/2026 is on file",
    }


@pytest.mark.parametrize(
    ("verdict", "reason", "field"),
    [
        ("proceed", "nothing to override here", "verdict"),
        ("maybe", "not a verdict at all", "verdict"),
        ("defer", "   ", "reason"),
        ("decline", "x" * (activity.MAX_REASON + 1), "reason"),
    ],
)
def test_an_override_needs_a_stopping_verdict_and_a_reason(
    db: Database, practitioner: Actor, visit: tuple[int, int], verdict: str, reason: str, field: str
):
    patient_id, consultation_id = visit
    with pytest.raises(InvalidField) as raised:
        activity.record_screening_override(
            db,
            practitioner,
            patient_id=patient_id,
            consultation_id=consultation_id,
            verdict=verdict,
            reason=reason,
        )
    assert raised.value.field == field
    assert _events(db, "screening.override") == []


def test_reception_cannot_override_a_screening(
    db: Database, reception: Actor, visit: tuple[int, int]
):
    patient_id, consultation_id = visit
    with pytest.raises(PermissionDenied):
        activity.record_screening_override(
            db,
            reception,
            patient_id=patient_id,
            consultation_id=consultation_id,
            verdict="defer",
            reason="the patient insists on going on",
        )


def _stored_quote(db: Database, actor: Actor, consultation_id: int, discount: int = 0):
    visit = consultations.get_consultation(db, actor, consultation_id).consultation
    priced = build_quote(
        visit,
        prices.current_price_list(db),
        get_settings(db).pricing,
        QuoteOptions(manual_discount_percent=Decimal(discount)),
    )
    return quotes.save_quote(db, actor, consultation_id, priced)


def test_a_quote_signed_for_is_presented_and_the_move_audited(
    db: Database, practitioner: Actor, visit: tuple[int, int]
):
    stored = _stored_quote(db, practitioner, visit[1])
    presented = activity.present_at_signing(db, practitioner, stored)
    assert (presented.status, presented.approval) == ("presented", "not_needed")
    assert quotes.get_quote(db, practitioner, stored.id).status == "presented"
    [event] = _events(db, "quote.present")
    assert json.loads(event.detail) == {"quote": stored.id, "from": "draft", "to": "presented"}


def test_a_quote_waiting_for_approval_stays_a_draft_until_a_manager_decides(
    db: Database, practitioner: Actor, manager: Actor, visit: tuple[int, int]
):
    stored = _stored_quote(db, practitioner, visit[1], discount=25)
    kept = activity.present_at_signing(db, practitioner, stored)
    assert (kept.status, kept.approval) == ("draft", "pending")
    assert _events(db, "quote.present") == []
    approved = quotes.decide_approval(
        db, manager, stored.id, approve=True, expected_version=kept.version
    )
    assert activity.present_at_signing(db, practitioner, approved).status == "presented"


def test_a_quote_already_presented_is_left_as_it_is(
    db: Database, practitioner: Actor, visit: tuple[int, int]
):
    stored = _stored_quote(db, practitioner, visit[1])
    presented = activity.present_at_signing(db, practitioner, stored)
    assert activity.present_at_signing(db, practitioner, presented) == presented
    assert len(_events(db, "quote.present")) == 1
