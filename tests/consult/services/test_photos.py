"""Before and after photos through the services: consent, import, views, erasure, PDF."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import select

from consult.documents.certificate import load_certificate
from consult.documents.verify import verify_pdf
from consult.errors import ConsultError, InvalidField, PermissionDenied
from consult.records.course import EntryInput, LotInput
from consult.services import course, lots, photos
from consult.services.course import SessionStart
from consult.services.photos import PhotoImport
from consult.storage.models import AuditEvent
from consult.storage.models.photos import PhotoErasure
from tests.consult.documents.pdfs import text_of
from tests.helpers import photos as pictures
from tests.helpers.signing import signed_in

TAKEN = date(2026, 11, 20)


@pytest.fixture
def mara(clinic, manager):
    return signed_in(clinic, manager, "Mara")


def photo(patient_id: int, data: bytes | None = None, **changes) -> PhotoImport:
    values = dict(
        patient_id=patient_id, data=data or pictures.jpeg(), area="cheeks", view="front",
        stage="before", taken_on=TAKEN,
    )
    values.update(changes)
    return PhotoImport(**values)


def imported(user, one: PhotoImport):
    (record,) = photos.import_photos(user, (one,))
    return record


def audit_rows(db, action: str) -> list[AuditEvent]:
    with db.Session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_photo_is_kept_stripped_with_its_fingerprint_in_the_audit_trail(pia, clinic):
    patient = pictures.signed_consultation(pia).patient_id
    kept = imported(pia, photo(patient, pictures.rotated_jpeg_with_gps()))
    assert (kept.area, kept.view, kept.stage, kept.taken_on) == ("cheeks", "front", "before", TAKEN)
    assert (kept.width, kept.height) == (480, 640)
    image = photos.open_photo(pia, kept.id)
    assert pictures.SERIAL_NUMBER.encode() not in image.jpeg
    with Image.open(io.BytesIO(image.jpeg)) as stored:
        assert len(stored.getexif()) == 0
    (event,) = audit_rows(clinic, "photos.import")
    assert kept.sha256 in event.detail
    assert event.patient_id == patient
    assert audit_rows(clinic, "photos.view")


def test_no_photo_without_clinical_photography_consent(pia, clinic):
    patient = pictures.signed_consultation(pia, photography=False).patient_id
    with pytest.raises(ConsultError, match="no clinical photography consent"):
        imported(pia, photo(patient))
    assert photos.list_photos(pia, patient).photos == ()


def test_a_batch_is_kept_whole_or_not_at_all(pia, clinic):
    patient = pictures.signed_consultation(pia).patient_id
    good = [photo(patient, pictures.png()), photo(patient, pictures.heic(), view="left_45")]
    with pytest.raises(InvalidField, match=r"^broken.jpg:"):
        photos.import_photos(pia, (*good, photo(patient, b"\xff\xd8 cut", source="broken.jpg")))
    assert photos.list_photos(pia, patient).photos == ()
    kept = photos.import_photos(pia, tuple(good))
    assert [p.view for p in kept] == ["front", "left_45"]
    assert len(audit_rows(clinic, "photos.import")) == 2


def test_bad_input_names_the_field(pia):
    patient = pictures.signed_consultation(pia).patient_id
    with pytest.raises(InvalidField, match=r"^view:"):
        imported(pia, photo(patient, view="left_ear"))
    with pytest.raises(InvalidField, match=r"^stage:"):
        imported(pia, photo(patient, stage="during"))
    with pytest.raises(InvalidField, match=r"^IMG_0001.HEIC:"):
        imported(pia, photo(patient, b"not a photo", source="IMG_0001.HEIC"))
    with pytest.raises(InvalidField, match=r"^date: .* in the future"):
        imported(pia, photo(patient, taken_on=date(2099, 1, 1)))


def test_the_clinics_long_edge_setting_caps_the_stored_image(pia, mara, clinic):
    from dataclasses import replace

    from consult.services import pricing
    from consult.storage.settings import get_settings

    stored = get_settings(clinic)
    pricing.change_settings(mara, replace(stored.pricing, photo_long_edge=1000), stored.version)
    patient = pictures.signed_consultation(pia).patient_id
    kept = imported(pia, photo(patient, pictures.jpeg(3000, 2000)))
    assert (kept.width, kept.height) == (1000, 667)


def test_a_photo_attached_to_a_session_takes_its_date(pia, clinic):
    signed = pictures.signed_consultation(pia)
    pen = lots.register_device(pia, "SkinPen Precision", "mechanical", "SP-1001")
    session = course.start_session(pia, SessionStart(signed.consultation_id, date(2026, 11, 27)))
    course.record_entry(pia, session.id, EntryInput(
        area="cheeks", device_id=pen.id, erythema=1, depth_mm=Decimal("1.50"),
        needle_lot=LotInput("Derma", "Nano", "cartridge", "N-1", date(2027, 1, 1)),
    ))
    kept = imported(pia, photo(signed.patient_id, stage="after", taken_on=None,
                                          session_id=session.id))
    assert (kept.session_id, kept.taken_on, kept.session_date) == (
        session.id, date(2026, 11, 27), date(2026, 11, 27))
    other = pictures.signed_consultation(pia, name="Bea Lima").patient_id
    with pytest.raises(InvalidField, match=r"^session: .*another patient"):
        imported(pia, photo(other, session_id=session.id))


def test_list_and_thumbnails_are_audited_and_lists_carry_no_image(pia, clinic):
    patient = pictures.signed_consultation(pia).patient_id
    first = imported(pia, photo(patient))
    second = imported(pia, photo(patient, stage="after", taken_on=date(2026, 12, 1)))
    listed = photos.list_photos(pia, patient)
    assert [p.id for p in listed.photos] == [second.id, first.id]
    assert (listed.hidden, listed.consent.clinical, listed.consent.marketing) == (0, True, False)
    thumbs = dict(photos.thumbnails(pia, patient, (first.id, second.id)))
    with Image.open(io.BytesIO(thumbs[first.id])) as thumbnail:
        assert max(thumbnail.size) <= 256
    assert audit_rows(clinic, "photos.list") and audit_rows(clinic, "photos.view_thumbnails")


def test_reception_never_sees_photos_and_the_refusal_is_recorded(pia, clinic, reception):
    patient = pictures.signed_consultation(pia).patient_id
    desk = signed_in(clinic, reception, "Rita")
    with pytest.raises(PermissionDenied):
        photos.list_photos(desk, patient)
    (denied,) = [row for row in audit_rows(clinic, "photos.list") if row.outcome == "denied"]
    assert denied.username == "rita"


def test_withdrawn_consent_hides_photos_except_from_a_manager_with_a_reason(pia, mara, clinic):
    patient = pictures.signed_consultation(pia, marketing=True).patient_id
    kept = imported(pia, photo(patient))
    later = imported(pia, photo(patient, stage="after", taken_on=date(2026, 12, 1)))
    consent = photos.withdraw_consent(pia, patient, "clinical", "patient asked by phone")
    assert (consent.clinical, consent.marketing, consent.withdrawn) == (False, False, True)

    hidden = photos.list_photos(pia, patient)
    assert (hidden.photos, hidden.hidden) == ((), 2)
    with pytest.raises(ConsultError, match="withdrew"):
        photos.open_photo(pia, kept.id)
    with pytest.raises(PermissionDenied):
        photos.list_photos(pia, patient, reveal_reason="curious")
    with pytest.raises(ConsultError, match="withdrawn consent"):
        imported(pia, photo(patient))
    assert photos.list_photos(mara, patient).photos == ()
    revealed = photos.list_photos(mara, patient, reveal_reason="insurer's claim 2026-44")
    assert [p.id for p in revealed.photos] == [later.id, kept.id]
    (reveal,) = audit_rows(clinic, "photos.reveal")
    assert "insurer's claim 2026-44" in reveal.detail
    with pytest.raises(ConsultError, match="no progress document"):
        photos.progress_pdf(mara, ((kept.id, later.id),))


def test_marketing_consent_can_be_withdrawn_alone(pia):
    patient = pictures.signed_consultation(pia, marketing=True).patient_id
    consent = photos.withdraw_consent(pia, patient, "marketing", "no longer wants it")
    assert (consent.clinical, consent.marketing, consent.withdrawn) == (True, False, False)
    with pytest.raises(InvalidField, match=r"^note:"):
        photos.withdraw_consent(pia, patient, "clinical", "  ")


def test_a_newer_consent_saying_no_hides_the_photos_taken_before(pia):
    patient = pictures.signed_consultation(pia).patient_id
    imported(pia, photo(patient))
    pictures.signed_consultation(pia, photography=False, day="2026-11-25")
    listed = photos.list_photos(pia, patient)
    assert (listed.photos, listed.hidden, listed.consent.withdrawn) == ((), 1, True)


def test_a_new_signed_consent_after_a_withdrawal_is_on_file_again(pia):
    patient = pictures.signed_consultation(pia).patient_id
    photos.withdraw_consent(pia, patient, "clinical", "withdrawn in writing")
    pictures.signed_consultation(pia, day="2026-11-25")
    assert photos.photo_consent(pia, patient).clinical


def test_erasure_deletes_the_photos_and_leaves_an_audited_tombstone(pia, mara, clinic):
    patient = pictures.signed_consultation(pia).patient_id
    kept = [imported(pia, photo(patient, pictures.jpeg(colour=(i * 40, 90, 90))))
            for i in range(3)]
    with pytest.raises(PermissionDenied):
        photos.erase_photos(pia, patient, "erasure request")
    with pytest.raises(InvalidField, match=r"^reason:"):
        photos.erase_photos(mara, patient, "")
    tombstone = photos.erase_photos(mara, patient, "lawful erasure request of 1 Dec")
    assert tombstone.photo_count == 3
    assert set(tombstone.sha256s) == {p.sha256 for p in kept}
    listed = photos.list_photos(mara, patient)
    assert (listed.photos, listed.erased) == ((), 3)
    with clinic.Session() as session:
        assert session.scalar(select(PhotoErasure.reason)) == "lawful erasure request of 1 Dec"
    (event,) = [row for row in audit_rows(clinic, "photos.erase") if row.outcome != "denied"]
    assert kept[0].sha256 in event.detail


def test_compare_needs_two_photos_of_one_view_and_puts_the_older_first(pia):
    patient = pictures.signed_consultation(pia).patient_id
    after = imported(pia, photo(patient, stage="after", taken_on=date(2026, 12, 1)))
    before = imported(pia, photo(patient))
    profile = imported(pia, photo(patient, view="left_profile"))
    pair = photos.compare(pia, after.id, before.id)
    assert (pair.first.photo.id, pair.second.photo.id) == (before.id, after.id)
    with pytest.raises(InvalidField, match=r"^photos: .*one view"):
        photos.compare(pia, before.id, profile.id)


def test_the_framing_guide_is_the_previous_photo_of_the_same_view(pia):
    patient = pictures.signed_consultation(pia).patient_id
    assert photos.framing_guide(pia, patient, "cheeks", "front") is None
    first = imported(pia, photo(patient))
    guide = photos.framing_guide(pia, patient, "cheeks", "front")
    assert guide.photo.id == first.id and guide.jpeg
    assert photos.framing_guide(pia, patient, "cheeks", "left_45") is None


def test_the_progress_pdf_speaks_to_the_patient_and_is_sealed(pia, tmp_path):
    patient = pictures.signed_consultation(pia, name="Zoë O'Brien-Núñez").patient_id
    before = imported(pia, photo(patient, source="IMG_4411.HEIC"))
    after = imported(pia, photo(patient, stage="after", taken_on=date(2026, 12, 4)))
    document = photos.progress_pdf(pia, ((after.id, before.id),))
    assert (document.patient_id, document.number[:3]) == (patient, "PR-")
    pdf = document.pdf
    assert verify_pdf(pdf, load_certificate()).signer
    words = " ".join(text_of(pdf, tmp_path).split())
    for expected in ("Your progress photographs", "Zoë O'Brien-Núñez", "Cheeks: Front",
                     "Before treatment, 20 Nov 2026", "After treatment, 4 Dec 2026"):
        assert expected in words
    assert words.index("Before treatment") < words.index("After treatment")
    for practitioner_only in ("IMG_4411", before.sha256[:12], "sha256", "photos.import"):
        assert practitioner_only not in words


def test_the_patient_export_carries_the_patients_photos_and_no_one_elses(pia, mara, tmp_path):
    import hashlib
    import json
    import zipfile

    from consult.services import protection

    patient = pictures.signed_consultation(pia).patient_id
    other = pictures.signed_consultation(pia, name="Bea Lima").patient_id
    kept = imported(pia, photo(patient))
    imported(pia, photo(other, pictures.png()))
    photos.withdraw_consent(pia, patient, "clinical", "by letter")  # hidden, still theirs
    report = protection.export_patient_records(mara, patient, tmp_path / "ana.zip")
    assert report.photos == 1
    with zipfile.ZipFile(tmp_path / "ana.zip") as archive:
        names = [name for name in archive.namelist() if name.startswith("photos/")]
        assert sorted(names) == sorted(
            [f"photos/{kept.id}.jpg", "photos/index.json", "photos/SHA256SUMS"])
        image = archive.read(f"photos/{kept.id}.jpg")
        assert hashlib.sha256(image).hexdigest() == kept.sha256
        (entry,) = json.loads(archive.read("photos/index.json"))
        assert (entry["area"], entry["view"], entry["stage"]) == ("cheeks", "front", "before")
        assert archive.read("photos/SHA256SUMS").decode() == f"{kept.sha256}  {kept.id}.jpg\n"


def test_a_backup_carries_the_photos(pia, mara, clinic, tmp_path):
    from consult.services import protection

    patient = pictures.signed_consultation(pia).patient_id
    kept = imported(pia, photo(patient))
    protection.backup(mara, tmp_path / "clinic.backup")
    photos.erase_photos(mara, patient, "erasure request")
    protection.restore(mara, tmp_path / "clinic.backup")
    image = photos.open_photo(mara, kept.id)
    assert image.photo.sha256 == kept.sha256


def test_marketing_gets_only_photos_with_marketing_consent_standing(pia, mara, clinic):
    agreed = pictures.signed_consultation(pia, marketing=True).patient_id
    declined = pictures.signed_consultation(pia, name="Bea Lima").patient_id
    withdrew = pictures.signed_consultation(pia, marketing=True, name="Cai Ng").patient_id
    shown = imported(pia, photo(agreed))
    imported(pia, photo(declined))
    imported(pia, photo(withdrew))
    photos.withdraw_consent(pia, withdrew, "marketing", "changed her mind")
    with pytest.raises(PermissionDenied):
        photos.marketing_photos(pia)
    found = photos.marketing_photos(mara)
    assert [image.photo.id for image in found] == [shown.id]
    assert audit_rows(clinic, "photos.marketing_export")[-1].outcome != "denied"
