"""What the consent form and the plan share: styles, header, tables, page footer.

Every page carries the document id and "Page x of y". The total is only known when
the story is laid out, so the canvas keeps each page's state and draws the footers
when the document is saved (a one-pass build).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas
from reportlab.platypus import (
    Flowable,
    Image,
    ListFlowable,
    ListItem,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.doctemplate import BaseDocTemplate, LayoutError, PageTemplate
from reportlab.platypus.frames import Frame

from consult.documents import fonts
from consult.documents.images import check_logo
from consult.documents.model import Clinic
from consult.documents.text import esc, escape
from consult.errors import ConsultError

if TYPE_CHECKING:  # names the stubs give for types reportlab leaves unnamed
    from reportlab.platypus.paraparser import ParaFrag
    from reportlab.platypus.tables import _TableCommand

PAGE = A4
MARGIN = 18 * mm
BOTTOM_MARGIN = 20 * mm
FRAME_WIDTH = PAGE[0] - 2 * MARGIN
INK = colors.HexColor("#1f2933")
MUTED = colors.HexColor("#52606d")
RULE = colors.HexColor("#9aa5b1")
SHADE = colors.HexColor("#eef2f6")
FOOTER_NAME = 50  # characters of the clinic's name in the page footer


@dataclass(frozen=True)
class Styles:
    body: ParagraphStyle
    small: ParagraphStyle
    title: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    clinic: ParagraphStyle


@cache
def styles() -> Styles:
    fonts.register()
    body = ParagraphStyle(
        "body", fontName=fonts.REGULAR, fontSize=9.5, leading=13, textColor=INK, spaceAfter=4
    )
    return Styles(
        body=body,
        small=ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=MUTED),
        title=ParagraphStyle(
            "title", parent=body, fontName=fonts.BOLD, fontSize=16, leading=20, spaceAfter=2
        ),
        heading=ParagraphStyle(
            "heading",
            parent=body,
            fontName=fonts.BOLD,
            fontSize=11.5,
            leading=15,
            spaceBefore=9,
            spaceAfter=4,
            keepWithNext=1,
        ),
        subheading=ParagraphStyle(
            "subheading",
            parent=body,
            fontName=fonts.BOLD,
            fontSize=9.5,
            leading=13,
            spaceBefore=3,
            spaceAfter=2,
            keepWithNext=1,
        ),
        cell=ParagraphStyle("cell", parent=body, spaceAfter=0),
        cell_right=ParagraphStyle("cell_right", parent=body, spaceAfter=0, alignment=TA_RIGHT),
        clinic=ParagraphStyle("clinic", parent=body, fontName=fonts.BOLD, fontSize=13, leading=16),
    )


def para(markup: str, style: ParagraphStyle | None = None) -> Paragraph:
    """A Paragraph from markup that has already been escaped (see consult.documents.text)."""
    style = style or styles().body
    # A copy of the cached list: reportlab replaces a paragraph's list, never edits it,
    # but a shared list must not be the one a future version edits.
    return Paragraph(markup, style, frags=list(_parsed(markup, style)))


# Most paragraphs (the consent and care wording, headings, table labels) are the same
# in every document; parsing their markup was a sixth of the time to build one.
_PARSED_KEPT = 4096


@lru_cache(maxsize=_PARSED_KEPT)
def _parsed(markup: str, style: ParagraphStyle) -> tuple[ParaFrag, ...]:
    """reportlab's parse of `markup` in `style` (its text fragments), once per process."""
    return tuple(Paragraph(markup, style).frags)


def heading(text: str) -> Paragraph:
    return para(esc(text), styles().heading)


def subheading(text: str) -> Paragraph:
    return para(esc(text), styles().subheading)


def bullets(items: Iterable[str]) -> ListFlowable:
    """Plain-text items as a bulleted list."""
    return ListFlowable(
        # types-reportlab leaves ListItem out of what ListFlowable takes; reportlab takes it.
        [ListItem(para(esc(item)), leftIndent=12, value="•") for item in items],  # type: ignore[misc]
        bulletType="bullet",
        start="•",
        leftIndent=12,
        bulletFontName=fonts.REGULAR,
        bulletFontSize=9,
    )


def header(
    clinic: Clinic, title: str, document_id: str, replaces: str = ""
) -> list[Flowable]:
    """Clinic identity (with its logo when given), the title and the document id.

    `replaces` names the earlier signed version an amendment replaces.
    """
    s = styles()
    lines = [para(esc(clinic.letterhead_name, bold=True), s.clinic)]
    if clinic.set_up:
        # Details of a clinic not yet set up are not printed: they were never given.
        contact = " · ".join(part for part in (clinic.phone, clinic.email) if part)
        if clinic.address:
            lines.append(para(esc(clinic.address), s.small))
        if contact:
            lines.append(para(esc(contact), s.small))
    logo = _logo(clinic.logo)
    if logo is not None:
        block: Flowable = Table(
            [[logo, lines]],
            colWidths=[logo.drawWidth + 6 * mm, FRAME_WIDTH - logo.drawWidth - 6 * mm],
            style=_PLAIN,
        )
    else:
        block = Table([[lines]], colWidths=[FRAME_WIDTH], style=_PLAIN)
    rule = Table([[""]], colWidths=[FRAME_WIDTH], rowHeights=[2])
    rule.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.8, RULE)]))
    return [
        block,
        Spacer(0, 3 * mm),
        rule,
        Spacer(0, 4 * mm),
        para(esc(title), s.title),
        para(f"Document {esc(document_id)}", s.small),
        *([para(esc(replaces), s.small)] if replaces else []),
        Spacer(0, 2 * mm),
    ]


def _logo(data: bytes | None) -> Image | None:
    if data is None:
        return None
    image = Image(io.BytesIO(check_logo(data)))
    scale = min(18 * mm / image.imageHeight, 45 * mm / image.imageWidth)
    image.drawHeight = image.imageHeight * scale
    image.drawWidth = image.imageWidth * scale
    return image


_PLAIN = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]
)


def grid(
    header_row: Sequence[str] | None,
    rows: Sequence[Sequence[Flowable | str]],
    widths: Sequence[float],
    right_columns: Sequence[int] = (),
    totals: int = 0,
) -> Table:
    """A ruled table; plain strings become escaped Paragraphs so long text wraps.

    The last `totals` rows are summary rows: ruled only in their last two columns.
    """
    s = styles()

    def cell(value: Flowable | str, column: int, bold_cell: bool = False) -> Flowable:
        if not isinstance(value, str):
            return value
        style = s.cell_right if column in right_columns else s.cell
        markup = f"<b>{esc(value)}</b>" if bold_cell else esc(value)
        return para(markup, style)

    data = [[cell(value, i) for i, value in enumerate(row)] for row in rows]
    if header_row is not None:
        data.insert(0, [cell(value, i, bold_cell=True) for i, value in enumerate(header_row)])
    table = Table(data, colWidths=list(widths), repeatRows=1 if header_row else 0, hAlign="LEFT")
    last_ruled = len(data) - 1 - totals
    commands: list[_TableCommand] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("GRID", (0, 0), (-1, last_ruled), 0.4, RULE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if totals:
        commands.append(("GRID", (-2, last_ruled + 1), (-1, -1), 0.4, RULE))
    if header_row is not None:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), SHADE))
    table.setStyle(TableStyle(commands))
    return table


def fields(rows: Sequence[tuple[str, str]]) -> Table:
    """Label / value pairs (patient identity and the like), no grid."""
    s = styles()
    data = [[para(esc(label), s.small), para(value, s.cell)] for label, value in rows]
    table = Table(data, colWidths=[42 * mm, FRAME_WIDTH - 42 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


class _NumberedCanvas(canvas.Canvas):
    """Draws `Document <id> · Page x of y` on every page once the page count is known."""

    footer_text = ""
    footer_markup = ""  # the same as Paragraph markup when it needs other fonts

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]  # reportlab's own, not in its stubs

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        self.saveState()
        self.setFont(fonts.REGULAR, 7.5)
        self.setFillColor(MUTED)
        self.setStrokeColor(RULE)
        self.setLineWidth(0.4)
        self.line(MARGIN, 13 * mm, PAGE[0] - MARGIN, 13 * mm)
        if self.footer_markup:
            footer = Paragraph(self.footer_markup, _footer_style())
            footer.wrapOn(self, FRAME_WIDTH - 25 * mm, 12 * mm)
            footer.drawOn(self, MARGIN, 9 * mm - footer.style.leading + footer.style.fontSize)
        else:
            self.drawString(MARGIN, 9 * mm, self.footer_text)
        self.drawRightString(PAGE[0] - MARGIN, 9 * mm, f"Page {number} of {total}")
        self.restoreState()


@cache
def _footer_style() -> ParagraphStyle:
    return ParagraphStyle(
        "footer", fontName=fonts.REGULAR, fontSize=7.5, leading=9, textColor=MUTED
    )


@contextmanager
def _binary_streams() -> Iterator[None]:
    """Compressed streams without the ASCII85 layer reportlab adds by default.

    ASCII85 only matters for 7-bit mail transports; it makes the file a quarter larger
    and, without reportlab's optional C accelerator, is the slowest step of a build.
    """
    saved = rl_config.useA85
    rl_config.useA85 = 0
    try:
        yield
    finally:
        rl_config.useA85 = saved


def render(story: list[Flowable], *, title: str, document_id: str, clinic_name: str) -> bytes:
    """Lay out `story` on A4 with the numbered footer; the PDF's bytes."""
    fonts.register()
    # Shortened so a long clinic name never runs into "Page x of y".
    name = clinic_name if len(clinic_name) <= FOOTER_NAME else clinic_name[: FOOTER_NAME - 1] + "…"
    footer = f"{name} · {title} · Document {document_id}"
    markup = esc(footer)
    # A name in another script (Arabic, Chinese…) is drawn as a Paragraph, which
    # switches fonts; plain text is drawn directly, the quicker way.
    attributes = {
        "footer_text": footer,
        "footer_markup": "" if markup == escape(footer) else markup,
    }
    numbered = type("NumberedCanvas", (_NumberedCanvas,), attributes)
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=PAGE,
        title=f"{title} {document_id}",
        author=clinic_name,
        subject=title,
        creator="Consult",
    )
    # No frame padding: tables sized to FRAME_WIDTH line up with the text and footer.
    frame = Frame(
        MARGIN,
        BOTTOM_MARGIN,
        FRAME_WIDTH,
        PAGE[1] - MARGIN - BOTTOM_MARGIN,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame])])
    try:
        with _binary_streams():
            doc.build(story, canvasmaker=numbered)  # type: ignore[arg-type]  # a Canvas class
    except LayoutError as exc:
        # A single block taller than a page (say, a 2000-character note in one cell).
        raise ConsultError(f"{title}: a section is too long to fit on a page ({exc})") from None
    return buffer.getvalue()
