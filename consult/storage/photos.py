"""Photographs, photography consent and erasure tombstones: rows in, frozen records out.

Only consult.services calls these, inside the use case's one transaction. The consent
on file is the patient's most recent signed consultation's photography choices (the
consult/1 `consent` object the signing stores with it), less any withdrawal recorded
after that consent was signed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, defer

from consult.errors import ConsultError, InvalidField
from consult.records.photos import PhotoConsent, PhotoErasureRecord, PhotoImage, PhotoRecord
from consult.storage.models import User
from consult.storage.models.clinical import ConsentRecord, Consultation
from consult.storage.models.course import TreatmentSession
from consult.storage.models.photos import (
    PHOTO_CONSENT_SCOPES,
    Photo,
    PhotoConsentWithdrawal,
    PhotoErasure,
)

# Lists and thumbnails never read the full image column.
_WITHOUT_IMAGE = (defer(Photo.image), defer(Photo.thumbnail))


# --------------------------------------------------------------------------- consent


def consent_on_file(session: Session, patient_id: int) -> PhotoConsent:
    """The patient's photography consent as it stands now.

    Withdrawn: clinical photos were agreed once and are not now, whether the patient
    withdrew (a recorded withdrawal) or a newer signed consent says no.
    """
    rows = list(
        session.scalars(
            select(Consultation)
            .where(Consultation.patient_id == patient_id, Consultation.status == "completed")
            .order_by(Consultation.consultation_date.desc(), Consultation.id.desc())
        )
    )
    if not rows:
        return PhotoConsent(False, False, False, None)
    latest = rows[0]
    clinical, marketing = _choices(latest)
    withdrawn = _withdrawn_since(session, patient_id, _signed_at(session, latest))
    agreed_once = any(_choices(row)[0] for row in rows)
    on_file = clinical and "clinical" not in withdrawn
    return PhotoConsent(
        clinical=on_file,
        marketing=on_file and marketing and "marketing" not in withdrawn,
        withdrawn=agreed_once and not on_file,
        consultation_id=latest.id,
    )


def _choices(row: Consultation) -> tuple[bool, bool]:
    """(clinical photos, marketing) as the signed consultation's consent answered them."""
    choices = ((row.extra or {}).get("document") or {}).get("consent") or {}
    return choices.get("photography") is True, choices.get("marketing") is True


def _signed_at(session: Session, consultation: Consultation) -> datetime:
    signed = session.scalar(
        select(func.max(ConsentRecord.created_at)).where(
            ConsentRecord.consultation_id == consultation.id, ConsentRecord.kind == "consent"
        )
    )
    return signed if signed is not None else consultation.updated_at


def _withdrawn_since(session: Session, patient_id: int, since: datetime) -> set[str]:
    return set(
        session.scalars(
            select(PhotoConsentWithdrawal.scope).where(
                PhotoConsentWithdrawal.patient_id == patient_id,
                PhotoConsentWithdrawal.recorded_at >= since,
            )
        )
    )


def add_withdrawal(
    session: Session, patient_id: int, scope: str, note: str, user_id: int | None
) -> PhotoConsentWithdrawal:
    if scope not in PHOTO_CONSENT_SCOPES:
        raise InvalidField("scope", f'"{scope}" must be "clinical" or "marketing"')
    row = PhotoConsentWithdrawal(
        patient_id=patient_id,
        scope=scope,
        note=note,
        recorded_by=user_id,
        recorded_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    return row


# --------------------------------------------------------------------------- photos


def add_photo(session: Session, **values: Any) -> Photo:
    row = Photo(imported_at=datetime.now(UTC), **values)
    session.add(row)
    session.flush()
    return row


def load_photo(session: Session, photo_id: int, *, with_image: bool = False) -> Photo:
    options = () if with_image else _WITHOUT_IMAGE
    row = (
        session.get(Photo, photo_id, options=options) if isinstance(photo_id, int) else None
    )
    if row is None:
        raise ConsultError(f"photo {photo_id} does not exist")
    return row


def photos_of(session: Session, patient_id: int) -> list[Photo]:
    """The patient's photos, newest first (without their images)."""
    return list(
        session.scalars(
            select(Photo)
            .options(*_WITHOUT_IMAGE)
            .where(Photo.patient_id == patient_id)
            .order_by(Photo.taken_on.desc(), Photo.id.desc())
        )
    )


def count_of(session: Session, patient_id: int) -> int:
    return int(
        session.scalar(select(func.count(Photo.id)).where(Photo.patient_id == patient_id)) or 0
    )


def latest_of_view(session: Session, patient_id: int, area: str, view: str) -> Photo | None:
    """The patient's most recent photo of this area and view (the framing guide)."""
    return session.scalar(
        select(Photo)
        .where(Photo.patient_id == patient_id, Photo.area == area, Photo.view == view)
        .order_by(Photo.taken_on.desc(), Photo.id.desc())
        .limit(1)
    )


def thumbnails(session: Session, patient_id: int, ids: Sequence[int]) -> dict[int, bytes]:
    """The thumbnails of these photos of the patient, by id (only the thumbnail column)."""
    rows = session.execute(
        select(Photo.id, Photo.thumbnail).where(Photo.patient_id == patient_id, Photo.id.in_(ids))
    )
    return {photo_id: thumbnail for photo_id, thumbnail in rows}


def session_dates(session: Session, rows: Iterable[Photo]) -> dict[int, date]:
    ids = {row.session_id for row in rows if row.session_id is not None}
    if not ids:
        return {}
    found = session.execute(
        select(TreatmentSession.id, TreatmentSession.session_date).where(
            TreatmentSession.id.in_(ids)
        )
    )
    return {session_id: when for session_id, when in found}


def user_names(session: Session, rows: Iterable[Photo]) -> dict[int, str]:
    ids = {row.imported_by for row in rows}
    found = session.execute(select(User.id, User.full_name).where(User.id.in_(ids)))
    return {user_id: name for user_id, name in found}


def records(session: Session, rows: Sequence[Photo]) -> list[PhotoRecord]:
    """Records for many photos with two extra queries in all, not two per photo."""
    dates, names = session_dates(session, rows), user_names(session, rows)
    return [to_record(row, dates, names) for row in rows]


def to_record(row: Photo, dates: dict[int, date], names: dict[int, str]) -> PhotoRecord:
    return PhotoRecord(
        id=row.id,
        patient_id=row.patient_id,
        consultation_id=row.consultation_id,
        session_id=row.session_id,
        session_date=dates.get(row.session_id) if row.session_id is not None else None,
        area=row.area,
        view=row.view,
        stage=row.stage,
        taken_on=row.taken_on,
        width=row.width,
        height=row.height,
        sha256=row.sha256,
        imported_by=names.get(row.imported_by, ""),
        imported_at=row.imported_at,
    )


def image_of(session: Session, row: Photo) -> PhotoImage:
    (record,) = records(session, [row])
    return PhotoImage(record, row.image)


# --------------------------------------------------------------------------- erasure


def erase_all(
    session: Session, patient_id: int, reason: str, user_id: int | None
) -> PhotoErasure:
    """Delete the patient's photos and keep a tombstone naming their fingerprints."""
    fingerprints = list(
        session.scalars(
            select(Photo.sha256).where(Photo.patient_id == patient_id).order_by(Photo.id)
        )
    )
    if not fingerprints:
        raise ConsultError(f"patient {patient_id} has no photos to erase")
    session.execute(delete(Photo).where(Photo.patient_id == patient_id))
    row = PhotoErasure(
        patient_id=patient_id,
        photo_count=len(fingerprints),
        sha256s=fingerprints,
        reason=reason,
        erased_by=user_id,
        erased_at=datetime.now(UTC),
    )
    session.add(row)
    session.flush()
    return row


def erased_count(session: Session, patient_id: int) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(PhotoErasure.photo_count), 0)).where(
                PhotoErasure.patient_id == patient_id
            )
        )
        or 0
    )


def erasure_record(session: Session, row: PhotoErasure) -> PhotoErasureRecord:
    user = session.get(User, row.erased_by)
    return PhotoErasureRecord(
        patient_id=row.patient_id,
        photo_count=row.photo_count,
        sha256s=tuple(row.sha256s),
        reason=row.reason,
        erased_by=user.full_name if user is not None else "",
        erased_at=row.erased_at,
    )


def patients_with_photos(session: Session) -> list[int]:
    return list(session.scalars(select(Photo.patient_id).distinct().order_by(Photo.patient_id)))


def images_of(session: Session, patient_id: int) -> list[Photo]:
    """The patient's photos with their images, oldest first."""
    return list(
        session.scalars(
            select(Photo).where(Photo.patient_id == patient_id).order_by(Photo.taken_on, Photo.id)
        )
    )
