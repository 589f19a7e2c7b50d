"""Blocks printed on both documents: areas, course dates, care advice, signatures."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, Spacer, Table, TableStyle

from consult.documents import wording
from consult.documents.images import check_png
from consult.documents.layout import FRAME_WIDTH, RULE, bullets, grid, para, styles, subheading
from consult.documents.model import AreaPlan, CourseOfSessions, ExcludedArea
from consult.documents.text import SHORT_BLANK_LINE, bold, day, esc, moment

SIGNATURE_HEIGHT = 20 * mm
SIGNATURE_WIDTH = 60 * mm


def areas_table(areas: Sequence[AreaPlan], blank_rows: int = 0) -> Table:
    """Area | concerns | needle depth; `blank_rows` empty rows to fill in by hand."""
    rows: list[list[Flowable | str]] = [
        [area.label, ", ".join(area.concerns) or "General rejuvenation", _depth(area)]
        for area in areas
    ]
    # An empty row tall enough to write in by hand.
    rows.extend([Spacer(0, 6 * mm), "", ""] for _ in range(blank_rows))
    widths = [0.34 * FRAME_WIDTH, 0.36 * FRAME_WIDTH, 0.30 * FRAME_WIDTH]
    return grid(("Area", "Concerns", "Needle depth"), rows, widths)


def excluded_note(excluded: Sequence[ExcludedArea]) -> list[Flowable]:
    """Requested areas the screening leaves out of treatment, each with the reason."""
    if not excluded:
        return []
    items = [f"{area.label}: {area.reason}" if area.reason else area.label for area in excluded]
    return [
        Spacer(0, 2 * mm),
        para(bold("Not treated (left out because of the screening):")),
        bullets(items),
    ]


def area_screening(
    areas: Sequence[AreaPlan], course: CourseOfSessions | None = None
) -> list[Flowable]:
    """Per area: "can be treated today" or "not today" with the reason, in the patient's words.

    When the whole course waits (before-care such as stopping smoking 2 weeks before), an
    area the screening lets through is not promised for today.
    """
    if not areas:
        return []
    course_waits = course is not None and bool(course.waits)
    items = []
    for area in areas:
        if area.today and course_waits:
            items.append(
                f"{area.label}: nothing in the screening stands in the way; the first session"
                " waits as set out under the sessions."
            )
        elif area.today:
            items.append(f"{area.label}: can be treated today.")
        else:
            reasons = " ".join(area.waits_for)
            items.append(f"{area.label}: not today. {reasons}".strip())
    return [Spacer(0, 2 * mm), para(bold("Screening, area by area:")), bullets(items)]


def depth_text(area: AreaPlan) -> str:
    """The planned range, with the patient-facing notes and a flag when outside the suggestion."""
    if area.depth is None:
        return "set by the practitioner"
    lines = [area.depth.text]
    if area.depth.note:
        lines.append(area.depth.note)
    if area.outside_suggested and area.suggested is not None:
        lines.append(
            f"Outside the suggested {area.suggested.text}: chosen on purpose by the practitioner."
        )
    return "\n".join(lines)


def _depth(area: AreaPlan) -> str:
    return depth_text(area)


def schedule_table(course: CourseOfSessions) -> Table:
    """The dates, or, while the first session waits for something undated, the spacing."""
    if course.dates:
        rows = [
            [f"Session {number}", day(when)] for number, when in enumerate(course.dates, start=1)
        ]
    else:
        weeks = "week" if course.interval_weeks == 1 else "weeks"
        rows = [["Session 1", "to be booked once the wait below is over"]]
        gap = f"about {course.interval_weeks} {weeks} after session"
        rows += [
            [f"Session {number}", f"{gap} {number - 1}"] for number in range(2, course.sessions + 1)
        ]
    return grid(("Session", "Planned date"), rows, [40 * mm, FRAME_WIDTH - 40 * mm])


def waits_note(course: CourseOfSessions) -> list[Flowable]:
    """What the first session waits for, in the patient's words."""
    if not course.waits:
        return []
    lead = (
        f"The first session is not before {esc(day(course.dates[0]))}, because:"
        if course.dates
        else "What the first session waits for:"
    )
    return [para(bold(lead)), bullets(course.waits)]


def course_summary(course: CourseOfSessions) -> str:
    """`4 sessions, about 4 weeks apart` as markup (`up to 4 …` when regions differ)."""
    sessions = "session" if course.sessions == 1 else "sessions"
    weeks = "week" if course.interval_weeks == 1 else "weeks"
    text = f"{bold(course.sessions)} {sessions}, about {bold(course.interval_weeks)} {weeks} apart"
    if not course.by_region:
        return text
    each = ", ".join(f"{esc(region)}: {count}" for region, count in course.by_region)
    return f"up to {text} ({each})"


def care_blocks() -> list[Flowable]:
    return [*care_before(), *care_after()]


def care_before() -> list[Flowable]:
    return [subheading(wording.care_text("before_title")), bullets(wording.care_list("before"))]


def care_after() -> list[Flowable]:
    return [subheading(wording.care_text("after_title")), bullets(wording.care_list("after"))]


def signature_cell(
    role: str, png: bytes | None, name: str | None, signed_at: datetime | None
) -> list[Flowable]:
    """One signature: the image (or an empty line to sign on), printed name, date and time."""
    s = styles()
    mark: Flowable = Spacer(0, SIGNATURE_HEIGHT)
    if png is not None:
        mark = _signature_image(check_png(png, f"{role.lower()} signature"))
    line = Table([[mark]], colWidths=[SIGNATURE_WIDTH], rowHeights=[SIGNATURE_HEIGHT + 2 * mm])
    line.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, -1), 0.6, RULE),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    when = moment(signed_at) if (png is not None and signed_at is not None) else SHORT_BLANK_LINE
    printed = esc(name) if name else SHORT_BLANK_LINE
    return [
        para(bold(role), s.cell),
        line,
        para(f"{esc(wording.consent_text('signatures.name'))}: {printed}", s.cell),
        para(f"{esc(wording.consent_text('signatures.when'))}: {esc(when)}", s.cell),
    ]


def _signature_image(png: bytes) -> Image:
    image = Image(io.BytesIO(png))
    scale = min(SIGNATURE_HEIGHT / image.imageHeight, SIGNATURE_WIDTH / image.imageWidth)
    image.drawHeight = image.imageHeight * scale
    image.drawWidth = image.imageWidth * scale
    image.hAlign = "LEFT"
    return image


def signatures_row(cells: Sequence[list[Flowable]]) -> Table:
    width = FRAME_WIDTH / len(cells)
    table = Table([list(cells)], colWidths=[width] * len(cells))
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return table
