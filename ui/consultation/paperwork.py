"""Building, sealing and storing the consent and the plan (runs on the thread pool).

Plain data in (`PaperworkRequest`, a frozen snapshot of the consultation and the
choices), bytes out. The documents package is imported here, inside the work, so its
weight (reportlab, pyHanko) never slows the app's start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from consult.errors import ConsultError
from consult.fileformat import Consultation

CONSENT_REASON = "Patient consent to treatment"
PLAN_REASON = "Treatment plan"


@dataclass(frozen=True)
class PaperworkRequest:
    consultation: Consultation
    price_list: Any
    settings: Any  # consult.pricing.ClinicSettings
    logo: bytes | None
    options: Any  # consult.pricing.QuoteOptions
    depths: tuple[tuple[str, Decimal, Decimal], ...]  # the depths the practitioner settled on
    practitioner: str
    photography: bool | None
    marketing: bool | None
    patient_png: bytes | None = None
    practitioner_png: bytes | None = None
    signed_at: datetime | None = None


@dataclass(frozen=True)
class Paperwork:
    consent: bytes
    plan: bytes
    consent_record: Any  # the stored record (consult.storage.consents.ConsentInfo)
    plan_record: Any
    quote_record: Any  # presented at signing, or still a draft waiting for approval
    quote_problem: str | None = None  # why the signed quote could not be presented


def document_input(request: PaperworkRequest) -> Any:
    """The documents' input; the planned depths travel in the consultation's `depths` key."""
    from consult.documents import build
    from consult.documents.model import ConsentChoices, Signatures

    return build.document_input(
        request.consultation,
        request.price_list,
        request.settings,
        options=request.options,
        signatures=Signatures(request.patient_png, request.practitioner_png),
        signed_at=request.signed_at,
        practitioner=request.practitioner,
        choices=ConsentChoices(request.photography, request.marketing),
        logo=request.logo,
    )


def warm_up() -> None:
    """Load the PDF code and register its fonts ahead of the consent step.

    Run on a plain thread while the practitioner looks for a patient: the first import of
    reportlab and pyHanko takes half a second, which would otherwise stall the step change.
    """
    from consult.documents import build, consent, fonts, plan, sealing  # noqa: F401

    fonts.register()


def unsigned_consent(request: PaperworkRequest) -> bytes:
    """What the patient reads before signing: the same document, without signatures."""
    from consult.documents.consent import build_consent

    return build_consent(document_input(request))


def sign_and_store(
    db: Any,
    actor: Any,
    consultation_id: int,
    version: int,
    override_reason: str,
    request: PaperworkRequest,
) -> Paperwork:
    """Seal both documents, keep them with the consultation, store the quote, complete it.

    Signing is when the patient is shown the quote, so the stored quote moves on to
    "presented" (unless its discount waits for a manager's approval).
    """
    from consult.clinical.outcome import left_out
    from consult.clinical.screening import screen
    from consult.documents.certificate import clinic_certificate
    from consult.documents.consent import build_consent
    from consult.documents.plan import build_plan
    from consult.documents.sealing import seal
    from consult.pricing import build_quote
    from consult.storage import activity, consents, consultations, quotes

    doc = document_input(request)
    certificate = clinic_certificate(request.settings.name)
    consent = seal(build_consent(doc), certificate, CONSENT_REASON)
    plan = seal(build_plan(doc), certificate, PLAN_REASON)
    screening = screen(request.consultation)
    quote = build_quote(
        request.consultation,
        request.price_list,
        request.settings,
        request.options,
        left_out(request.consultation, screening),
    )
    quote_record = quotes.save_quote(db, actor, consultation_id, quote)
    patient_name = request.consultation.patient.name
    consent_record = consents.store(
        db,
        actor,
        consultation_id,
        "consent",
        consent.pdf,
        signed_at=request.signed_at,
        patient_signed_name=patient_name,
    )
    plan_record = consents.store(
        db,
        actor,
        consultation_id,
        "plan",
        plan.pdf,
        signed_at=request.signed_at,
    )
    consultations.complete(
        db,
        actor,
        consultation_id,
        expected_version=version,
        consultation=request.consultation,
        override_reason=override_reason,
        screening=screening,
    )
    try:
        quote_record = activity.present_at_signing(db, actor, quote_record)
    except ConsultError as error:
        # The documents are signed and stored: the quote stays a draft to present later.
        return Paperwork(
            consent.pdf, plan.pdf, consent_record, plan_record, quote_record, str(error)
        )
    return Paperwork(consent.pdf, plan.pdf, consent_record, plan_record, quote_record)
