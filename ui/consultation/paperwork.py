"""The consent and the plan for the consultation step (runs on the thread pool).

Plain data in (`PaperworkRequest`, a frozen snapshot of the consultation and the
choices), bytes out. The preview the patient reads is built here from the same inputs
the signing service seals from (consult.services.signing), so what is signed is what
was on screen. The documents package is imported inside the work, so its weight
(reportlab, pyHanko) never slows the app's start.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from consult.clinical.fileformat import Consultation
from consult.pricing import ClinicSettings, PriceList, QuoteOptions
from consult.records.consultations import ConsentInfo
from consult.records.quotes import QuoteRecord
from consult.services.acting import SignedIn

if TYPE_CHECKING:
    from consult.documents.model import DocumentInput


@dataclass(frozen=True)
class PaperworkRequest:
    consultation: Consultation
    price_list: PriceList
    settings: ClinicSettings
    logo: bytes | None
    options: QuoteOptions
    depths: tuple[tuple[str, Decimal, Decimal], ...]  # the depths the practitioner settled on
    practitioner: str
    photography: bool | None
    marketing: bool | None
    patient_png: bytes | None = None
    practitioner_png: bytes | None = None
    signed_at: datetime | None = None
    override_reason: str = ""
    consent_number: str = ""  # shown on the preview and kept when signed


@dataclass(frozen=True)
class Paperwork:
    consent: bytes
    plan: bytes
    consent_record: ConsentInfo
    plan_record: ConsentInfo
    quote_record: QuoteRecord  # accepted at signing
    quote_problem: str | None = None


def document_input(request: PaperworkRequest) -> DocumentInput:
    from consult.documents import build
    from consult.documents.model import ConsentChoices, Signatures

    doc = build.document_input(
        request.consultation,
        request.price_list,
        request.settings,
        options=request.options,
        signatures=Signatures(request.patient_png, request.practitioner_png),
        signed_at=request.signed_at,
        practitioner=request.practitioner,
        choices=ConsentChoices(request.photography, request.marketing),
        logo=request.logo,
        override_reason=request.override_reason,
    )
    # The number the patient reads is the one the signed record keeps.
    return replace(doc, document_id=request.consent_number) if request.consent_number else doc


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
    user: SignedIn, consultation_id: int, version: int, request: PaperworkRequest
) -> Paperwork:
    """Seal both documents and store them with the consultation, in one service call."""
    from consult.services import signing

    record = signing.sign(
        user,
        signing.SigningRequest(
            consultation=request.consultation,
            photography=request.photography,
            marketing=request.marketing,
            patient_signature=request.patient_png,
            practitioner_signature=request.practitioner_png,
            options=request.options,
            override_reason=request.override_reason,
            consultation_id=consultation_id,
            expected_version=version,
            logo=request.logo,
            consent_number=request.consent_number or None,
        ),
    )
    return Paperwork(
        record.consent_pdf, record.plan_pdf, record.consent, record.plan, record.quote
    )
