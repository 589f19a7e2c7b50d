"""The treatment plan: the area map(s), per-area depth, the session dates, care, the quote.

It is given to the patient to take home; it is sealed so a printed or e-mailed copy can
be checked against what the clinic issued.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from consult.clinical import maps
from consult.documents import svgmap, wording
from consult.documents.layout import (
    FRAME_WIDTH,
    RULE,
    bullets,
    fields,
    grid,
    header,
    heading,
    para,
    render,
    styles,
)
from consult.documents.model import (
    AreaPlan,
    CourseOfSessions,
    DocumentInput,
    ExcludedArea,
    QuoteSummary,
)
from consult.documents.sections import (
    area_screening,
    care_after,
    care_before,
    course_summary,
    depth_text,
    excluded_note,
    schedule_table,
    signature_cell,
    signatures_row,
    waits_note,
)
from consult.documents.text import bold, day, esc
from consult.errors import InvalidField

TITLE = "Treatment plan"
VIEW_ORDER = ("face", "body_front", "body_back")
VIEW_CAPTIONS = {"face": "Face", "body_front": "Body, front", "body_back": "Body, back"}
MAP_HEIGHT = 95 * mm
MAP_GAP = 6 * mm


def _replaces(doc: DocumentInput) -> str:
    if doc.replaces is None:
        return ""
    return (
        f"This plan replaces the plan signed with consent {doc.replaces.consent_number}, "
        "which stays on record."
    )


def build_plan(doc: DocumentInput) -> bytes:
    """The treatment plan as PDF bytes (unsealed); needs a patient and their areas."""
    if doc.patient is None:
        raise InvalidField("patient", "a treatment plan needs a patient (a blank form has none)")
    if not doc.areas:
        raise InvalidField("areas", "a treatment plan needs at least one area")
    story: list[Flowable] = header(doc.clinic, TITLE, doc.document_id, _replaces(doc))
    identity = [
        ("Patient", esc(doc.patient.name)),
        ("Date of birth", esc(day(doc.patient.date_of_birth))),
        ("Treatment", esc(doc.treatment_label)),
    ]
    if doc.practitioner:
        identity.append(("Practitioner", esc(doc.practitioner)))
    if doc.override_reason:
        identity.append(("Going ahead because", esc(doc.override_reason)))
    story.append(fields(identity))
    story += _areas(doc.areas, doc.excluded_areas, doc.course)
    story += _course(doc)
    story += [heading(wording.heading("care")), *care_before()]
    if doc.quote is not None:
        story += [*care_after(), *_closing(_quote(doc.quote), doc)]
    else:
        # Without a quote the aftercare list is the last section; it is short enough
        # to travel with the signature.
        story += _closing(care_after(), doc)
    return render(
        story, title=TITLE, document_id=doc.document_id, clinic_name=doc.clinic.letterhead_name
    )


def area_numbers(areas: tuple[AreaPlan, ...]) -> dict[str, int]:
    """The number each chosen area carries on the map and in the table."""
    return {area.area: number for number, area in enumerate(areas, start=1)}


def _areas(
    areas: tuple[AreaPlan, ...],
    excluded: tuple[ExcludedArea, ...],
    course: CourseOfSessions | None = None,
) -> list[Flowable]:
    numbers = area_numbers(areas)
    rows = [
        [
            str(numbers[area.area]),
            area.label,
            ", ".join(area.concerns) or "General rejuvenation",
            depth_text(area),
        ]
        for area in areas
    ]
    widths = [10 * mm, 0.28 * FRAME_WIDTH, 0.30 * FRAME_WIDTH]
    widths.append(FRAME_WIDTH - sum(widths))
    return [
        heading("Treatment areas"),
        _maps(areas, numbers),
        Spacer(0, 3 * mm),
        grid(("#", "Area", "Concerns", "Needle depth"), rows, widths),
        *area_screening(areas, course),
        *excluded_note(excluded),
    ]


def _maps(areas: tuple[AreaPlan, ...], numbers: dict[str, int]) -> Flowable:
    """The maps the chosen areas are on, side by side, each with its caption."""
    views = [view for view in VIEW_ORDER if any(area.view == view for area in areas)]
    width = (FRAME_WIDTH - MAP_GAP * (len(views) - 1)) / len(views)
    width = min(width, 80 * mm)
    s = styles()
    cells = []
    for view in views:
        drawing = svgmap.draw_map(maps.load(view), numbers, width, MAP_HEIGHT)
        cells.append([drawing, para(esc(VIEW_CAPTIONS.get(view, view)), s.small)])
    table = Table([cells], colWidths=[width + MAP_GAP] * len(views), hAlign="CENTER")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                ("BOX", (0, 0), (-1, -1), 0.4, RULE),
            ]
        )
    )
    return table


def _course(doc: DocumentInput) -> list[Flowable]:
    if doc.course is None:
        return []
    sessions: list[Flowable] = [heading("Sessions"), para(f"{course_summary(doc.course)}.")]
    sessions.append(schedule_table(doc.course))
    sessions += waits_note(doc.course)
    # A course has a handful of sessions: keep the schedule on one page.
    story: list[Flowable] = [KeepTogether(sessions)]
    if doc.course.maintenance:
        after = [para(bold("After the course")), bullets(doc.course.maintenance)]
        story += [Spacer(0, 2 * mm), KeepTogether(after)]
    return story


def _quote(quote: QuoteSummary) -> list[Flowable]:
    s = styles()
    rows: list[list[Flowable | str]] = [
        [row.description, row.quantity, row.unit_price, row.amount] for row in quote.rows
    ]
    body_rows = len(rows)
    rows += [["", "", label, amount] for label, amount in quote.totals[:-1]]
    # The last total (what the patient pays) in bold.
    label, amount = quote.totals[-1] if quote.totals else ("Total", quote.total)
    rows.append(["", "", para(bold(label), s.cell_right), para(bold(amount), s.cell_right)])
    widths = [FRAME_WIDTH - 80 * mm, 16 * mm, 32 * mm, 32 * mm]
    table = grid(
        ("Item", "Qty", "Unit price", "Amount"),
        rows,
        widths,
        right_columns=(1, 2, 3),
        totals=len(rows) - body_rows,
    )
    story: list[Flowable] = [heading("Cost of the course"), table]
    if quote.valid_until is not None:
        valid = f"This quote is valid until {esc(day(quote.valid_until))}."
        story.append(para(valid, s.small))
    return story


def _closing(last_section: list[Flowable], doc: DocumentInput) -> list[Flowable]:
    """The last section and the practitioner's signature, kept on one page.

    On its own the signature block can be pushed to a page of its own (a widow that
    signs nothing the reader can see); kept with the section before it, it moves with it.
    """
    cell = signature_cell(
        "Practitioner",
        doc.signatures.practitioner_png,
        doc.practitioner or None,
        doc.signed_locally,
    )
    signature = signatures_row([cell, [Spacer(0, 0)]])
    return [KeepTogether([*last_section, Spacer(0, 6 * mm), signature])]
