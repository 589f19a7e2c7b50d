"""Signing a consultation: the consent and the plan sealed, and everything stored at once.

The app's consent step and `consult documents --patient-signature … --practitioner-
signature …` both sign through `sign`, so the rules are in one place:

- both signatures are present and each is ink (consult.documents.ink);
- the patient answered both consent questions (clinical photography, marketing);
- the clinic has been set up (a sealed record never carries invented clinic details);
- the screening allows it: no signature while a clearance is still required, and not
  when every requested area is blocked by a defer or decline, unless the practitioner
  records an override reason (audited, printed on both documents);
- no discount waits for a manager's approval;
- the practitioner on the record is the signed-in account.

The PDFs are built and sealed first, outside the database (sealing takes a moment and
must not hold the clinic's write lock); then one transaction stores the consultation
(completed), the quote (presented, then accepted), both sealed PDFs with their
document numbers and the audit events. A failure anywhere leaves nothing written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from consult.clinic import setup as clinic
from consult.clinical.fileformat import Consultation
from consult.clinical.screening import ScreeningResult, screen
from consult.documents import numbers
from consult.documents.amends import AMENDS_KEY, amended_number
from consult.documents.gate import check_signable
from consult.documents.ink import require_ink
from consult.documents.model import ConsentChoices, DocumentInput, Signatures
from consult.errors import ConsultError, InvalidField
from consult.pricing import QuoteOptions, lifecycle, options_from_consultation
from consult.pricing.quote import Quote
from consult.records.consultations import ConsentInfo
from consult.records.quotes import QuoteRecord
from consult.services.acting import SignedIn, transaction, use_case
from consult.storage import audit, consents, consultations, exchange, prices, quotes
from consult.storage.models.clinical import Consultation as ConsultationRow
from consult.storage.models.clinical import Quote as QuoteRow
from consult.storage.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from consult.pricing import PriceList
    from consult.records import StoredSettings

CONSENT_REASON = "Signed consent to treatment"
PLAN_REASON = "Treatment plan issued by the clinic"
# Going on past these verdicts is an override the practitioner records with a reason.
OVERRIDDEN_VERDICTS = ("clearance", "defer", "decline")


@dataclass(frozen=True)
class SigningRequest:
    """What the practitioner and the patient agreed, as shown on screen when they signed.

    `consultation_id` and `expected_version` name the stored draft (the app); without
    them (the command line) the consultation is stored as a new, completed one for the
    patient the file names (registered if new, never changing a stored patient's
    contact details).
    """

    consultation: Consultation
    photography: bool | None
    marketing: bool | None
    patient_signature: bytes | None
    practitioner_signature: bytes | None
    options: QuoteOptions | None = None
    override_reason: str = ""
    consultation_id: int | None = None
    expected_version: int | None = None
    logo: bytes | None = None
    # The number the consent read on screen already carries (the app's preview); None:
    # a new one is made.
    consent_number: str | None = None


@dataclass(frozen=True)
class SignedRecord:
    consultation_id: int
    patient_id: int
    consent_number: str
    plan_number: str
    consent_pdf: bytes
    plan_pdf: bytes
    consent: ConsentInfo
    plan: ConsentInfo
    quote: QuoteRecord


@use_case("signing.sign")
def sign(user: SignedIn, request: SigningRequest) -> SignedRecord:
    """Seal and store the signed consent and plan; all of it or nothing."""
    prepared = _prepare(user, request)
    return _store(user, request, prepared)


@dataclass(frozen=True)
class Prepared:
    """Both documents sealed, the quote priced: everything but the database."""

    screening: ScreeningResult
    quote: Quote
    consent_number: str
    plan_number: str
    consent_pdf: bytes
    plan_pdf: bytes
    signed_at: datetime
    approved_quote_id: int | None = None  # the manager-approved quote this signing accepts
    amends: Amended | None = None


@dataclass(frozen=True)
class Amended:
    """The signed records an amendment replaces (they stay stored, unchanged)."""

    consent_id: int
    plan_id: int | None


def _prepare(user: SignedIn, request: SigningRequest) -> Prepared:
    """Check every rule of signing, then build and seal both documents."""
    signatures = _checked_signatures(request)
    choices = _checked_choices(request)
    settings = get_settings(user.database)
    clinic.require_set_up(settings.pricing)
    screening = screen(request.consultation)
    check_signable(screening, request.consultation.area_ids, request.override_reason)
    _check_practitioner(user, request.consultation)
    price_list = prices.current_price_list(user.database)
    options = request.options or options_from_consultation(request.consultation, price_list)
    request = replace(request, options=options)
    from consult.documents.build import priced_course

    quote = priced_course(
        request.consultation, price_list, settings.pricing, options, request.override_reason
    )
    approved_quote = _approved_quote(user, request, quote)
    signed_at = clinic.local_now(settings.pricing)
    consent_number = request.consent_number or numbers.new_document_number(
        "consent", signed_at.date()
    )
    numbers.check_document_number(consent_number, "consent", "consent_number")
    plan_number = numbers.new_document_number("plan", signed_at.date())
    amends = _amended(user, request.consultation)
    document = _document(user, request, price_list, settings, signatures, choices, signed_at)
    consent_pdf, plan_pdf = _sealed(document, consent_number, plan_number, settings.pricing.name)
    return Prepared(
        screening,
        quote,
        consent_number,
        plan_number,
        consent_pdf,
        plan_pdf,
        signed_at,
        approved_quote,
        amends,
    )


def _amended(user: SignedIn, consultation: Consultation) -> Amended | None:
    """The signed records a consultation's `amends` key replaces (an amendment), or None.

    A change of areas or treatment after signing is a new consultation signed as a new
    consent that names the one it replaces (consult.documents.build prints it); both stay
    on record. Here the number is checked against the records.
    """
    number = amended_number(consultation)
    if number is None:
        return None
    with transaction(user) as session:
        row = consents.by_number(session, number)
        if row is None or row.kind != "consent" or row.signed_at is None:
            raise InvalidField(AMENDS_KEY, f"no signed consent {number} is on record")
        plan = consents.plan_of(session, row.consultation_id)
        return Amended(row.id, plan.id if plan is not None else None)


def _approved_quote(user: SignedIn, request: SigningRequest, quote: Quote) -> int | None:
    """The stored quote a manager approved on these terms (None: none is needed).

    A discount above the clinic's limit may be signed only once a manager approved the
    very quote the consultation asked for (the app's "Ask a manager"); otherwise the
    practitioner removes the discount.
    """
    if not quote.needs_approval:
        return None
    asked = None
    if request.consultation_id is not None:
        with transaction(user) as session:
            row = quotes.matching_approval(session, request.consultation_id, quote)
            asked = (row.id, row.approval) if row is not None else None
    if asked is not None and asked[1] == lifecycle.APPROVED:
        return asked[0]
    if asked is not None and asked[1] == lifecycle.PENDING:
        raise ConsultError(
            "the discount waits for a manager's approval (asked already); sign once a "
            "manager has approved it, or remove the discount"
        )
    if asked is not None and asked[1] == lifecycle.REJECTED:
        raise ConsultError("a manager rejected this discount; remove or change it before signing")
    raise ConsultError(
        "the discount is above the clinic's limit and waits for a manager's approval; "
        "ask a manager to approve it, or remove the discount, before signing"
    )


def _checked_signatures(request: SigningRequest) -> Signatures:
    patient, practitioner = request.patient_signature, request.practitioner_signature
    if patient is None and practitioner is None:
        raise InvalidField("signatures", "both the patient and the practitioner must sign")
    if patient is None:
        raise InvalidField("patient_signature", "the patient has not signed")
    if practitioner is None:
        raise InvalidField("practitioner_signature", "the practitioner has not signed")
    require_ink(patient, "patient_signature")
    require_ink(practitioner, "practitioner_signature")
    return Signatures(patient, practitioner)


def _checked_choices(request: SigningRequest) -> ConsentChoices:
    if request.photography is None:
        raise InvalidField(
            "consent.photography", "ask whether the patient agrees to clinical photographs"
        )
    if request.marketing is None:
        raise InvalidField(
            "consent.marketing", "ask whether the patient agrees to photographs in marketing"
        )
    return ConsentChoices(request.photography, request.marketing)


def _check_practitioner(user: SignedIn, consultation: Consultation) -> None:
    named = consultation.extra.get("practitioner")
    if named is None:
        return
    if not isinstance(named, str):
        raise InvalidField("practitioner", "must be the practitioner's name as text")
    given = " ".join(named.split()).casefold()
    if given and given not in (user.full_name.casefold(), user.username.casefold()):
        raise InvalidField(
            "practitioner",
            f'"{named.strip()}" is not the signed-in account ({user.full_name}); '
            "the practitioner who signs is the one on the record",
        )


def _document(
    user: SignedIn,
    request: SigningRequest,
    price_list: PriceList,
    settings: StoredSettings,
    signatures: Signatures,
    choices: ConsentChoices,
    signed_at: datetime,
) -> DocumentInput:
    from consult.documents import build

    doc = build.document_input(
        request.consultation,
        price_list,
        settings.pricing,
        options=request.options,
        signatures=signatures,
        signed_at=signed_at,
        practitioner=user.full_name,
        choices=choices,
        logo=request.logo if request.logo is not None else settings.logo,
        override_reason=request.override_reason.strip(),
    )
    return doc


def _sealed(
    document: DocumentInput, consent_number: str, plan_number: str, clinic_name: str
) -> tuple[bytes, bytes]:
    from consult.documents.certificate import clinic_certificate
    from consult.documents.consent import build_consent
    from consult.documents.plan import build_plan
    from consult.documents.sealing import seal

    certificate = clinic_certificate(clinic_name)
    consent = seal(
        build_consent(replace(document, document_id=consent_number)), certificate, CONSENT_REASON
    )
    plan = seal(build_plan(replace(document, document_id=plan_number)), certificate, PLAN_REASON)
    return consent.pdf, plan.pdf


# --------------------------------------------------------------------------- storing

def _store(user: SignedIn, request: SigningRequest, prepared: Prepared) -> SignedRecord:
    actor = user.actor
    with transaction(user) as session:
        consultation_row = _consultation_row(session, user, request, prepared)
        quote_row = _quote_row(session, user, consultation_row.id, prepared)
        if quote_row.status == lifecycle.DRAFT:
            quotes.transition_row(session, actor, quote_row, lifecycle.PRESENT)
        quotes.transition_row(session, actor, quote_row, lifecycle.ACCEPT)
        consent = consents.add_record(
            session,
            actor,
            consultation_row,
            "consent",
            prepared.consent_pdf,
            signed_at=prepared.signed_at,
            patient_signed_name=request.consultation.patient.name,
            document_number=prepared.consent_number,
            supersedes_id=prepared.amends.consent_id if prepared.amends else None,
        )
        plan = consents.add_record(
            session,
            actor,
            consultation_row,
            "plan",
            prepared.plan_pdf,
            signed_at=prepared.signed_at,
            document_number=prepared.plan_number,
            supersedes_id=prepared.amends.plan_id if prepared.amends else None,
        )
        if request.override_reason.strip():
            audit.record(
                session,
                actor,
                "screening.override",
                patient_id=consultation_row.patient_id,
                detail={
                    "consultation": consultation_row.id,
                    "verdict": prepared.screening.verdict,
                    "reason": request.override_reason.strip(),
                },
            )
        audit.record(
            session,
            actor,
            "consent.sign",
            patient_id=consultation_row.patient_id,
            detail={
                "consultation": consultation_row.id,
                "consent": prepared.consent_number,
                "plan": prepared.plan_number,
                "quote": quote_row.id,
                **(
                    {"amends": amended_number(request.consultation)}
                    if prepared.amends
                    else {}
                ),
            },
        )
        return SignedRecord(
            consultation_id=consultation_row.id,
            patient_id=consultation_row.patient_id,
            consent_number=prepared.consent_number,
            plan_number=prepared.plan_number,
            consent_pdf=prepared.consent_pdf,
            plan_pdf=prepared.plan_pdf,
            consent=consent,
            plan=plan,
            quote=quotes.to_record(quote_row),
        )


def _quote_row(
    session: Session, user: SignedIn, consultation_id: int, prepared: Prepared
) -> QuoteRow:
    """The quote the consent accepts: the one a manager approved, the one presented with
    the plan printed for a clearance, or a new one."""
    if prepared.approved_quote_id is None:
        presented = quotes.presented_offer(session, consultation_id, prepared.quote)
        if presented is not None:
            return presented
        return quotes.add_quote(session, user.actor, consultation_id, prepared.quote)
    row = quotes.matching_approval(session, consultation_id, prepared.quote)
    if row is None or row.id != prepared.approved_quote_id or row.approval != lifecycle.APPROVED:
        # Changed by a manager between the check and now: nothing is written.
        raise ConsultError("the manager's approval of the discount changed; check it again")
    return row


def _answered(request: SigningRequest) -> Consultation:
    """The consultation as signed, with the patient's two consent answers in it.

    They are the consult/1 `consent` object: what the photographs may be used for is
    read from the signed consultation later (consult.storage.photos), however signing
    was asked for.
    """
    consultation = request.consultation
    answers = {"photography": request.photography, "marketing": request.marketing}
    return replace(consultation, extra={**consultation.extra, "consent": answers})


def _consultation_row(
    session: Session, user: SignedIn, request: SigningRequest, prepared: Prepared
) -> ConsultationRow:
    request = replace(request, consultation=_answered(request))
    if request.consultation_id is None:
        patient = exchange.existing_or_new_patient(
            session, user.actor, request.consultation.patient
        )
        row = consultations.add_consultation(session, user.actor, patient.id, request.consultation)
        expected = row.version
    else:
        row = consultations.load(session, request.consultation_id)
        expected = request.expected_version if request.expected_version is not None else -1
    return consultations.complete_row(
        session,
        user.actor,
        row,
        expected_version=expected,
        consultation=request.consultation,
        override_reason=request.override_reason,
        screening=prepared.screening,
    )
