"""A clearance still needed: the plan and a consent marked not valid are issued, not signed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from consult.errors import ConsultError, PermissionDenied
from consult.pricing import QuoteOptions
from consult.services import clearance, consultations, patients, quotes, signing
from consult.services.clearance import ClearanceRequest
from consult.services.signing import SigningRequest
from consult.storage.models import AuditEvent
from tests.consult.clinical.factory import consultation
from tests.consult.documents.pdfs import flat, signature_png, text_of
from tests.helpers.signing import signed_in

INK = signature_png()
ON_BLOOD_THINNERS = {"anticoagulants": True}


def draft_of(user, history):
    file = consultation(history)
    patient = patients.register(user, file.patient)
    return consultations.start(user, patient.id, file)


def test_the_papers_for_the_doctor_are_stored_unsigned_and_the_quote_presented(
    pia, clinic, tmp_path
):
    draft = draft_of(pia, ON_BLOOD_THINNERS)
    papers = clearance.issue_for_clearance(
        pia, ClearanceRequest(draft.id, draft.consultation, QuoteOptions())
    )
    consent = flat(text_of(papers.consent_pdf, tmp_path))
    assert "Not valid until clearance is received" in consent
    assert papers.consent.document_number in consent
    plan = flat(text_of(papers.plan_pdf, tmp_path, "plan.pdf"))
    assert "to be booked once the wait below is over" in plan
    assert papers.consent.signed_at is None and papers.plan.signed_at is None
    assert papers.quote.status == "presented"
    [listed] = quotes.list_for_patient(pia, draft.patient_id)
    assert listed.status == "presented"  # the manager's table and reports see it at once
    assert consultations.open_consultation(pia, draft.id).status == "draft"
    with clinic.Session() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "documents.clearance_papers" in actions


def test_once_the_clearance_is_noted_signing_accepts_the_presented_quote(pia):
    draft = draft_of(pia, ON_BLOOD_THINNERS)
    papers = clearance.issue_for_clearance(
        pia, ClearanceRequest(draft.id, draft.consultation, QuoteOptions())
    )
    request = SigningRequest(
        draft.consultation, True, False, INK, INK,
        consultation_id=draft.id, expected_version=draft.version,
    )
    with pytest.raises(ConsultError, match="clearance is still required"):
        signing.sign(pia, request)
    signed = signing.sign(
        pia,
        SigningRequest(
            draft.consultation, True, False, INK, INK,
            override_reason="Written clearance from Dr Osei received on 6 Dec",
            consultation_id=draft.id, expected_version=draft.version,
        ),
    )
    assert signed.quote.status == "accepted"
    assert signed.quote.id == papers.quote.id  # one offer, presented then accepted
    assert signed.consent_number != papers.consent.document_number


def test_no_papers_when_no_clearance_is_needed(pia):
    draft = draft_of(pia, None)
    with pytest.raises(ConsultError, match="no clearance is needed"):
        clearance.issue_for_clearance(
            pia, ClearanceRequest(draft.id, draft.consultation, QuoteOptions())
        )


def test_reception_cannot_issue_them(clinic, pia, reception):
    draft = draft_of(pia, ON_BLOOD_THINNERS)
    with pytest.raises(PermissionDenied):
        clearance.issue_for_clearance(
            signed_in(clinic, reception, "Rae"),
            ClearanceRequest(draft.id, draft.consultation, QuoteOptions()),
        )
