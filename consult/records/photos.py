"""Before/after photos: the records, images, consents and erasures the services hand out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

# --------------------------------------------------------------------------- photos


@dataclass(frozen=True)
class PhotoRecord:
    """A before/after photograph's particulars (the image itself is fetched apart)."""

    id: int
    patient_id: int
    consultation_id: int
    session_id: int | None
    session_date: date | None
    area: str
    view: str
    stage: str  # "before" or "after"
    taken_on: date
    width: int
    height: int
    sha256: str
    imported_by: str
    imported_at: datetime


@dataclass(frozen=True)
class PhotoImage:
    """A photo with its bytes: the stored JPEG, or its thumbnail."""

    photo: PhotoRecord
    jpeg: bytes


@dataclass(frozen=True)
class PhotoConsent:
    """What the patient's signed consent and any withdrawal since allow.

    `clinical`: photos may be taken and seen; `marketing`: also used in marketing;
    `withdrawn`: clinical consent was given and has since been withdrawn (the photos are
    kept but hidden). `consultation_id` is the consultation whose consent is on file.
    """

    clinical: bool
    marketing: bool
    withdrawn: bool
    consultation_id: int | None


@dataclass(frozen=True)
class PhotoList:
    """A patient's photos as the acting user may see them: `hidden` counts what is not."""

    patient_id: int
    consent: PhotoConsent
    photos: tuple[PhotoRecord, ...]
    hidden: int
    erased: int  # photos erased on request (the tombstones' count)


@dataclass(frozen=True)
class PhotoErasureRecord:
    patient_id: int
    photo_count: int
    sha256s: tuple[str, ...]
    reason: str
    erased_by: str
    erased_at: datetime
