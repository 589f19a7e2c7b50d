"""The demo clinic's course after the consent: devices, lots, sealed sessions, bookings.

Called by consult.app.demo inside its one transaction, with its own seeded random
generator, so the rest of the demo stays as it was for a seed. A share of the
patients whose consultation was completed has had sessions: each one a signed record
whose PDF is really built and sealed (as the app would), so the number of treated
patients is capped to keep `consult demo` quick whatever the patient count. Some lots
are used by several patients, one serum lot has expired (and a session that used it
anyway is flagged), a few signed sessions have amendments, and the next sessions are
booked, several of them due this week.
"""

from __future__ import annotations

import hashlib
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from PIL import Image, ImageDraw
from sqlalchemy.orm import Session

from consult.clinic import setup as clinic
from consult.clinic.settings import ClinicSettings
from consult.clinical.catalogue import catalogue
from consult.clinical.courses import plan_course
from consult.clinical.depths import suggested_depth
from consult.clinical.fileformat import Consultation
from consult.clinical.screening import screen
from consult.documents import numbers
from consult.errors import ConsultError
from consult.records.course import (
    AdverseEventRecord,
    DeviceRecord,
    LotRecord,
    SessionEntryRecord,
    SessionRecord,
)
from consult.storage.models.course import (
    AdverseEvent,
    Booking,
    Device,
    ProductLot,
    SessionEntry,
    TreatmentSession,
)

# A share of the treatable completed consultations has a course under way, capped so the
# sealing (tens of milliseconds a record) keeps the demo quick at any size.
COURSE_SHARE = 0.3
MAX_COURSE_PATIENTS = 24
MAX_CANDIDATES = 2000
TREATABLE = ("proceed", "precautions")
AMENDMENTS = 3
DUE_THIS_WEEK = 5
DEPTH_STEP = Decimal("0.25")

DEVICES = (
    ("SkinPen Precision", "mechanical", "SP-20417"),
    ("Dermapen 4", "mechanical", "DP4-88213"),
    ("Morpheus8", "rf", "M8-30591"),
)
# (maker, product, kind, lot number, expiry in days from today)
LOTS = (
    ("Crown Aesthetics", "SkinPen 14-needle cartridge", "cartridge", "SPC-24117", 420),
    ("Crown Aesthetics", "SkinPen 14-needle cartridge", "cartridge", "SPC-24302", 510),
    ("Dermapen", "Dermapen 16-pin cartridge", "cartridge", "DPC-7731", 380),
    ("InMode", "Morpheus8 Prime 12-pin tip", "tip", "M8P-5520", 300),
    ("Lumen Labs", "Hyaluronic acid serum", "serum", "HA-0412", 240),
    # The expired lot: a session after its expiry used it anyway and is flagged.
    ("Lumen Labs", "Hyaluronic acid serum", "serum", "HA-0298", -30),
    ("Ferndale", "Lidocaine 4% cream", "numbing", "LC-1190", 365),
)
ADVERSE = (
    ("Prolonged pinpoint bleeding on the left cheek", "Pressure with sterile gauze; settled"),
    ("Urticarial wheals after the serum", "Serum removed; cold compress; settled in 20 min"),
)


@dataclass(frozen=True)
class Treatable:
    """A completed consultation of the demo that could have a course."""

    consultation_id: int
    patient_id: int
    patient_name: str
    practitioner_id: int
    consultation: Consultation
    verdict: str


class CandidatePool:
    """The completed consultations a course may follow, kept bounded whatever the demo's
    size: the first MAX_CANDIDATES that could be treated, and the first waiting for a
    clearance (which gets a booking flagged so in "Due")."""

    def __init__(self) -> None:
        self.treatable: list[Treatable] = []
        self.clearance: Treatable | None = None

    def offer(self, visit: Treatable) -> None:
        if visit.verdict == "clearance" and self.clearance is None:
            self.clearance = visit
        elif visit.verdict in TREATABLE and len(self.treatable) < MAX_CANDIDATES:
            self.treatable.append(visit)

    @property
    def visits(self) -> list[Treatable]:
        return self.treatable + ([self.clearance] if self.clearance else [])


@dataclass(frozen=True)
class CourseSummary:
    devices: int
    lots: int
    sessions: int
    amendments: int
    bookings: int
    photos: int = 0


def add_course(
    session: Session,
    rng: random.Random,
    today: date,
    settings: ClinicSettings,
    pool: CandidatePool,
    names: dict[int, str],
) -> CourseSummary:
    builder = _Course(session, rng, today, settings, names)
    return builder.fill(pool.visits)


class _Course:
    def __init__(
        self,
        session: Session,
        rng: random.Random,
        today: date,
        settings: ClinicSettings,
        names: dict[int, str],
    ) -> None:
        self.session = session
        self.rng = rng
        self.today = today
        self.settings = settings
        self.names = names
        self.zone = clinic.zone_of(settings)
        self.sessions = 0
        self.bookings = 0
        self.photos = 0
        self.signatures: dict[int, bytes] = {}
        self._certificate: Any = None

    def fill(self, visits: Sequence[Treatable]) -> CourseSummary:
        now = datetime.now(UTC)
        self._visits_by_consultation = {visit.consultation_id: visit for visit in visits}
        self.devices = [Device(name=n, kind=k, serial=s, created_at=now) for n, k, s in DEVICES]
        self.lots = [
            ProductLot(
                maker=maker,
                product=product,
                kind=kind,
                lot_number=number,
                expiry=self.today + timedelta(days=days),
                created_at=now,
            )
            for maker, product, kind, number, days in LOTS
        ]
        self.session.add_all([*self.devices, *self.lots])
        self.session.flush()
        chosen = self._chosen(visits)
        signed: list[TreatmentSession] = []
        for index, visit in enumerate(chosen):
            rows = self._course_of(visit, due_this_week=index < DUE_THIS_WEEK)
            self._photos(visit, rows)
            signed += rows
        amended = self._amend(signed[:: max(1, len(signed) // AMENDMENTS)][:AMENDMENTS])
        self._waiting_for_clearance(visits)
        return CourseSummary(
            len(self.devices), len(self.lots), self.sessions, amended, self.bookings, self.photos
        )

    def _chosen(self, visits: Sequence[Treatable]) -> list[Treatable]:
        earliest = self.today - timedelta(days=7)
        treatable = [
            visit
            for visit in visits
            if visit.verdict in TREATABLE
            and visit.consultation.consultation_date <= earliest
        ]
        # One course per patient: their latest completed consultation.
        latest: dict[int, Treatable] = {}
        for visit in treatable:
            known = latest.get(visit.patient_id)
            if (
                known is None
                or known.consultation.consultation_date < visit.consultation.consultation_date
            ):
                latest[visit.patient_id] = visit
        count = min(MAX_COURSE_PATIENTS, max(1, round(len(latest) * COURSE_SHARE)))
        ordered = sorted(latest.values(), key=lambda v: v.consultation_id)
        return self.rng.sample(ordered, min(count, len(ordered)))

    # ---------------------------------------------------------------- a course

    def _course_of(self, visit: Treatable, *, due_this_week: bool) -> list[TreatmentSession]:
        plan = plan_course(visit.consultation)
        gap = timedelta(weeks=plan.interval_weeks)
        start = visit.consultation.consultation_date
        past = [start + gap * n for n in range(plan.sessions) if start + gap * n < self.today]
        done = past[: self.rng.randint(1, len(past))]
        rows = [self._session(visit, number, day) for number, day in enumerate(done, start=1)]
        for number, row in enumerate(rows, start=1):
            self._booking(visit, number, self._at(row.session_date), "done")
        if len(done) < plan.sessions:
            following = done[-1] + gap
            if due_this_week:
                # Someone is due (or overdue) this week in every demo, whatever its date.
                following = self.today + timedelta(
                    days=self.rng.randint(-3, 6 - self.today.weekday())
                )
            status = self._booking_status(following)
            self._booking(visit, len(done) + 1, self._at(following), status)
        return rows

    def _photos(self, visit: Treatable, rows: list[TreatmentSession]) -> None:
        """Synthetic before/after photos of the course's first area (demo consent has
        clinical photography agreed)."""
        from consult.app.demo_photos import session_photo_rows
        from consult.storage.models.photos import Photo

        area = rows[0].areas[0] if rows and rows[0].areas else None
        if area is None:
            return
        found = session_photo_rows(
            visit.consultation_id, visit.patient_id, visit.practitioner_id, area, rows
        )
        self.session.add_all([Photo(**values) for values in found])
        self.photos += len(found)

    def _booking_status(self, day: date) -> str:
        """A next session long past was never attended (the patient stopped); one close to
        today is booked, a later one still proposed."""
        if day < self.today - timedelta(weeks=1):
            return "cancelled"
        return "booked" if day <= self.today + timedelta(weeks=2) else "proposed"

    def _at(self, day: date) -> datetime:
        return datetime.combine(
            day, time(self.rng.randint(9, 16), self.rng.choice((0, 30))), self.zone
        )

    def _booking(
        self, visit: Treatable, number: int, starts: datetime, status: str, waits: bool = False
    ) -> None:
        now = datetime.now(UTC)
        self.session.add(
            Booking(
                patient_id=visit.patient_id,
                consultation_id=visit.consultation_id,
                practitioner_id=visit.practitioner_id,
                session_number=number,
                starts_at=starts,
                status=status,
                waits_for_clearance=waits,
                created_at=now,
                updated_at=now,
            )
        )
        self.bookings += 1

    def _waiting_for_clearance(self, visits: Sequence[Treatable]) -> None:
        for visit in visits:
            if visit.verdict == "clearance":
                day = self.today + timedelta(days=self.rng.randint(0, 6 - self.today.weekday()))
                self._booking(visit, 1, self._at(day), "proposed", waits=True)
                return

    def _session(self, visit: Treatable, number: int, day: date) -> TreatmentSession:
        consultation = replace(visit.consultation, consultation_date=day)
        screening = screen(consultation)
        areas = [a.area for a in consultation.areas if a.area not in screening.blocked_areas]
        areas = areas or [consultation.areas[0].area]
        at = self._at(day)
        row = TreatmentSession(
            patient_id=visit.patient_id,
            consultation_id=visit.consultation_id,
            practitioner_id=visit.practitioner_id,
            session_date=day,
            status="draft",
            areas=areas,
            changes={},
            screening=screening.to_json(),
            created_at=at.astimezone(UTC),
            updated_at=at.astimezone(UTC),
        )
        self.session.add(row)
        self.session.flush()
        entries = [self._entry(row, visit, area) for area in areas]
        self.session.add_all(entries)
        events = []
        if self.rng.random() < 0.06:
            happened, done = self.rng.choice(ADVERSE)
            events.append(
                AdverseEvent(
                    session_id=row.id,
                    happened=happened,
                    action_taken=done,
                    recorded_by=visit.practitioner_id,
                    recorded_at=at.astimezone(UTC),
                )
            )
            self.session.add_all(events)
        self.session.flush()
        self._seal(row, visit, entries, events, at + timedelta(minutes=50))
        self.sessions += 1
        return row

    def _entry(self, row: TreatmentSession, visit: Treatable, area: str) -> SessionEntry:
        rf = visit.consultation.treatment == "rf_microneedling"
        device = self.devices[2] if rf else self.rng.choice(self.devices[:2])
        needles = [
            lot
            for lot in self.lots
            if lot.kind == ("tip" if rf else "cartridge")
            and (rf or lot.product.split()[0] == device.name.split()[0])
        ]
        serum = self.rng.choice([lot for lot in self.lots if lot.kind == "serum"])
        expired = serum.expiry < row.session_date
        low, high = self._planned(visit, area)
        depth = self._depth(low, high)
        outside = self.rng.random() < 0.04
        if outside:
            depth = min(high + DEPTH_STEP, Decimal("3.00"))
        return SessionEntry(
            session_id=row.id,
            area=area,
            device_id=device.id,
            needle_lot_id=self.rng.choice(needles).id,
            depth_mm=depth,
            passes=self.rng.randint(2, 4),
            rf_energy=str(self.rng.randint(15, 40)) if rf else None,
            rf_pulse_ms=self.rng.choice((100, 150, 200)) if rf else None,
            rf_tip="Prime 12-pin" if rf else None,
            serum_lot_id=serum.id,
            numbing_lot_id=self.lots[-1].id,
            erythema=self.rng.choice((1, 1, 2, 2, 3)),
            pinpoint_bleeding=self.rng.random() < 0.6,
            notes="",
            depth_outside_plan=outside and depth > high,
            expired_lot=expired,
            created_at=row.created_at,
        )

    def _planned(self, visit: Treatable, area: str) -> tuple[Decimal, Decimal]:
        for request in visit.consultation.areas:
            if request.area == area:
                try:
                    depth = suggested_depth(area, request.concerns, visit.consultation.treatment)
                except ConsultError:
                    break
                return depth.min_mm, depth.max_mm
        return Decimal("0.50"), Decimal("1.50")

    def _depth(self, low: Decimal, high: Decimal) -> Decimal:
        steps = int((high - low) / DEPTH_STEP)
        return (low + DEPTH_STEP * self.rng.randint(0, max(steps, 0))).quantize(Decimal("0.01"))

    # ---------------------------------------------------------------- sealing

    def _seal(
        self,
        row: TreatmentSession,
        visit: Treatable,
        entries: Sequence[SessionEntry],
        events: Sequence[AdverseEvent],
        signed_at: datetime,
        amends: str | None = None,
    ) -> None:
        from consult.documents.build import clinic_of
        from consult.documents.certificate import clinic_certificate
        from consult.documents.sealing import seal
        from consult.documents.session import build_session_record

        if self._certificate is None:
            self._certificate = clinic_certificate(self.settings.name)
        number = numbers.new_document_number("session", signed_at.date())
        record = self._record(row, visit, entries, events)
        pdf = build_session_record(
            record,
            clinic_of(self.settings),
            number,
            area_labels={area: catalogue().area(area).label for area in record.areas},
            practitioner_signature=self._signature(visit.practitioner_id),
            signed_at=signed_at,
            amends_number=amends,
        )
        sealed = seal(pdf, self._certificate, "Signed treatment session record")
        row.status = "signed"
        row.pdf = sealed.pdf
        row.sha256 = hashlib.sha256(sealed.pdf).hexdigest()
        row.document_number = number
        row.signed_at = signed_at.astimezone(UTC)
        self.session.flush()

    def _record(
        self,
        row: TreatmentSession,
        visit: Treatable,
        entries: Sequence[SessionEntry],
        events: Sequence[AdverseEvent],
    ) -> SessionRecord:
        devices = {d.id: DeviceRecord(d.id, d.name, d.kind, d.serial) for d in self.devices}
        lots = {
            lot.id: LotRecord(lot.id, lot.maker, lot.product, lot.kind, lot.lot_number, lot.expiry)
            for lot in self.lots
        }
        practitioner = self.names.get(visit.practitioner_id, "")
        return SessionRecord(
            id=row.id,
            patient_id=row.patient_id,
            patient_name=visit.patient_name,
            consultation_id=row.consultation_id,
            session_date=row.session_date,
            practitioner_id=row.practitioner_id,
            practitioner=practitioner,
            status="draft",
            areas=tuple(row.areas),
            changes=(),
            verdict=row.screening.get("verdict", ""),
            findings=tuple(f["message"] for f in row.screening.get("findings", [])),
            override_reason=None,
            entries=tuple(
                SessionEntryRecord(
                    id=e.id,
                    area=e.area,
                    device=devices[e.device_id],
                    needle_lot=lots.get(e.needle_lot_id or 0),
                    depth_mm=e.depth_mm,
                    planned_min_mm=self._planned(visit, e.area)[0],
                    planned_max_mm=self._planned(visit, e.area)[1],
                    passes=e.passes,
                    rf_energy=e.rf_energy or "",
                    rf_pulse_ms=e.rf_pulse_ms,
                    rf_tip=e.rf_tip or "",
                    serum_lot=lots.get(e.serum_lot_id or 0),
                    numbing_lot=lots.get(e.numbing_lot_id or 0),
                    erythema=e.erythema,
                    pinpoint_bleeding=e.pinpoint_bleeding,
                    notes=e.notes,
                    depth_outside_plan=e.depth_outside_plan,
                    expired_lot=e.expired_lot,
                )
                for e in entries
            ),
            adverse_events=tuple(
                AdverseEventRecord(
                    ev.id, ev.happened, ev.action_taken, practitioner, ev.recorded_at
                )
                for ev in events
            ),
            amends_id=row.amends_id,
            amendment_reason=row.amendment_reason,
            document_number=None,
            sha256=None,
            signed_at=None,
            version=1,
        )

    def _signature(self, practitioner_id: int) -> bytes:
        """A drawn squiggle per practitioner, standing in for their pad signature."""
        if practitioner_id not in self.signatures:
            draw_rng = random.Random(practitioner_id)  # noqa: S311  (a demo drawing)
            image = Image.new("RGBA", (300, 100), (255, 255, 255, 0))
            points = [(10 + 40 * i, draw_rng.randint(20, 80)) for i in range(8)]
            ImageDraw.Draw(image).line(points, fill=(20, 20, 90), width=4)
            out = io.BytesIO()
            image.save(out, "PNG")
            self.signatures[practitioner_id] = out.getvalue()
        return self.signatures[practitioner_id]

    # ---------------------------------------------------------------- amendments

    def _amend(self, originals: Sequence[TreatmentSession]) -> int:
        for original in originals:
            visit_entries = list(self.session.query(SessionEntry).filter_by(session_id=original.id))
            row = TreatmentSession(
                patient_id=original.patient_id,
                consultation_id=original.consultation_id,
                practitioner_id=original.practitioner_id,
                session_date=original.session_date,
                status="draft",
                areas=list(original.areas),
                changes={},
                screening=dict(original.screening),
                amends_id=original.id,
                amendment_reason="Passes recorded wrongly; corrected from the session notes",
                created_at=original.created_at,
                updated_at=original.created_at,
            )
            self.session.add(row)
            self.session.flush()
            copies = [
                SessionEntry(
                    **{
                        column.key: getattr(entry, column.key)
                        for column in SessionEntry.__table__.columns
                        if column.key not in ("id", "session_id", "passes")
                    },
                    session_id=row.id,
                    passes=(entry.passes or 2) - 1,
                )
                for entry in visit_entries
            ]
            self.session.add_all(copies)
            self.session.flush()
            visit = self._visit_of(original)
            signed_at = (original.signed_at or datetime.now(UTC)) + timedelta(days=1)
            self._seal(
                row,
                visit,
                copies,
                [],
                signed_at.astimezone(self.zone),
                amends=original.document_number,
            )
        return len(originals)

    def _visit_of(self, row: TreatmentSession) -> Treatable:
        return self._visits_by_consultation[row.consultation_id]
