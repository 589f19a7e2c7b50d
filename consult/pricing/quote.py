"""The quote for a consultation's course: pure, Decimal, reproducible.

Lines: one per priced region (every face zone together is one "face" line), quantity =
the sessions that region's concerns need (or the sessions the practitioner set for the
whole course), then one line per chosen add-on with quantity = the course's sessions.
Areas that screening blocked are left out; with every area blocked the quote is empty.

Discounts are percentages of the subtotal: the course discount when the patient pays
the whole course up front, and the practitioner's manual discount (above the clinic's
limit a manager must approve it). Tax is charged on the subtotal less the discounts.

Rounding rule: every amount is rounded to cents with ROUND_HALF_UP at each step — each
line amount (unit price × quantity), each discount and the tax — and every total is the
sum of those rounded parts, so a patient can check the quote with a calculator:
    subtotal = Σ line amounts; discount = course discount + manual discount;
    taxable = subtotal − discount; total = taxable + tax.
Discounts are capped so nothing is ever negative.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from consult.clinic.settings import ClinicSettings
from consult.clinical.catalogue import catalogue
from consult.clinical.courses import CoursePlan, plan_course
from consult.clinical.fileformat import Consultation
from consult.pricing.money import ZERO, cents, money_text, percent_of
from consult.pricing.options import QuoteOptions, check_add_ons
from consult.pricing.prices import PriceList, session_name

REGION = "region"
ADDON = "addon"


@dataclass(frozen=True)
class QuoteLine:
    kind: str  # "region" or "addon"
    item: str  # region id or add-on id
    description: str
    unit_price: Decimal
    quantity: int
    amount: Decimal

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "item": self.item,
            "description": self.description,
            "unit_price": money_text(self.unit_price),
            "quantity": self.quantity,
            "amount": money_text(self.amount),
        }


@dataclass(frozen=True)
class Quote:
    currency: str
    sessions: int
    interval_weeks: int
    lines: tuple[QuoteLine, ...]
    subtotal: Decimal
    course_discount: Decimal
    manual_discount: Decimal
    discount: Decimal
    taxable: Decimal
    tax_rate: Decimal
    tax: Decimal
    total: Decimal
    valid_until: date
    needs_approval: bool
    price_list_version: int | None
    course_discount_percent: Decimal = ZERO
    manual_discount_percent: Decimal = ZERO

    def to_json(self) -> dict[str, Any]:
        """The spec's `consult quote --json` object: money as two-decimal strings, no floats."""
        return {
            "currency": self.currency,
            "sessions": self.sessions,
            "interval_weeks": self.interval_weeks,
            "lines": [line.to_json() for line in self.lines],
            "subtotal": money_text(self.subtotal),
            "discount": money_text(self.discount),
            "tax": money_text(self.tax),
            "total": money_text(self.total),
            "course_discount": money_text(self.course_discount),
            "manual_discount": money_text(self.manual_discount),
            "tax_rate": f"{self.tax_rate:f}",
            "valid_until": self.valid_until.isoformat(),
            "needs_approval": self.needs_approval,
            "price_list_version": self.price_list_version,
        }


def discount_needs_approval(percent: Decimal, settings: ClinicSettings) -> bool:
    """A manual discount above the clinic's limit waits for a manager's approval."""
    return percent > settings.manual_discount_limit_percent


def build_quote(
    consultation: Consultation,
    price_list: PriceList,
    settings: ClinicSettings,
    options: QuoteOptions = QuoteOptions(),  # noqa: B008  (frozen, so a shared default is safe)
    blocked_areas: Iterable[str] = (),
) -> Quote:
    """Price the course for the consultation's treatable areas."""
    check_add_ons(options.add_ons, consultation.treatment, price_list, "add_ons")
    treatable = _without(consultation, frozenset(blocked_areas))
    plan = plan_course(treatable) if treatable.areas else None
    sessions = 0 if plan is None else options.sessions_override or plan.sessions
    lines = _region_lines(treatable, plan, price_list, options) if plan else []
    if lines:
        lines += _add_on_lines(consultation.treatment, price_list, options.add_ons, sessions)
    subtotal = sum((line.amount for line in lines), ZERO)
    course_percent = settings.course_discount_percent if options.pay_upfront else ZERO
    course_discount = percent_of(subtotal, course_percent)
    # The cap only bites at 100 % in total; the course discount alone never exceeds the subtotal.
    manual_discount = min(
        percent_of(subtotal, options.manual_discount_percent), subtotal - course_discount
    )
    discount = course_discount + manual_discount
    taxable = subtotal - discount
    tax = cents(taxable * settings.tax_rate)
    return Quote(
        currency=settings.currency,
        sessions=sessions,
        interval_weeks=0 if plan is None else plan.interval_weeks,
        lines=tuple(lines),
        subtotal=subtotal,
        course_discount=course_discount,
        manual_discount=manual_discount,
        discount=discount,
        taxable=taxable,
        tax_rate=settings.tax_rate,
        tax=tax,
        total=taxable + tax,
        valid_until=consultation.consultation_date + timedelta(days=settings.quote_validity_days),
        needs_approval=discount_needs_approval(options.manual_discount_percent, settings),
        price_list_version=price_list.version,
        course_discount_percent=course_percent,
        manual_discount_percent=options.manual_discount_percent,
    )


def _without(consultation: Consultation, blocked: frozenset[str]) -> Consultation:
    kept = tuple(request for request in consultation.areas if request.area not in blocked)
    return replace(consultation, areas=kept)


def _region_lines(
    consultation: Consultation, plan: CoursePlan, price_list: PriceList, options: QuoteOptions
) -> list[QuoteLine]:
    areas_by_region: dict[str, list[str]] = {}
    for request in consultation.areas:
        areas_by_region.setdefault(catalogue().region_of(request.area), []).append(request.area)
    lines = []
    for region in catalogue().regions:  # catalogue order: face first, then down the body
        if region not in areas_by_region:
            continue
        price = price_list.region_price(consultation.treatment, region).unit_price
        quantity = options.sessions_override or plan.sessions_by_region[region]
        description = _region_description(region, areas_by_region[region], consultation.treatment)
        lines.append(
            QuoteLine(REGION, region, description, price, quantity, cents(price * quantity))
        )
    return lines


def _region_description(region: str, areas: list[str], treatment: str) -> str:
    """ "Face — cheeks, forehead: micro-needling session"; "Neck: …" when the area is the region."""
    region_label = catalogue().regions[region]
    area_labels = [catalogue().area(area).label for area in areas]
    if area_labels == [region_label]:
        return f"{region_label}: {session_name(treatment)}"
    listed = ", ".join(label[:1].lower() + label[1:] for label in area_labels)
    return f"{region_label} — {listed}: {session_name(treatment)}"


def _add_on_lines(
    treatment: str, price_list: PriceList, add_ons: tuple[str, ...], sessions: int
) -> list[QuoteLine]:
    offered = price_list.add_ons(treatment)
    return [
        QuoteLine(
            ADDON,
            add_on,
            offered[add_on].label,
            offered[add_on].unit_price,
            sessions,
            cents(offered[add_on].unit_price * sessions),
        )
        for add_on in add_ons
    ]
