"""`consult demo` adds synthetic before/after photos to the demo sessions."""

from __future__ import annotations

import io
from datetime import date

from PIL import Image
from sqlalchemy import select

from consult.app.demo import build_demo
from consult.services import accounts, photos
from consult.storage import Database
from consult.storage.models.photos import Photo

TODAY = date(2026, 12, 16)


def test_the_demo_sessions_have_before_and_after_photos(db: Database):
    summary = build_demo(db, patients=60, seed=3, today=TODAY)
    assert summary.course is not None and summary.course.photos >= 2
    password = next(a.password for a in summary.accounts if a.username == "manager")
    manager = accounts.sign_in(db, "manager", password, workstation="test")
    with db.Session() as session:
        patient_id = session.scalars(select(Photo.patient_id).where(Photo.stage == "after")).first()
    listed = photos.list_photos(manager, patient_id)
    assert listed.consent.clinical
    assert {photo.stage for photo in listed.photos} == {"before", "after"}
    assert all(photo.session_id is not None for photo in listed.photos)
    after, before = listed.photos[0], listed.photos[-1]
    pair = photos.compare(manager, before.id, after.id)
    with Image.open(io.BytesIO(pair.first.jpeg)) as image:
        assert image.size == (600, 800)
    document = photos.progress_pdf(manager, ((before.id, after.id),))
    assert document.pdf.startswith(b"%PDF-")
