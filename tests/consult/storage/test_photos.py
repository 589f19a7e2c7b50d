"""The photo tables: consent read from the signed consultation, lists without images."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import inspect

from consult.photos.images import normalise
from consult.storage import photos as store
from tests.helpers import photos as pictures
from tests.helpers.signing import set_up_clinic, signed_in


@pytest.fixture
def pia(db, manager, practitioner):
    set_up_clinic(db, manager)
    return signed_in(db, practitioner, "Pia")


def _add(session, signed, user_id: int, **changes):
    kept = normalise(pictures.jpeg())
    values = dict(
        patient_id=signed.patient_id, consultation_id=signed.consultation_id, session_id=None,
        area="cheeks", view="front", stage="before", taken_on=date(2026, 11, 20),
        width=kept.width, height=kept.height, sha256=kept.sha256, image=kept.image,
        thumbnail=kept.thumbnail, imported_by=user_id,
    )
    values.update(changes)
    return store.add_photo(session, **values)


def test_the_consent_on_file_is_the_latest_signed_consultations_choice(db, pia):
    signed = pictures.signed_consultation(pia, photography=True, marketing=True)
    with db.Session() as session:
        consent = store.consent_on_file(session, signed.patient_id)
    assert (consent.clinical, consent.marketing, consent.withdrawn) == (True, True, False)
    assert consent.consultation_id == signed.consultation_id
    later = pictures.signed_consultation(pia, photography=False, day="2026-11-26")
    with db.Session() as session:
        assert not store.consent_on_file(session, later.patient_id).clinical


def test_a_withdrawal_before_the_consent_was_signed_does_not_count(db, pia, practitioner):
    first = pictures.signed_consultation(pia)
    with db.Session.begin() as session:
        store.add_withdrawal(session, first.patient_id, "clinical", "by letter",
                             practitioner.user_id)
    with db.Session() as session:
        assert store.consent_on_file(session, first.patient_id).withdrawn
    pictures.signed_consultation(pia, day="2026-11-28")
    with db.Session() as session:
        assert store.consent_on_file(session, first.patient_id).clinical


def test_lists_never_load_the_image_column(db, pia, practitioner):
    signed = pictures.signed_consultation(pia)
    with db.Session.begin() as session:
        added = _add(session, signed, practitioner.user_id)
    with db.Session() as session:
        (listed,) = store.photos_of(session, signed.patient_id)
        unloaded = inspect(listed).unloaded
        assert {"image", "thumbnail"} <= unloaded
        assert store.thumbnails(session, signed.patient_id, [added.id])[added.id][:2] == b"\xff\xd8"
        assert store.thumbnails(session, signed.patient_id + 1, [added.id]) == {}


def test_erasure_leaves_a_tombstone_with_every_fingerprint(db, pia, practitioner):
    signed = pictures.signed_consultation(pia)
    with db.Session.begin() as session:
        shas = [_add(session, signed, practitioner.user_id).sha256 for _ in range(2)]
    with db.Session.begin() as session:
        tombstone = store.erase_all(session, signed.patient_id, "erasure request",
                                    practitioner.user_id)
        assert (tombstone.photo_count, tombstone.sha256s) == (2, shas)
    with db.Session() as session:
        assert store.photos_of(session, signed.patient_id) == []
        assert store.erased_count(session, signed.patient_id) == 2
