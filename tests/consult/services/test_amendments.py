"""A change after signing is a new consent that names the one it replaces."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from consult.clinical.fileformat import AreaRequest
from consult.documents.amends import AMENDS_KEY
from consult.errors import ConsultError, InvalidField, PermissionDenied
from consult.services import amendments, consultations, patients, signing
from consult.services.signing import SigningRequest
from consult.storage.models import AuditEvent
from consult.storage.models.clinical import ConsentRecord
from tests.consult.clinical.factory import consultation
from tests.consult.documents.pdfs import flat, signature_png, text_of
from tests.helpers.signing import signed_in

INK = signature_png()


def sign_draft(user, record, file=None) -> signing.SignedRecord:
    return signing.sign(
        user,
        SigningRequest(
            consultation=file or record.consultation,
            photography=True,
            marketing=False,
            patient_signature=INK,
            practitioner_signature=INK,
            consultation_id=record.id,
            expected_version=record.version,
        ),
    )


@pytest.fixture
def signed(pia):
    file = consultation()
    patient = patients.register(pia, file.patient)
    return sign_draft(pia, consultations.start(pia, patient.id, file))


def test_an_amendment_is_a_new_consent_naming_the_one_it_replaces(pia, clinic, signed, tmp_path):
    draft = amendments.start_amendment(pia, signed.consultation_id)
    assert draft.status == "draft" and draft.id != signed.consultation_id
    assert draft.consultation.extra[AMENDS_KEY] == signed.consent_number
    assert "consent" not in draft.consultation.extra  # the patient answers again
    changed = replace(
        draft.consultation,
        areas=(*draft.consultation.areas, AreaRequest("forehead", ("fine_lines",))),
    )
    amended = sign_draft(pia, draft, changed)
    assert amended.consent_number != signed.consent_number
    assert amended.consent.supersedes_id == signed.consent.id
    assert amended.plan.supersedes_id == signed.plan.id
    consent = flat(text_of(amended.consent_pdf, tmp_path))
    assert f"This consent replaces consent {signed.consent_number}" in consent
    plan = flat(text_of(amended.plan_pdf, tmp_path, "plan.pdf"))
    assert f"This plan replaces the plan signed with consent {signed.consent_number}" in plan
    with clinic.Session() as session:
        stored = session.scalars(select(ConsentRecord.document_number)).all()
        kinds = session.scalars(select(AuditEvent.action)).all()
    assert {signed.consent_number, amended.consent_number} <= set(stored)  # both on record
    assert "consultation.amend" in kinds and "consent.amend" in kinds


def test_a_replaced_consent_cannot_be_amended_again(pia, signed):
    first = amendments.start_amendment(pia, signed.consultation_id)
    sign_draft(pia, first)
    with pytest.raises(ConsultError, match="already replaced"):
        amendments.start_amendment(pia, signed.consultation_id)


def test_two_amendments_of_one_consent_cannot_both_be_signed(pia, signed):
    first = amendments.start_amendment(pia, signed.consultation_id)
    second = amendments.start_amendment(pia, signed.consultation_id)
    sign_draft(pia, first)
    with pytest.raises(InvalidField, match="already replaced"):
        sign_draft(pia, second)


def test_a_draft_has_nothing_to_amend(pia):
    file = consultation()
    patient = patients.register(pia, file.patient)
    draft = consultations.start(pia, patient.id, file)
    with pytest.raises(ConsultError, match="no signed consent"):
        amendments.start_amendment(pia, draft.id)


def test_an_amends_key_must_name_a_signed_consent(pia):
    file = consultation()
    file = replace(file, extra={**file.extra, AMENDS_KEY: "CS-20260101-AAAA-BBBB"})
    request = SigningRequest(file, True, False, INK, INK)
    with pytest.raises(InvalidField) as refused:
        signing.sign(pia, request)
    assert refused.value.field == AMENDS_KEY
    bad = replace(file, extra={**file.extra, AMENDS_KEY: "not a number"})
    with pytest.raises(InvalidField, match="not a consent document number"):
        signing.sign(pia, SigningRequest(bad, True, False, INK, INK))


def test_another_patients_consent_cannot_be_replaced(pia, signed):
    other = consultation()
    other = replace(
        other,
        patient=replace(other.patient, name="Somebody Else"),
        extra={**other.extra, AMENDS_KEY: signed.consent_number},
    )
    with pytest.raises(InvalidField, match="not a consent of this patient"):
        signing.sign(pia, SigningRequest(other, True, False, INK, INK))


def test_reception_cannot_start_an_amendment(clinic, reception, signed):
    with pytest.raises(PermissionDenied):
        amendments.start_amendment(signed_in(clinic, reception, "Rae"), signed.consultation_id)
