"""The plain input of the consent and plan PDFs.

Both builders take one frozen `DocumentInput`, so they never reach into the database,
the screening rules or the price list: whoever calls them (the command line through
`consult.documents.build`, or the app) gathers and formats the facts first. Money is
already formatted text here; the builders only lay it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from consult.documents.fonts import check_printable
from consult.errors import InvalidField

RF_TREATMENT = "rf_microneedling"


NOT_SET_UP = "Clinic not set up"


@dataclass(frozen=True)
class Clinic:
    name: str
    address: str = ""
    phone: str = ""
    email: str = ""
    logo: bytes | None = None  # PNG or JPEG bytes, printed in the header when given
    # False until the clinic's name, address and phone are entered: the letterhead then
    # says so instead of printing details nobody gave.
    set_up: bool = True
    # IANA name of the clinic's time zone ("Europe/Berlin"); "" means this computer's.
    time_zone: str = ""

    def __post_init__(self) -> None:
        self.zone()  # a wrong name is refused when the clinic is made, not on a page

    @property
    def letterhead_name(self) -> str:
        return self.name if self.set_up and self.name.strip() else NOT_SET_UP

    def zone(self) -> tzinfo | None:
        """The clinic's time zone; None means this computer's local zone."""
        if not self.time_zone:
            return None
        try:
            return ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InvalidField(
                "clinic.time_zone", f'"{self.time_zone}" is not a known time zone'
            ) from None

    def local(self, moment: datetime) -> datetime:
        """`moment` on the clinic's clock (never UTC unless the clinic is on UTC)."""
        return moment.astimezone(self.zone())

    def today(self) -> date:
        """Today's date on the clinic's clock."""
        return datetime.now(self.zone()).date()


@dataclass(frozen=True)
class PatientIdentity:
    name: str
    date_of_birth: date


@dataclass(frozen=True)
class DepthRange:
    """The suggested needle depth for one area, in millimetres."""

    min_mm: Decimal
    max_mm: Decimal
    note: str = ""  # printed for the patient: plain words only
    conservative: bool = False  # the gentler range for skin at risk (depths.toml)

    def __post_init__(self) -> None:
        if self.min_mm > self.max_mm:
            raise InvalidField("depth", f"{self.min_mm} mm is deeper than {self.max_mm} mm")

    @property
    def text(self) -> str:
        if self.min_mm == self.max_mm:
            return f"{self.min_mm} mm"
        return f"{self.min_mm}–{self.max_mm} mm"


@dataclass(frozen=True)
class AreaPlan:
    area: str  # catalogue id; also the `data-area` of the map shapes
    label: str
    view: str  # face / body_front / body_back: the map it is drawn on
    concerns: tuple[str, ...]  # concern labels, as printed
    depth: DepthRange | None = None  # the depth planned (the suggestion unless changed)
    suggested: DepthRange | None = None  # the suggestion, when the planned depth differs
    today: bool = True  # the screening lets it be treated today
    waits_for: tuple[str, ...] = ()  # patient-facing reasons it is not treated today

    @property
    def outside_suggested(self) -> bool:
        """A planned depth outside the suggested range: flagged on both documents."""
        if self.depth is None or self.suggested is None:
            return False
        return not (
            self.suggested.min_mm <= self.depth.min_mm
            and self.depth.max_mm <= self.suggested.max_mm
        )


@dataclass(frozen=True)
class ExcludedArea:
    """A requested area the screening leaves out of treatment, and why (patient-facing)."""

    label: str
    reason: str = ""


@dataclass(frozen=True)
class CourseOfSessions:
    sessions: int
    interval_weeks: int
    dates: tuple[date, ...] = ()  # the planned session dates, first session first
    maintenance: tuple[str, ...] = ()  # upkeep advice after the course
    # What the first session waits for (patient-facing); with no dates, it waits for
    # something that has no date yet (a clearance, the end of a pregnancy, …).
    waits: tuple[str, ...] = ()
    # Each region's own number of sessions when they differ (face 3, neck 4): the course
    # is then "up to" its longest, and never reads as 4 sessions over lines of 3.
    by_region: tuple[tuple[str, int], ...] = ()

    def __post_init__(self) -> None:
        if self.sessions < 1:
            raise InvalidField("course.sessions", f"{self.sessions} must be at least 1")
        if self.interval_weeks < 1:
            raise InvalidField("course.interval_weeks", f"{self.interval_weeks} must be at least 1")


@dataclass(frozen=True)
class QuoteRow:
    description: str
    quantity: str
    unit_price: str
    amount: str


@dataclass(frozen=True)
class QuoteSummary:
    """The priced course, every amount already formatted in the clinic's currency."""

    rows: tuple[QuoteRow, ...]
    totals: tuple[tuple[str, str], ...]  # (label, amount): subtotal, discount, tax, total
    total: str
    valid_until: date | None = None


@dataclass(frozen=True)
class FindingNote:
    """One screening finding and what was agreed about it."""

    severity: str
    message: str
    action: str
    areas: tuple[str, ...] = ()  # area labels


@dataclass(frozen=True)
class ConsentChoices:
    """Two separate choices; None means not yet asked (the box prints empty)."""

    photography: bool | None = None
    marketing: bool | None = None


@dataclass(frozen=True)
class Signatures:
    patient_png: bytes | None = None
    practitioner_png: bytes | None = None

    @property
    def complete(self) -> bool:
        return self.patient_png is not None and self.practitioner_png is not None


@dataclass(frozen=True)
class Replaced:
    """The signed version an amendment replaces, named under the new document's number."""

    consent_number: str


@dataclass(frozen=True)
class DocumentInput:
    """Everything the consent form and the treatment plan print.

    `patient` is None for a blank paper form: the builders then print empty lines
    where the patient's details, areas and course would be.
    """

    document_id: str
    clinic: Clinic
    practitioner: str
    treatment: str  # catalogue id: microneedling or rf_microneedling ("" on a blank form)
    treatment_label: str
    patient: PatientIdentity | None = None
    areas: tuple[AreaPlan, ...] = ()
    excluded_areas: tuple[ExcludedArea, ...] = ()  # requested areas the screening leaves out
    course: CourseOfSessions | None = None
    quote: QuoteSummary | None = None
    findings: tuple[FindingNote, ...] = ()
    verdict: str = ""
    choices: ConsentChoices = field(default_factory=ConsentChoices)
    signatures: Signatures = field(default_factory=Signatures)
    signed_at: datetime | None = None
    # The practitioner's recorded reason for going ahead despite the screening ("": none).
    override_reason: str = ""
    # An amendment: the signed consent (and plan) it replaces, which stay on record.
    replaces: Replaced | None = None

    def __post_init__(self) -> None:
        if not self.document_id.strip():
            raise InvalidField("document_id", "must not be empty")
        if self.signed_at is not None and self.signed_at.utcoffset() is None:
            raise InvalidField("signed_at", "must carry a time zone")
        for field_name, value in self.printed_texts():
            check_printable(value, field_name)

    def printed_texts(self) -> tuple[tuple[str, str], ...]:
        """The texts people typed that reach paper, each with the field it came from."""
        texts = [
            ("clinic.name", self.clinic.letterhead_name),
            ("clinic.address", self.clinic.address),
            ("clinic.phone", self.clinic.phone),
            ("clinic.email", self.clinic.email),
            ("practitioner", self.practitioner),
        ]
        if self.patient is not None:
            texts.insert(0, ("patient.name", self.patient.name))
        return tuple(texts)

    @property
    def signed_locally(self) -> datetime | None:
        """The signing time on the clinic's clock, as every page prints it."""
        return self.clinic.local(self.signed_at) if self.signed_at is not None else None

    @property
    def is_blank(self) -> bool:
        return self.patient is None

    @property
    def is_rf(self) -> bool:
        return self.treatment == RF_TREATMENT
