"""A quote as plain text for a person: the table `consult quote` prints."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from consult.clinic.settings import ClinicSettings
from consult.pricing.format import format_money, format_percent
from consult.pricing.quote import Quote

_HEADINGS = ("Item", "Sessions", "Per session", "Amount")


def quote_text(quote: Quote, settings: ClinicSettings, title: str) -> str:
    """`title`, the course, one row per line, the totals, validity and approval."""

    def money(amount: Decimal) -> str:
        return format_money(amount, quote.currency, settings.locale)

    out = [title]
    if not quote.lines:
        out.append("Nothing to price: every requested area is blocked by the screening.")
    else:
        course = f"Course: {quote.sessions} sessions, {quote.interval_weeks} weeks apart"
        counts = regions_sessions(quote)
        if len({count for _, count in counts}) > 1:
            each = ", ".join(f"{region}: {count}" for region, count in counts)
            course = f"Course: up to {quote.sessions} sessions ({each}), " + (
                f"{quote.interval_weeks} weeks apart"
            )
        out.append(course)
        out.append("")
        out.extend(_table(quote, money))
    out.append("")
    out.append(f"Valid until {quote.valid_until.isoformat()}.")
    if quote.needs_approval:
        out.append(
            f"Needs manager approval: the manual discount of "
            f"{format_percent(quote.manual_discount_percent)} is over the clinic's "
            f"{format_percent(settings.manual_discount_limit_percent)} limit."
        )
    return "\n".join(out) + "\n"


def _table(quote: Quote, money: Callable[[Decimal], str]) -> list[str]:
    rows = [_HEADINGS] + [
        (line.description, str(line.quantity), money(line.unit_price), money(line.amount))
        for line in quote.lines
    ]
    totals = total_rows(quote, money)
    width = [max(len(row[i]) for row in rows) for i in range(4)]
    total_label = max(len(label) for label, _ in totals)
    width[3] = max(width[3], *(len(amount) for _, amount in totals))
    lines = [
        f"{row[0]:<{width[0]}}  {row[1]:>{width[1]}}  {row[2]:>{width[2]}}  {row[3]:>{width[3]}}"
        for row in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    lines.append("-" * len(lines[0]))
    label_width = len(lines[0]) - width[3] - 2
    lines.extend(
        f"{label:>{max(label_width, total_label)}}  {amount:>{width[3]}}"
        for label, amount in totals
    )
    return lines


def total_rows(quote: Quote, money: Callable[[Decimal], str]) -> list[tuple[str, str]]:
    """The quote's (label, amount) total rows, as the command line and the plan print them."""
    totals = [("Subtotal", money(quote.subtotal))]
    if quote.course_discount:
        percent = format_percent(quote.course_discount_percent)
        totals.append((f"Course paid up front ({percent} off)", money(-quote.course_discount)))
    if quote.manual_discount:
        percent = format_percent(quote.manual_discount_percent)
        totals.append((f"Discount ({percent})", money(-quote.manual_discount)))
    if quote.tax_rate:
        totals.append((f"Tax ({format_percent(quote.tax_rate * 100)})", money(quote.tax)))
    totals.append(("Total", money(quote.total)))
    return totals


def regions_sessions(quote: Quote) -> tuple[tuple[str, int], ...]:
    """Each priced region's label and its number of sessions, in the quote's order."""
    from consult.clinical.catalogue import catalogue

    return tuple(
        (catalogue().regions.get(line.item, line.item), line.quantity)
        for line in quote.lines
        if line.kind == "region"
    )
