"""A `DocumentInput` from a consultation, using the clinical and pricing core.

The screening decides which areas can be treated (blocked areas are neither consented
to nor planned); the course, dates and depths come from the clinical tables; the quote
from the clinic's price list and settings, formatted in the clinic's currency.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from consult import data, fileformat
from consult.catalogue import catalogue
from consult.clinical.courses import plan_course, schedule
from consult.clinical.depths import suggested_depth
from consult.clinical.screening import ScreeningResult, screen
from consult.documents import wording
from consult.documents.model import (
    AreaPlan,
    Clinic,
    ConsentChoices,
    CourseOfSessions,
    DepthRange,
    DocumentInput,
    FindingNote,
    PatientIdentity,
    QuoteRow,
    QuoteSummary,
    Signatures,
)
from consult.errors import InvalidField
from consult.fileformat import Consultation
from consult.pricing import (
    ClinicSettings,
    PriceList,
    Quote,
    QuoteOptions,
    build_quote,
    format_money,
    options_from_consultation,
)
from consult.pricing.text import total_rows
from consult.safe_text import check_text

# Optional keys of a consultation file this module reads (kept by consult/1 as extras).
PRACTITIONER_KEY = "practitioner"
CONSENT_KEY = "consent"


def document_input(
    consultation: Consultation,
    price_list: PriceList,
    settings: ClinicSettings,
    *,
    options: QuoteOptions | None = None,
    signatures: Signatures = Signatures(),  # noqa: B008  (frozen, so a shared default is safe)
    signed_at: datetime | None = None,
    practitioner: str | None = None,
    choices: ConsentChoices | None = None,
    logo: bytes | None = None,
    first_session: date | None = None,
    override_reason: str = "",
) -> DocumentInput:
    """Everything both documents print for this consultation."""
    screening = screen(consultation)
    # A recorded override means the practitioner goes ahead with every requested area.
    treatable = consultation if override_reason.strip() else _treatable(consultation, screening)
    if options is None:
        options = options_from_consultation(consultation, price_list)
    blocked = () if override_reason.strip() else screening.blocked_areas
    quote = build_quote(consultation, price_list, settings, options, blocked)
    start = first_session or first_session_date(consultation, screening, treatable)
    return DocumentInput(
        document_id=document_id(consultation),
        clinic=clinic_of(settings, logo),
        practitioner=practitioner if practitioner is not None else _practitioner(consultation),
        treatment=consultation.treatment,
        treatment_label=catalogue().treatments[consultation.treatment],
        patient=PatientIdentity(consultation.patient.name, consultation.patient.date_of_birth),
        areas=tuple(_area_plan(request, consultation.treatment) for request in treatable.areas),
        excluded_areas=tuple(catalogue().area(area).label for area in blocked),
        course=_course(treatable, quote, start),
        quote=quote_summary(quote, settings),
        findings=tuple(_finding_note(finding) for finding in screening.findings),
        verdict=screening.verdict,
        choices=choices if choices is not None else consent_choices(consultation),
        signatures=signatures,
        signed_at=signed_at,
        override_reason=override_reason,
    )


def blank_input(settings: ClinicSettings, logo: bytes | None = None) -> DocumentInput:
    """A consent form for paper: no patient, no areas, empty boxes and lines."""
    return DocumentInput(
        document_id=blank_document_id(),
        clinic=clinic_of(settings, logo),
        practitioner="",
        treatment="",
        treatment_label="",
    )


def document_id(consultation: Consultation) -> str:
    """Stable for the same consultation, different for any change to it."""
    digest = hashlib.sha256(fileformat.dumps(consultation).encode("utf-8")).hexdigest()
    return f"CN-{consultation.consultation_date:%Y%m%d}-{digest[:8].upper()}"


def blank_document_id() -> str:
    """Names the version of the wording a paper form was printed with."""
    digest = hashlib.sha256(data.read_bytes(wording.CONSENT) + data.read_bytes(wording.CARE))
    return f"FORM-{digest.hexdigest()[:8].upper()}"


def clinic_of(settings: ClinicSettings, logo: bytes | None = None) -> Clinic:
    """The letterhead's clinic; its times are on the clinic's clock (this computer's
    until a time zone is set up)."""
    return Clinic(
        settings.name,
        settings.address,
        settings.phone,
        settings.email,
        logo,
        set_up=settings.is_set_up,
        time_zone=settings.time_zone,
    )


def _treatable(consultation: Consultation, screening: ScreeningResult) -> Consultation:
    blocked = set(screening.blocked_areas)
    kept = tuple(request for request in consultation.areas if request.area not in blocked)
    if not kept:
        raise InvalidField(
            "areas",
            f"the screening verdict is {screening.verdict} and no requested area can be "
            "treated, so there is nothing to consent to or plan (see `consult check`)",
        )
    return replace(consultation, areas=kept)


def first_session_date(
    consultation: Consultation, screening: ScreeningResult, treatable: Consultation
) -> date:
    """The consultation day, or the latest rebook date of a finding that still applies."""
    kept = set(treatable.area_ids)
    waits = [
        finding.rebook_on
        for finding in screening.findings
        if finding.rebook_on is not None and (not finding.areas or kept & set(finding.areas))
    ]
    return max([consultation.consultation_date, *waits])


def _area_plan(request: fileformat.AreaRequest, treatment: str) -> AreaPlan:
    area = catalogue().area(request.area)
    suggested = suggested_depth(request.area, request.concerns, treatment)
    return AreaPlan(
        area=area.id,
        label=area.label,
        view=area.view,
        concerns=tuple(catalogue().concerns[concern] for concern in request.concerns),
        depth=DepthRange(suggested.min_mm, suggested.max_mm, suggested.note),
    )


def _course(treatable: Consultation, quote: Quote, start: date) -> CourseOfSessions:
    plan = plan_course(treatable)
    sessions = quote.sessions or plan.sessions
    interval = quote.interval_weeks or plan.interval_weeks
    maintenance = tuple(dict.fromkeys(course.maintenance for course in plan.courses))
    return CourseOfSessions(
        sessions, interval, tuple(schedule(start, sessions, interval)), maintenance
    )


def quote_summary(quote: Quote, settings: ClinicSettings) -> QuoteSummary:
    def money(amount: Decimal) -> str:
        return format_money(amount, quote.currency, settings.locale)

    rows = tuple(
        QuoteRow(line.description, str(line.quantity), money(line.unit_price), money(line.amount))
        for line in quote.lines
    )
    totals = total_rows(quote, money)
    return QuoteSummary(rows, tuple(totals), money(quote.total), quote.valid_until)


def _finding_note(finding: Any) -> FindingNote:
    labels = tuple(catalogue().area(area).label for area in finding.areas)
    return FindingNote(finding.severity, finding.message, finding.action, labels)


def _practitioner(consultation: Consultation) -> str:
    value = consultation.extra.get(PRACTITIONER_KEY)
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > fileformat.MAX_TEXT:
        raise InvalidField(PRACTITIONER_KEY, "must be the practitioner's name as text")
    return check_text(value, PRACTITIONER_KEY).strip()


OVERRIDE_KEY = "screening_override"
MAX_OVERRIDE_REASON = 2000


def screening_override(consultation: Consultation) -> str:
    """The practitioner's recorded reason for going on past the screening ("" if none)."""
    raw = consultation.extra.get(OVERRIDE_KEY)
    if raw is None:
        return ""
    if not isinstance(raw, Mapping) or set(raw) - {"reason"}:
        raise InvalidField(OVERRIDE_KEY, 'must be an object with one key, "reason"')
    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidField(f"{OVERRIDE_KEY}.reason", "say why treatment goes ahead (text)")
    if len(reason) > MAX_OVERRIDE_REASON:
        raise InvalidField(
            f"{OVERRIDE_KEY}.reason", f"is longer than {MAX_OVERRIDE_REASON} characters"
        )
    return " ".join(reason.split())


def consent_choices(consultation: Consultation) -> ConsentChoices:
    """The patient's photography choices from the file's optional `consent` object."""
    raw = consultation.extra.get(CONSENT_KEY)
    if raw is None:
        return ConsentChoices()
    if not isinstance(raw, Mapping):
        raise InvalidField(CONSENT_KEY, "must be an object with photography and marketing")
    unknown = sorted(set(raw) - {"photography", "marketing"})
    if unknown:
        raise InvalidField(f"{CONSENT_KEY}.{unknown[0]}", "is not a consent choice")
    for key in ("photography", "marketing"):
        if key in raw and not isinstance(raw[key], bool):
            raise InvalidField(f"{CONSENT_KEY}.{key}", f"{raw[key]!r} must be true or false")
    return ConsentChoices(raw.get("photography"), raw.get("marketing"))
