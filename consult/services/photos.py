"""Before and after photographs: import, list, view, compare, consent, erasure, progress PDF.

- **Consent rules the photos.** No photo is imported without the patient's clinical
  photography consent on file (the signed consultation's choice); a withdrawal keeps
  the photos but hides them from everyone except a manager who records a reason, and
  from marketing exports and progress documents. Marketing use needs marketing consent.
- **What is kept** is the normalised JPEG (upright, no metadata, long edge capped by the
  clinic setting) and its thumbnail; the SHA-256 of the stored bytes is in the audit
  event of the import. Decoding and scaling happen before the transaction opens.
- **Every view is audited**: a list, a batch of thumbnails, an image, a comparison, a
  progress PDF, an export; an erasure leaves a tombstone and an audit event.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from consult.clinic import setup as clinic
from consult.errors import ConsultError, InvalidField, PermissionDenied
from consult.photos.images import normalise
from consult.photos.views import check_stage, check_view
from consult.protection.safe_text import check_text
from consult.records.photos import (
    PhotoConsent,
    PhotoErasureRecord,
    PhotoImage,
    PhotoList,
    PhotoRecord,
)
from consult.services.acting import SignedIn, transaction, use_case
from consult.storage import audit, consultations
from consult.storage import course as course_store
from consult.storage import photos as store
from consult.storage.settings import get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from consult.photos.images import Normalised
    from consult.records import StoredSettings
    from consult.storage.models.photos import Photo

MAX_REASON = 2000
MAX_THUMBNAILS = 200
PROGRESS_REASON = "Progress photographs issued by the clinic"


@dataclass(frozen=True)
class PhotoImport:
    """One photo to keep: its file's bytes and what it shows.

    `session_id` attaches it to a treatment session (its date is the default date);
    otherwise it belongs to the patient's signed consultation. `source` names the file
    in error messages only; it is never stored.
    """

    patient_id: int
    data: bytes
    area: str
    view: str
    stage: str
    taken_on: date | None = None
    session_id: int | None = None
    source: str = "file"


@dataclass(frozen=True)
class ProgressDocument:
    """A sealed progress PDF, its number and whose it is."""

    pdf: bytes
    number: str
    patient_id: int


@dataclass(frozen=True)
class Comparison:
    """Two photos of one area and view, older first."""

    first: PhotoImage
    second: PhotoImage


# --------------------------------------------------------------------------- import


@use_case("photos.import")
def import_photos(user: SignedIn, batch: tuple[PhotoImport, ...]) -> tuple[PhotoRecord, ...]:
    """Keep photos (a file, several or a folder's): all of them, or none if one is refused.

    Consent is checked first; every file is decoded and normalised before the
    transaction opens (the slow part holds no lock); then one transaction stores them
    with an audit event each, naming the stored image's SHA-256.
    """
    if not isinstance(batch, tuple) or not batch:
        raise InvalidField("files", "choose at least one photo")
    settings = get_settings(user.database).pricing
    today = clinic.local_now(settings).date()
    for photo in batch:
        _check_import(photo, today)
    with transaction(user) as session:
        for patient_id in {photo.patient_id for photo in batch}:
            _require_clinical_consent(session, patient_id)
    kept = [normalise(photo.data, settings.photo_long_edge, field=photo.source) for photo in batch]
    with transaction(user) as session:
        rows = [
            _store_one(user, session, photo, normalised, today)
            for photo, normalised in zip(batch, kept, strict=True)
        ]
        return tuple(store.records(session, rows))


def _check_import(photo: object, today: date) -> None:
    """What can be checked before any image is decoded (a refusal then costs nothing)."""
    if not isinstance(photo, PhotoImport):
        raise InvalidField("photo", "is missing")
    check_view(photo.area, photo.view)
    check_stage(photo.stage)
    if photo.taken_on is not None:
        if not isinstance(photo.taken_on, date):
            raise InvalidField("date", "must be a date")
        if photo.taken_on > today:
            raise InvalidField("date", f"{photo.taken_on.isoformat()} is in the future")


def _store_one(
    user: SignedIn, session: Session, photo: PhotoImport, kept: Normalised, today: date
) -> Photo:
    consent = _require_clinical_consent(session, photo.patient_id)
    consultation_id, taken_on = _attachment(session, photo, consent)
    if taken_on > today:
        raise InvalidField("date", f"{taken_on.isoformat()} is in the future")
    row = store.add_photo(
        session,
        patient_id=photo.patient_id,
        consultation_id=consultation_id,
        session_id=photo.session_id,
        area=photo.area,
        view=photo.view,
        stage=photo.stage,
        taken_on=taken_on,
        width=kept.width,
        height=kept.height,
        sha256=kept.sha256,
        image=kept.image,
        thumbnail=kept.thumbnail,
        imported_by=user.actor.user_id,
    )
    audit.record(
        session,
        user.actor,
        "photos.import",
        patient_id=photo.patient_id,
        detail={
            "photo": row.id,
            "sha256": kept.sha256,
            "area": photo.area,
            "view": photo.view,
            "stage": photo.stage,
            "session": photo.session_id,
        },
    )
    return row


def _require_clinical_consent(session: Session, patient_id: int) -> PhotoConsent:
    from consult.storage import patients

    patients.load_row(session, patient_id)
    consent = store.consent_on_file(session, patient_id)
    if consent.withdrawn:
        raise ConsultError(
            "the patient has withdrawn consent to clinical photographs; no photo can be added"
        )
    if not consent.clinical:
        raise ConsultError(
            "the patient has no clinical photography consent on file; ask for it in a signed "
            "consent before taking photos"
        )
    return consent


def _attachment(session: Session, photo: PhotoImport, consent: PhotoConsent) -> tuple[int, date]:
    """The consultation the photo belongs to and its date (a session's date by default)."""
    if photo.session_id is None:
        assert consent.consultation_id is not None  # clinical consent means one is on file
        row = consultations.load(session, consent.consultation_id)
        return row.id, photo.taken_on or row.consultation_date
    treatment = course_store.load_session(session, photo.session_id)
    if treatment.patient_id != photo.patient_id:
        raise InvalidField("session", f"session {treatment.id} is another patient's")
    return treatment.consultation_id, photo.taken_on or treatment.session_date


# --------------------------------------------------------------------------- seeing


def _may_see(user: SignedIn, session: Session, patient_id: int, reveal_reason: str) -> bool:
    """Whether the photos are visible: consent on file, or a manager's recorded reason."""
    consent = store.consent_on_file(session, patient_id)
    if not consent.withdrawn:
        return True
    reason = _reason(reveal_reason, "reveal_reason", required=False)
    if not reason:
        return False
    if not user.actor.may("photos.manage"):
        raise PermissionDenied(
            f"{user.username} may not see photos whose consent was withdrawn; a manager may, "
            "with a reason"
        )
    audit.record(
        session,
        user.actor,
        "photos.reveal",
        patient_id=patient_id,
        detail={"reason": reason},
    )
    return True


def _reason(text: object, field: str, *, required: bool = True) -> str:
    if not isinstance(text, str):
        if required:
            raise InvalidField(field, "say why")
        return ""
    reason = " ".join(text.split())
    if required and not reason:
        raise InvalidField(field, "say why")
    if len(reason) > MAX_REASON:
        raise InvalidField(field, f"is longer than {MAX_REASON} characters")
    return check_text(reason, field)


@use_case("photos.list")
def list_photos(user: SignedIn, patient_id: int, reveal_reason: str = "") -> PhotoList:
    """The patient's photos, newest first, without images (audited)."""
    with transaction(user) as session:
        from consult.storage import patients

        patients.load_row(session, patient_id)
        consent = store.consent_on_file(session, patient_id)
        visible = _may_see(user, session, patient_id, reveal_reason)
        rows = store.photos_of(session, patient_id) if visible else []
        hidden = 0 if visible else store.count_of(session, patient_id)
        audit.record(
            session,
            user.actor,
            "photos.list",
            patient_id=patient_id,
            detail={"results": len(rows), "hidden": hidden},
        )
        return PhotoList(
            patient_id=patient_id,
            consent=consent,
            photos=tuple(store.records(session, rows)),
            hidden=hidden,
            erased=store.erased_count(session, patient_id),
        )


@use_case("photos.thumbnails")
def thumbnails(
    user: SignedIn, patient_id: int, photo_ids: tuple[int, ...], reveal_reason: str = ""
) -> tuple[tuple[int, bytes], ...]:
    """The thumbnails of some of the patient's photos, as (photo id, JPEG) (audited)."""
    wanted = tuple(dict.fromkeys(photo_ids))
    if len(wanted) > MAX_THUMBNAILS:
        raise InvalidField("photo_ids", f"at most {MAX_THUMBNAILS} at a time")
    with transaction(user) as session:
        if not _may_see(user, session, patient_id, reveal_reason):
            raise ConsultError("the patient withdrew photography consent; the photos are hidden")
        found = store.thumbnails(session, patient_id, wanted)
        audit.record(
            session,
            user.actor,
            "photos.view_thumbnails",
            patient_id=patient_id,
            detail={"photos": sorted(found)},
        )
        return tuple((photo_id, found[photo_id]) for photo_id in wanted if photo_id in found)


@use_case("photos.open")
def open_photo(user: SignedIn, photo_id: int, reveal_reason: str = "") -> PhotoImage:
    """One photo at its stored size (audited)."""
    with transaction(user) as session:
        row = store.load_photo(session, photo_id, with_image=True)
        _visible_or_refuse(user, session, row, reveal_reason)
        audit.record(
            session,
            user.actor,
            "photos.view",
            patient_id=row.patient_id,
            detail={"photo": row.id, "sha256": row.sha256},
        )
        return store.image_of(session, row)


def _visible_or_refuse(user: SignedIn, session: Session, row: Photo, reveal_reason: str) -> None:
    if not _may_see(user, session, row.patient_id, reveal_reason):
        raise ConsultError("the patient withdrew photography consent; the photo is hidden")


@use_case("photos.framing_guide")
def framing_guide(user: SignedIn, patient_id: int, area: str, view: str) -> PhotoImage | None:
    """The patient's previous photo of this area and view, to line a new one up with."""
    check_view(area, view)
    with transaction(user) as session:
        if store.consent_on_file(session, patient_id).withdrawn:
            return None
        row = store.latest_of_view(session, patient_id, area, view)
        if row is None:
            return None
        audit.record(
            session,
            user.actor,
            "photos.view",
            patient_id=patient_id,
            detail={"photo": row.id, "sha256": row.sha256, "purpose": "framing guide"},
        )
        return store.image_of(session, row)


@use_case("photos.compare")
def compare(user: SignedIn, first_id: int, second_id: int) -> Comparison:
    """Two photos of one patient, area and view, older first (audited)."""
    with transaction(user) as session:
        first, second = _pair(session, first_id, second_id)
        _visible_or_refuse(user, session, first, "")
        audit.record(
            session,
            user.actor,
            "photos.compare",
            patient_id=first.patient_id,
            detail={"photos": [first.id, second.id]},
        )
        return Comparison(store.image_of(session, first), store.image_of(session, second))


def _pair(session: Session, first_id: int, second_id: int) -> tuple[Photo, Photo]:
    if first_id == second_id:
        raise InvalidField("photos", "choose two different photos to compare")
    first = store.load_photo(session, first_id, with_image=True)
    second = store.load_photo(session, second_id, with_image=True)
    if first.patient_id != second.patient_id:
        raise InvalidField("photos", "the two photos are of different patients")
    if (first.area, first.view) != (second.area, second.view):
        raise InvalidField(
            "photos",
            f"photo {first.id} is {first.area} {first.view} and photo {second.id} is "
            f"{second.area} {second.view}; compare two photos of one view",
        )
    if (second.taken_on, second.id) < (first.taken_on, first.id):
        first, second = second, first
    return first, second


# --------------------------------------------------------------------------- consent


@use_case("photos.consent")
def photo_consent(user: SignedIn, patient_id: int) -> PhotoConsent:
    with transaction(user) as session:
        return store.consent_on_file(session, patient_id)


@use_case("photos.withdraw_consent")
def withdraw_consent(user: SignedIn, patient_id: int, scope: str, note: str) -> PhotoConsent:
    """Record the patient withdrawing photography consent ("clinical" or "marketing")."""
    note = _reason(note, "note")
    with transaction(user) as session:
        from consult.storage import patients

        patients.load_row(session, patient_id)
        before = store.consent_on_file(session, patient_id)
        if scope == "clinical" and not before.clinical:
            raise ConsultError("there is no clinical photography consent on file to withdraw")
        if scope == "marketing" and not before.marketing:
            raise ConsultError("there is no marketing consent on file to withdraw")
        store.add_withdrawal(session, patient_id, scope, note, user.actor.user_id)
        audit.record(
            session,
            user.actor,
            "photos.withdraw_consent",
            patient_id=patient_id,
            detail={"scope": scope, "note": note},
        )
        return store.consent_on_file(session, patient_id)


@use_case("photos.erase")
def erase_photos(user: SignedIn, patient_id: int, reason: str) -> PhotoErasureRecord:
    """A lawful erasure request: every photo of the patient deleted, a tombstone kept."""
    reason = _reason(reason, "reason")
    with transaction(user) as session:
        from consult.storage import patients

        patients.load_row(session, patient_id)
        tombstone = store.erase_all(session, patient_id, reason, user.actor.user_id)
        audit.record(
            session,
            user.actor,
            "photos.erase",
            patient_id=patient_id,
            detail={
                "photos": tombstone.photo_count,
                "sha256s": list(tombstone.sha256s),
                "reason": reason,
            },
        )
        return store.erasure_record(session, tombstone)


# --------------------------------------------------------------------------- marketing


@use_case("photos.marketing_export")
def marketing_photos(user: SignedIn) -> tuple[PhotoImage, ...]:
    """Every photo usable in marketing: only of patients whose marketing consent stands.

    A withdrawn consent (clinical or marketing) leaves a patient's photos out. The
    records carry no name; the caller writes the images without one. Audited.
    """
    with transaction(user) as session:
        chosen: list[PhotoImage] = []
        patients_included = 0
        for patient_id in store.patients_with_photos(session):
            if not store.consent_on_file(session, patient_id).marketing:
                continue
            patients_included += 1
            rows = store.images_of(session, patient_id)
            chosen += [PhotoImage(record, row.image) for record, row in
                       zip(store.records(session, rows), rows, strict=True)]
        audit.record(
            session,
            user.actor,
            "photos.marketing_export",
            detail={"photos": [image.photo.id for image in chosen],
                    "patients": patients_included},
        )
        return tuple(chosen)


# --------------------------------------------------------------------------- progress


@use_case("photos.progress_pdf")
def progress_pdf(user: SignedIn, pairs: tuple[tuple[int, int], ...]) -> ProgressDocument:
    """The patient's sealed progress PDF of the chosen pairs (each pair: two photo ids).

    Every pair is one patient's, one area and view; photos whose consent was withdrawn
    are never printed.
    """
    if not pairs:
        raise InvalidField("pairs", "choose at least one pair of photos")
    settings = get_settings(user.database)
    clinic.require_set_up(settings.pricing)
    with transaction(user) as session:
        chosen = [_pair(session, first, second) for first, second in pairs]
        patient_ids = {first.patient_id for first, _second in chosen}
        if len(patient_ids) != 1:
            raise InvalidField("pairs", "every pair must be of the same patient")
        (patient_id,) = patient_ids
        if store.consent_on_file(session, patient_id).withdrawn:
            raise ConsultError(
                "the patient withdrew photography consent; no progress document can be made"
            )
        from consult.storage import patients

        patient_name = patients.load_row(session, patient_id).name
        images = [(store.image_of(session, a), store.image_of(session, b)) for a, b in chosen]
    issued_at = clinic.local_now(settings.pricing)
    number = _number(issued_at)
    pdf = _sealed_progress(settings, patient_name, number, images, issued_at)
    import hashlib

    with transaction(user) as session:
        audit.record(
            session,
            user.actor,
            "photos.progress_pdf",
            patient_id=patient_id,
            detail={
                "number": number,
                "pairs": [list(pair) for pair in pairs],
                "sha256": hashlib.sha256(pdf).hexdigest(),
            },
        )
    return ProgressDocument(pdf, number, patient_id)


@use_case("photos.record_print")
def record_progress_print(user: SignedIn, patient_id: int, number: str) -> int:
    """Audit a progress document's print before the pages go out; the event's id."""
    with transaction(user) as session:
        return audit.record(
            session, user.actor, "photos.progress_print", patient_id=patient_id,
            detail={"number": number},
        )


@use_case("photos.record_save")
def record_progress_save(user: SignedIn, patient_id: int, number: str, file_name: str) -> int:
    """Audit a progress document saved to a file outside the database; the event's id."""
    with transaction(user) as session:
        return audit.record(
            session, user.actor, "photos.progress_save", patient_id=patient_id,
            detail={"number": number, "file": file_name},
        )


def _number(issued_at: datetime) -> str:
    from consult.documents import numbers

    return numbers.new_document_number("progress", issued_at.date())


def _sealed_progress(
    settings: StoredSettings,
    patient_name: str,
    number: str,
    images: list[tuple[PhotoImage, PhotoImage]],
    issued_at: datetime,
) -> bytes:
    from consult.clinical.catalogue import catalogue
    from consult.documents.build import clinic_of
    from consult.documents.certificate import clinic_certificate
    from consult.documents.progress import ProgressPair, build_progress
    from consult.documents.sealing import seal
    from consult.photos.views import view_label

    pairs = [
        ProgressPair(
            area_label=catalogue().area(first.photo.area).label,
            view_label=view_label(first.photo.view),
            first=first,
            second=second,
        )
        for first, second in images
    ]
    pdf = build_progress(
        clinic_of(settings.pricing, settings.logo), patient_name, number, pairs, issued_at
    )
    return seal(pdf, clinic_certificate(settings.pricing.name), PROGRESS_REASON).pdf
