"""The patient's aftercare sheet: what to do after today's session, and before the next.

Patient paper: every word comes from resources/consent/care.toml (wording a clinic's
medical lead edits) plus the patient's name exactly as written, the session's date, the
areas in words and, when one is booked, the next appointment in the clinic's local time.
Nothing on it is for the practitioner: no findings, depths, lots or record numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from consult.documents import layout, wording
from consult.documents.model import Clinic
from consult.documents.text import day, esc, moment


@dataclass(frozen=True)
class AftercareInput:
    patient_name: str
    session_date: date
    areas: tuple[str, ...]  # in words, as the patient reads them
    next_appointment: datetime | None = None  # aware; printed in the clinic's zone
    sheet_id: str = ""  # on the footer, so a reprint can be matched to its session


def build_aftercare(sheet: AftercareInput, clinic: Clinic) -> bytes:
    """The aftercare sheet's PDF (not sealed: it carries advice, not a record)."""
    title = wording.care_text("aftercare_title")
    story: list[Flowable] = [*layout.header(clinic, title, sheet.sheet_id)]
    rows = [
        ("Patient", esc(sheet.patient_name)),
        ("Treatment date", esc(day(sheet.session_date))),
        ("Areas treated", esc(", ".join(sheet.areas))),
    ]
    if sheet.next_appointment is not None:
        rows.append(("Next appointment", esc(moment(clinic.local(sheet.next_appointment)))))
    story.append(layout.fields(rows))
    story += [Spacer(0, 3 * mm), layout.para(esc(wording.care_text("aftercare_intro")))]
    story += _listed(wording.care_text("after_title"), wording.care_list("after"))
    if sheet.next_appointment is not None:
        story += _listed(wording.care_text("next_title"), wording.care_list("before"))
    story += [Spacer(0, 3 * mm), layout.para(esc(_contact(clinic)))]
    return layout.render(
        story, title=title, document_id=sheet.sheet_id, clinic_name=clinic.letterhead_name
    )


def _listed(title: str, items: Sequence[str]) -> list[Flowable]:
    return [Spacer(0, 2 * mm), layout.subheading(title), layout.bullets(items)]


def _contact(clinic: Clinic) -> str:
    text = wording.care_text("contact")
    return f"{text} Phone: {clinic.phone}." if clinic.set_up and clinic.phone else text
