"""Papers for a doctor's clearance: the plan, and a consent not valid until it comes.

When the screening needs a physician's written clearance (blood thinners, a pacemaker
with RF, …) nothing can be signed (consult.documents.gate). The patient takes the plan
and the consent to their doctor instead: the consent says at the top that it is not
valid until the clearance is received, and the plan books its first session only after
it. Issuing them stores both (unsigned) with their own document numbers, presents the
quote the plan prints (visible at once in the manager's table and reports) and audits
it, in one transaction. When the clearance comes, the practitioner notes it on the
screening step and the consultation is signed as usual; the presented quote is then
the one accepted.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from consult.clinic import setup as clinic
from consult.clinical.fileformat import Consultation
from consult.clinical.screening import screen
from consult.documents import numbers
from consult.documents.gate import check_printable, needs_clearance
from consult.errors import ConsultError
from consult.pricing import QuoteOptions, lifecycle
from consult.records.consultations import ConsentInfo
from consult.records.quotes import QuoteRecord
from consult.services.acting import SignedIn, transaction, use_case
from consult.storage import audit, consents, consultations, prices, quotes
from consult.storage.settings import get_settings


@dataclass(frozen=True)
class ClearanceRequest:
    consultation_id: int
    consultation: Consultation
    options: QuoteOptions
    # The number the consent on screen carries (the app's preview); None: a new one.
    consent_number: str | None = None
    logo: bytes | None = None


@dataclass(frozen=True)
class ClearancePapers:
    consent_pdf: bytes
    plan_pdf: bytes
    consent: ConsentInfo
    plan: ConsentInfo
    quote: QuoteRecord


@use_case("documents.issue_for_clearance")
def issue_for_clearance(user: SignedIn, request: ClearanceRequest) -> ClearancePapers:
    """Build, store and present the plan and the not-yet-valid consent; all or nothing."""
    from consult.documents.build import document_input, priced_course
    from consult.documents.consent import build_consent
    from consult.documents.plan import build_plan

    consultation = request.consultation
    screening = screen(consultation)
    check_printable(screening, consultation.area_ids)
    if not needs_clearance(screening):
        raise ConsultError("no clearance is needed: the consent can be signed as it is")
    settings = get_settings(user.database)
    price_list = prices.current_price_list(user.database)
    document = document_input(
        consultation,
        price_list,
        settings.pricing,
        options=request.options,
        practitioner=user.full_name,
        logo=request.logo if request.logo is not None else settings.logo,
    )
    today = clinic.local_now(settings.pricing).date()
    consent_number = request.consent_number or numbers.new_document_number("consent", today)
    numbers.check_document_number(consent_number, "consent", "consent_number")
    plan_number = numbers.new_document_number("plan", today)
    consent_pdf = build_consent(replace(document, document_id=consent_number))
    plan_pdf = build_plan(replace(document, document_id=plan_number))
    quote = priced_course(consultation, price_list, settings.pricing, request.options)
    actor = user.actor
    with transaction(user) as session:
        row = consultations.load(session, request.consultation_id)
        if row.status != "draft":
            raise ConsultError(f"consultation {row.id} is already signed")
        quote_row = quotes.presented_offer(session, row.id, quote) or quotes.add_quote(
            session, actor, row.id, quote
        )
        if quote_row.status == lifecycle.DRAFT and quote_row.approval != lifecycle.PENDING:
            quotes.transition_row(session, actor, quote_row, lifecycle.PRESENT)
        consent = consents.add_record(
            session, actor, row, "consent", consent_pdf, document_number=consent_number
        )
        plan = consents.add_record(
            session, actor, row, "plan", plan_pdf, document_number=plan_number
        )
        audit.record(
            session,
            actor,
            "documents.clearance_papers",
            patient_id=row.patient_id,
            detail={
                "consultation": row.id,
                "consent": consent_number,
                "plan": plan_number,
                "quote": quote_row.id,
            },
        )
        return ClearancePapers(
            consent_pdf, plan_pdf, consent, plan, quotes.to_record(quote_row)
        )
