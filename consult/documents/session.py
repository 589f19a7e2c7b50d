"""The signed treatment session record: what was done, area by area, as a PDF to seal.

Built from a frozen `SessionRecord` (consult.records) and the clinic's letterhead, so
the builder never reaches into the database. The caller seals it
(consult.documents.sealing) and stores it with its own `SR-` document number.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from consult.documents import layout, sections
from consult.documents.model import Clinic
from consult.documents.text import day, esc, moment
from consult.records.course import LotRecord, SessionEntryRecord, SessionRecord

TITLE = "Treatment session record"


def build_session_record(
    record: SessionRecord,
    clinic: Clinic,
    document_number: str,
    *,
    area_labels: dict[str, str],
    practitioner_signature: bytes,
    signed_at: datetime,
    amends_number: str | None = None,
) -> bytes:
    """The session record's PDF, not yet sealed."""

    def label(area: str) -> str:
        return area_labels.get(area, area)

    story: list[Flowable] = [*layout.header(clinic, TITLE, document_number)]
    story.append(
        layout.fields(
            [
                ("Patient", esc(record.patient_name)),
                ("Session date", esc(day(record.session_date))),
                ("Practitioner", esc(record.practitioner)),
                ("Areas", esc(", ".join(label(area) for area in record.areas))),
            ]
        )
    )
    if amends_number:
        story.append(
            layout.para(
                esc(
                    f"This record amends document {amends_number}: "
                    f"{record.amendment_reason or ''}".rstrip(": ")
                )
            )
        )
    story += _screening(record)
    story += [Spacer(0, 3 * mm), layout.heading("What was done")]
    story.append(_entries_table(record.entries, label))
    story += _lots(record.entries)
    story += _responses(record.entries, label)
    story += _adverse_events(record, clinic)
    story += [Spacer(0, 4 * mm)]
    cell = sections.signature_cell(
        "Practitioner", practitioner_signature, record.practitioner, clinic.local(signed_at)
    )
    story.append(sections.signatures_row([cell]))
    return layout.render(
        story, title=TITLE, document_id=document_number, clinic_name=clinic.letterhead_name
    )


def _screening(record: SessionRecord) -> list[Flowable]:
    lines = [f"Changes since the last visit: {', '.join(record.changes) or 'none'}"]
    lines.append(f"Re-screening verdict: {record.verdict}")
    lines += [f"Finding: {finding}" for finding in record.findings]
    if record.override_reason:
        lines.append(f"Override recorded by the practitioner: {record.override_reason}")
    return [Spacer(0, 3 * mm), layout.heading("Re-screening"), layout.bullets(lines)]


def _mm(value: Decimal | None) -> str:
    return f"{value} mm" if value is not None else "–"


def _plan(entry: SessionEntryRecord) -> str:
    if entry.planned_min_mm is None or entry.planned_max_mm is None:
        return "–"
    return f"{entry.planned_min_mm}–{entry.planned_max_mm} mm"


def _rf(entry: SessionEntryRecord) -> str:
    if entry.device.kind != "rf":
        return "–"
    parts = [
        f"energy {entry.rf_energy}" if entry.rf_energy else "",
        f"pulse {entry.rf_pulse_ms} ms" if entry.rf_pulse_ms is not None else "",
        f"tip {entry.rf_tip}" if entry.rf_tip else "",
    ]
    return ", ".join(part for part in parts if part) or "–"


def _flags(entry: SessionEntryRecord) -> str:
    flags = []
    if entry.depth_outside_plan:
        flags.append("depth outside the plan (confirmed)")
    if entry.expired_lot:
        flags.append("expired lot (confirmed)")
    return "; ".join(flags) or "–"


def _entries_table(entries: Sequence[SessionEntryRecord], label: Callable[[str], str]) -> Flowable:
    rows = [
        [
            label(entry.area),
            f"{entry.device.name} ({entry.device.serial})",
            _mm(entry.depth_mm),
            _plan(entry),
            str(entry.passes) if entry.passes is not None else "–",
            _rf(entry),
            _flags(entry),
        ]
        for entry in entries
    ]
    widths = [mm * w for w in (24, 34, 16, 20, 13, 33, 34)]
    return layout.grid(
        ["Area", "Device", "Depth", "Plan", "Passes", "RF settings", "Flags"], rows, widths
    )


def _lot_text(lot: LotRecord | None) -> str:
    if lot is None:
        return "–"
    return f"{lot.maker} {lot.product}, lot {lot.lot_number}, expires {day(lot.expiry)}"


def _lots(entries: Sequence[SessionEntryRecord]) -> list[Flowable]:
    lines = []
    for entry in entries:
        for what, lot in (
            ("Needle cartridge or tip", entry.needle_lot),
            ("Serum or topical", entry.serum_lot),
            ("Numbing cream", entry.numbing_lot),
        ):
            if lot is not None:
                lines.append(f"{what}: {_lot_text(lot)}")
    lines = list(dict.fromkeys(lines))
    if not lines:
        return []
    return [Spacer(0, 3 * mm), layout.heading("Products and lots"), layout.bullets(lines)]


def _responses(
    entries: Sequence[SessionEntryRecord], label: Callable[[str], str]
) -> list[Flowable]:
    lines = []
    for entry in entries:
        text = f"{label(entry.area)}: erythema {entry.erythema} of 3"
        text += ", pinpoint bleeding" if entry.pinpoint_bleeding else ", no pinpoint bleeding"
        if entry.notes:
            text += f"; {entry.notes}"
        lines.append(text)
    if not lines:
        return []
    return [Spacer(0, 3 * mm), layout.heading("Immediate response"), layout.bullets(lines)]


def _adverse_events(record: SessionRecord, clinic: Clinic) -> list[Flowable]:
    if not record.adverse_events:
        return [Spacer(0, 3 * mm), layout.heading("Adverse events"), layout.para("None recorded.")]
    lines = [
        f"{event.happened} — done: {event.action_taken} ({event.recorded_by}, "
        f"{moment(clinic.local(event.recorded_at))})"
        for event in record.adverse_events
    ]
    return [Spacer(0, 3 * mm), layout.heading("Adverse events"), layout.bullets(lines)]
