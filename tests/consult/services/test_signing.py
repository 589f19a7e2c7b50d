"""Signing: every rule before anything is sealed, and one transaction for the record."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from consult.errors import ConsultError, InvalidField, PermissionDenied
from consult.services import signing
from consult.services.signing import SigningRequest
from consult.storage import consents, consultations, quotes
from consult.storage.models import AuditEvent, Patient
from consult.storage.models.clinical import ConsentRecord, Consultation, Quote
from tests.consult.clinical.factory import consultation
from tests.consult.documents.pdfs import signature_png, text_of
from tests.helpers.signing import signed_in

INK = signature_png()


def request(file=None, **changes) -> SigningRequest:
    values = dict(
        consultation=file or consultation(),
        photography=True,
        marketing=False,
        patient_signature=INK,
        practitioner_signature=INK,
    )
    values.update(changes)
    return SigningRequest(**values)


def counts(db) -> dict[str, int]:
    with db.Session() as session:
        return {
            table.__name__: session.scalar(select(func.count()).select_from(table))
            for table in (ConsentRecord, Quote, Consultation, Patient, AuditEvent)
        }


def test_signing_stores_consent_plan_quote_and_completes(pia, clinic, tmp_path):
    record = signing.sign(pia, request())
    assert record.consent.kind == "consent" and record.plan.kind == "plan"
    assert record.consent.document_number == record.consent_number
    assert record.consent_number != record.plan_number
    assert record.quote.status == "accepted"
    stored = consultations.get_consultation(clinic, pia.actor, record.consultation_id)
    assert stored.status == "completed"
    text = text_of(record.consent_pdf, tmp_path)
    assert record.consent_number in text
    assert "Pia" in text  # the signed-in practitioner is on the record
    assert consents.get_pdf(clinic, pia.actor, record.consent.id) == record.consent_pdf


def test_two_signings_of_one_file_get_two_numbers(pia):
    first = signing.sign(pia, request())
    second = signing.sign(pia, request())
    assert len({first.consent_number, second.consent_number}) == 2


@pytest.mark.parametrize(
    "step",
    [
        (consultations, "add_consultation"),
        (consultations, "complete_row"),
        (quotes, "add_quote"),
        (quotes, "transition_row"),
        (consents, "add_record"),
    ],
    ids=lambda step: step[1],
)
def test_a_failure_after_any_step_leaves_nothing_written(pia, clinic, monkeypatch, step):
    module, name = step
    original = getattr(module, name)

    def fail_after(*args, **kwargs):
        original(*args, **kwargs)
        raise RuntimeError(f"injected failure after {name}")

    before = counts(clinic)
    monkeypatch.setattr(module, name, fail_after)
    with pytest.raises(RuntimeError, match="injected failure"):
        signing.sign(pia, request())
    assert counts(clinic) == before


def test_a_failure_at_the_last_audit_event_leaves_nothing_written(pia, clinic, monkeypatch):
    from consult.services import signing as module

    original = module.audit.record

    def fail_on_sign(session, actor, action, **kwargs):
        if action == "consent.sign":
            raise RuntimeError("injected failure at consent.sign")
        return original(session, actor, action, **kwargs)

    before = counts(clinic)
    monkeypatch.setattr(module.audit, "record", fail_on_sign)
    with pytest.raises(RuntimeError):
        signing.sign(pia, request())
    monkeypatch.undo()
    assert counts(clinic) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"patient_signature": None}, "patient_signature"),
        ({"practitioner_signature": None}, "practitioner_signature"),
        ({"photography": None}, "consent.photography"),
        ({"marketing": None}, "consent.marketing"),
    ],
)
def test_missing_parts_are_refused_naming_them(pia, clinic, changes, field):
    before = counts(clinic)
    with pytest.raises(InvalidField) as refused:
        signing.sign(pia, request(**changes))
    assert refused.value.field == field
    assert counts(clinic) == before


def test_a_blank_signature_is_refused(pia):
    import io

    from PIL import Image

    blank = io.BytesIO()
    Image.new("RGBA", (300, 100), (255, 255, 255, 0)).save(blank, "PNG")
    with pytest.raises(InvalidField, match="patient_signature: the signature is blank"):
        signing.sign(pia, request(patient_signature=blank.getvalue()))


def test_an_unset_clinic_cannot_seal(db, practitioner):
    pia = signed_in(db, practitioner, "Pia")
    with pytest.raises(ConsultError, match="the clinic is not set up"):
        signing.sign(pia, request())


def test_pregnancy_blocks_signing_without_an_override(pia, clinic):
    pregnant = consultation({"pregnant": True})
    before = counts(clinic)
    with pytest.raises(ConsultError, match="every requested area"):
        signing.sign(pia, request(pregnant))
    assert counts(clinic) == before


def test_an_override_is_recorded_and_printed(pia, clinic, tmp_path):
    pregnant = consultation({"pregnant": True})
    reason = "Obstetrician's written agreement on file, 2026-11-18"
    record = signing.sign(pia, request(pregnant, override_reason=reason))
    assert reason in " ".join(text_of(record.plan_pdf, tmp_path).split())
    with clinic.Session() as session:
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "screening.override" in actions


def test_clearance_blocks_signing(pia):
    with pytest.raises(ConsultError, match="clearance is still required"):
        signing.sign(pia, request(consultation({"anticoagulants": True})))


def test_reception_cannot_sign_and_the_denial_is_audited(clinic, reception):
    rita = signed_in(clinic, reception, "Rita")
    with pytest.raises(PermissionDenied):
        signing.sign(rita, request())
    with clinic.Session() as session:
        denied = session.scalars(
            select(AuditEvent).where(AuditEvent.outcome == "denied")
        ).all()
    assert [(event.action, event.username) for event in denied] == [("signing.sign", "rita")]


def test_a_practitioner_named_in_the_file_must_be_the_signer(pia):
    named = consultation()
    named = type(named)(**{**named.__dict__, "extra": {"practitioner": "Dr Someone Else"}})
    with pytest.raises(InvalidField) as refused:
        signing.sign(pia, request(named))
    assert refused.value.field == "practitioner"


def test_the_consent_answers_are_kept_with_the_signed_consultation(pia, clinic):
    # The file says nothing about consent; the answers were given at signing.
    file = consultation()
    assert "consent" not in file.extra
    record = signing.sign(pia, request(file, photography=False, marketing=True))
    stored = consultations.get_consultation(clinic, pia.actor, record.consultation_id)
    assert stored.consultation.extra["consent"] == {"photography": False, "marketing": True}
