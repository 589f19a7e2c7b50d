"""The patient's progress photographs: chosen before/after pairs side by side, as a PDF.

Patient paper: the patient's name as written, the dates of the photos and what each
shows in plain words; no file names, fingerprints or notes for the practitioner. Built
from frozen records (consult.records); the caller seals it with its `PR-` number.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Image, KeepTogether, Spacer, Table, TableStyle

from consult.documents import layout
from consult.documents.model import Clinic
from consult.documents.text import day, esc, moment
from consult.records.photos import PhotoImage

TITLE = "Your progress photographs"
PHOTO_HEIGHT = 95 * mm
GAP = 6 * mm


@dataclass(frozen=True)
class ProgressPair:
    """Two photos of one view, older first, with the words a patient reads for them."""

    area_label: str
    view_label: str
    first: PhotoImage
    second: PhotoImage


def build_progress(
    clinic: Clinic,
    patient_name: str,
    document_number: str,
    pairs: Sequence[ProgressPair],
    issued_at: datetime,
) -> bytes:
    """The progress PDF, not yet sealed."""
    story: list[Flowable] = [*layout.header(clinic, TITLE, document_number)]
    story.append(
        layout.fields(
            [
                ("Patient", esc(patient_name)),
                ("Issued", esc(moment(clinic.local(issued_at)))),
            ]
        )
    )
    story.append(
        layout.para(
            esc(
                "These photographs show the treated areas before and after your treatment, "
                "taken from the same angle so the change can be seen side by side."
            )
        )
    )
    for pair in pairs:
        story.append(KeepTogether(_pair(pair)))
    return layout.render(
        story, title=TITLE, document_id=document_number, clinic_name=clinic.letterhead_name
    )


def _pair(pair: ProgressPair) -> list[Flowable]:
    width = (layout.FRAME_WIDTH - GAP) / 2
    images = [_image(photo.jpeg, width) for photo in (pair.first, pair.second)]
    captions = [layout.para(esc(_caption(photo))) for photo in (pair.first, pair.second)]
    table = Table([images, captions], colWidths=[width + GAP / 2] * 2, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return [
        Spacer(0, 4 * mm),
        layout.heading(f"{pair.area_label}: {pair.view_label}"),
        table,
    ]


def _caption(photo: PhotoImage) -> str:
    record = photo.photo
    when = "Before treatment" if record.stage == "before" else "After treatment"
    caption = f"{when}, {day(record.taken_on)}"
    if record.session_date is not None and record.session_date != record.taken_on:
        caption += f" (session of {day(record.session_date)})"
    return caption


def _image(jpeg: bytes, width: float) -> Image:
    image = Image(io.BytesIO(jpeg))
    scale = min(PHOTO_HEIGHT / image.imageHeight, width / image.imageWidth)
    image.drawHeight = image.imageHeight * scale
    image.drawWidth = image.imageWidth * scale
    image.hAlign = "LEFT"
    return image
