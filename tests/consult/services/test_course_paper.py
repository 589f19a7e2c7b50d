"""The patient's paper of a session: the aftercare sheet and the audited hand-outs."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from consult.errors import ConsultError, InvalidField
from consult.services import course
from consult.storage.models import AuditEvent
from tests.consult.documents.pdfs import flat, text_of
from tests.helpers.course import signed_course
from tests.helpers.signing import set_up_clinic, signed_in


@pytest.fixture
def pia(db, manager, practitioner):
    set_up_clinic(db, manager)
    return signed_in(db, practitioner, "Pia")


def last_event(db) -> AuditEvent:
    with db.Session() as session:
        return session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()


def test_the_sheet_names_the_next_open_booking_in_the_clinics_time(db, pia, tmp_path):
    done = signed_course(pia)
    text = flat(text_of(course.aftercare_pdf(pia, done.session.id), tmp_path))
    assert "Ana Souza" in text and "20 Nov 2026" in text
    assert "Next appointment" in text and "WET" in text  # Lisbon's winter time
    event = last_event(db)
    assert (event.action, event.patient_id) == ("course.aftercare", done.patient_id)


def test_a_draft_has_no_sheet(pia):
    draft = signed_course(pia, sign=False)
    with pytest.raises(ConsultError, match="is not signed yet"):
        course.aftercare_pdf(pia, draft.session.id)


def test_a_handout_is_audited_and_its_kind_checked(db, pia):
    done = signed_course(pia)
    course.record_handout(pia, done.session.id, "aftercare", "print")
    event = last_event(db)
    assert event.action == "course.print"
    assert json.loads(event.detail)["document"] == "aftercare"
    with pytest.raises(InvalidField, match="way"):
        course.record_handout(pia, done.session.id, "aftercare", "fax")


def test_the_next_open_booking_after_a_day(db, pia):
    from datetime import UTC, datetime

    from consult.services import bookings

    done = signed_course(pia)
    after = datetime(2026, 11, 21, tzinfo=UTC)
    first = bookings.next_for_patient(pia, done.patient_id, after)
    assert first is not None and first.session_number == 2 and first.status == "proposed"
    bookings.cancel(pia, first.id)
    second = bookings.next_for_patient(pia, done.patient_id, after)
    assert second is not None and second.session_number == 3
    assert bookings.next_for_patient(pia, done.patient_id, datetime(2030, 1, 1, tzinfo=UTC)) is None
    with pytest.raises(InvalidField, match="starts_at"):
        bookings.next_for_patient(pia, done.patient_id, datetime(2026, 11, 21))
