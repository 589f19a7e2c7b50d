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

from consult import data
from consult.clinical import fileformat
from consult.clinical.catalogue import catalogue
from consult.clinical.courses import plan_course, schedule
from consult.clinical.depths import suggested_depth, tidy_mm
from consult.clinical.fileformat import Consultation
from consult.clinical.outcome import (
    EXCLUDED,
    AreaOutcome,
    CourseStart,
    area_outcomes,
    course_start,
    excluded_areas,
    has_override,
)
from consult.clinical.screening import BLOCKING, Finding, ScreeningResult, screen
from consult.documents import wording
from consult.documents.amends import amended_number
from consult.documents.model import (
    AreaPlan,
    Clinic,
    ConsentChoices,
    CourseOfSessions,
    DepthRange,
    DocumentInput,
    ExcludedArea,
    FindingNote,
    PatientIdentity,
    QuoteRow,
    QuoteSummary,
    Replaced,
    Signatures,
)
from consult.errors import InvalidField
from consult.pricing import (
    ClinicSettings,
    PriceList,
    Quote,
    QuoteOptions,
    build_quote,
    format_money,
    options_from_consultation,
)
from consult.pricing.text import regions_sessions, total_rows
from consult.protection.safe_text import check_text

# Optional keys of a consultation file this module reads (kept by consult/1 as extras).
PRACTITIONER_KEY = "practitioner"
CONSENT_KEY = "consent"
DEPTHS_KEY = "depths"  # {area: {"min_mm", "max_mm"}}: the depths the practitioner planned
MAX_DEPTH_MM = Decimal(3)
# Printed beside a depth (patient-facing words).
CONSERVATIVE_NOTE = "A gentler depth range, chosen for your skin."


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
    """Everything both documents print for this consultation.

    `override_reason` (or the file's `screening_override`): the practitioner goes ahead
    past the screening's verdict, so no area is left out and a clearance does not hold
    the course back; a wait with a date, or a pregnancy, still does.
    """
    screening = screen(consultation)
    override = bool(override_reason.strip()) or has_override(consultation)
    outcomes = area_outcomes(consultation, screening, override=override)
    treatable = _treatable(consultation, screening, outcomes)
    quote = priced_course(consultation, price_list, settings, options, override_reason)
    start = course_start(consultation, screening, clearance_received=override)
    planned = planned_findings(screening, treatable.area_ids)
    conservative = any(finding.conservative_depth for finding in planned)
    depths = planned_depths(consultation)
    return DocumentInput(
        document_id=document_id(consultation),
        clinic=clinic_of(settings, logo),
        practitioner=practitioner if practitioner is not None else _practitioner(consultation),
        treatment=consultation.treatment,
        treatment_label=catalogue().treatments[consultation.treatment],
        patient=PatientIdentity(consultation.patient.name, consultation.patient.date_of_birth),
        areas=tuple(
            _area_plan(request, consultation.treatment, outcome, conservative, depths)
            for request, outcome in zip(consultation.areas, outcomes, strict=True)
            if outcome.status != EXCLUDED
        ),
        excluded_areas=tuple(
            _excluded(outcome) for outcome in outcomes if outcome.status == EXCLUDED
        ),
        course=_course(treatable, quote, start, first_session),
        quote=quote_summary(quote, settings),
        findings=tuple(_finding_note(finding) for finding in planned),
        verdict=planned[0].severity if planned else "proceed",
        choices=choices if choices is not None else consent_choices(consultation),
        signatures=signatures,
        signed_at=signed_at,
        override_reason=override_reason,
        replaces=_replaces(consultation),
    )


def _replaces(consultation: Consultation) -> Replaced | None:
    number = amended_number(consultation)
    return Replaced(number) if number is not None else None


def priced_course(
    consultation: Consultation,
    price_list: PriceList,
    settings: ClinicSettings,
    options: QuoteOptions | None = None,
    override_reason: str = "",
) -> Quote:
    """The quote both documents print and signing stores: one pricing for both.

    Declined areas are left out; areas that wait are priced and planned from their safe
    date, and the quote stays valid at least until the first session may be booked.
    """
    screening = screen(consultation)
    override = bool(override_reason.strip()) or has_override(consultation)
    outcomes = area_outcomes(consultation, screening, override=override)
    if options is None:
        options = options_from_consultation(consultation, price_list)
    quote = build_quote(consultation, price_list, settings, options, excluded_areas(outcomes))
    first_day = course_start(consultation, screening, clearance_received=override).first_day
    if first_day is not None and first_day > quote.valid_until:
        quote = replace(quote, valid_until=first_day)
    return quote


def planned_findings(screening: ScreeningResult, planned: tuple[str, ...]) -> tuple[Finding, ...]:
    """The findings about the whole treatment or an area being planned, most serious first.

    A declined area is listed as excluded with its reason; its findings do not speak for
    the areas that are treated (a tattooed chest does not make the jawline's result Decline).
    """
    kept = set(planned)
    return tuple(
        finding
        for finding in screening.findings
        if finding.whole_treatment or kept & set(finding.areas)
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


def _treatable(
    consultation: Consultation, screening: ScreeningResult, outcomes: tuple[AreaOutcome, ...]
) -> Consultation:
    left_out = set(excluded_areas(outcomes))
    kept = tuple(request for request in consultation.areas if request.area not in left_out)
    if not kept:
        raise InvalidField(
            "areas",
            f"the screening verdict is {screening.verdict} and every requested area is left "
            "out of treatment, so there is nothing to consent to or plan (see `consult check`)",
        )
    return replace(consultation, areas=kept)


def _patient_reasons(findings: tuple[Finding, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(finding.patient for finding in findings if finding.patient))


def _excluded(outcome: AreaOutcome) -> ExcludedArea:
    declined = tuple(finding for finding in outcome.findings if finding.severity == "decline")
    return ExcludedArea(catalogue().area(outcome.area).label, " ".join(_patient_reasons(declined)))


def _area_plan(
    request: fileformat.AreaRequest,
    treatment: str,
    outcome: AreaOutcome,
    conservative: bool,
    planned: Mapping[str, tuple[Decimal, Decimal]],
) -> AreaPlan:
    area = catalogue().area(request.area)
    suggested = suggested_depth(request.area, request.concerns, treatment, conservative)
    note = CONSERVATIVE_NOTE if suggested.conservative else ""
    suggestion = DepthRange(suggested.min_mm, suggested.max_mm, note, suggested.conservative)
    depth = suggestion
    if request.area in planned:
        low, high = planned[request.area]
        depth = DepthRange(low, high, note, suggested.conservative)
    blocking = tuple(f for f in outcome.findings if f.severity in BLOCKING)
    return AreaPlan(
        area=area.id,
        label=area.label,
        view=area.view,
        concerns=tuple(catalogue().concerns[concern] for concern in request.concerns),
        depth=depth,
        suggested=suggestion,
        today=outcome.today,
        waits_for=_patient_reasons(blocking),
    )


def planned_depths(consultation: Consultation) -> dict[str, tuple[Decimal, Decimal]]:
    """The depths the practitioner settled on (the app's optional `depths` key)."""
    raw = consultation.extra.get(DEPTHS_KEY)
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise InvalidField(DEPTHS_KEY, "must be an object of area: {min_mm, max_mm}")
    depths: dict[str, tuple[Decimal, Decimal]] = {}
    for area, value in raw.items():
        where = f"{DEPTHS_KEY}.{area}"
        if area not in catalogue().areas:
            raise InvalidField(where, "is not a known area")
        if not isinstance(value, Mapping):
            raise InvalidField(where, "must be an object with min_mm and max_mm")
        low = _millimetres(value.get("min_mm"), f"{where}.min_mm")
        high = _millimetres(value.get("max_mm"), f"{where}.max_mm")
        if low > high:
            raise InvalidField(where, f"{low} mm is deeper than {high} mm")
        depths[area] = (tidy_mm(low), tidy_mm(high))
    return depths


def _millimetres(value: Any, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidField(where, f"{value!r} must be a depth in mm, as text such as \"0.5\"")
    try:
        depth = Decimal(str(value))
    except ArithmeticError:
        raise InvalidField(where, f"{value!r} is not a depth in mm") from None
    if not (depth.is_finite() and 0 < depth <= MAX_DEPTH_MM):
        raise InvalidField(where, f"{value} must be above 0 and at most {MAX_DEPTH_MM} mm")
    return depth


def _course(
    treatable: Consultation, quote: Quote, start: CourseStart, asked: date | None
) -> CourseOfSessions:
    """The sessions, never before a wait the screening or the before-care states."""
    plan = plan_course(treatable)
    sessions = quote.sessions or plan.sessions
    interval = quote.interval_weeks or plan.interval_weeks
    maintenance = tuple(dict.fromkeys(course.maintenance for course in plan.courses))
    waits = _patient_reasons(start.waits)
    counts = regions_sessions(quote)
    by_region = counts if len({count for _, count in counts}) > 1 else ()
    if start.first_day is None:
        return CourseOfSessions(sessions, interval, (), maintenance, waits, by_region)
    first = max(start.first_day, asked) if asked is not None else start.first_day
    dates = tuple(schedule(first, sessions, interval))
    return CourseOfSessions(sessions, interval, dates, maintenance, waits, by_region)


def quote_summary(quote: Quote, settings: ClinicSettings) -> QuoteSummary:
    def money(amount: Decimal) -> str:
        return format_money(amount, quote.currency, settings.locale)

    rows = tuple(
        QuoteRow(line.description, str(line.quantity), money(line.unit_price), money(line.amount))
        for line in quote.lines
    )
    totals = total_rows(quote, money)
    return QuoteSummary(rows, tuple(totals), money(quote.total), quote.valid_until)


def _finding_note(finding: Finding) -> FindingNote:
    """Only the rule's patient-facing sentence: never the practitioner's words or sources."""
    labels = tuple(catalogue().area(area).label for area in finding.areas)
    return FindingNote(finding.severity, finding.patient, "", labels)


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
