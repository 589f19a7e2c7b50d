"""A signed consultation on the patient's card: double-click to amend it, after a question."""

from __future__ import annotations

from consult.clinical.fileformat import AreaRequest, Consultation, Patient
from consult.documents.amends import AMENDS_KEY
from consult.services import consultations, signing
from consult.services.signing import SigningRequest
from tests.consult.documents.pdfs import signature_png
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS
from ui.patients.page import PatientDetail
from ui.widgets import dates

pytestmark = OFFSCREEN_SIZE_HINTS
INK = signature_png()


def _signed(context, ana) -> signing.SignedRecord:
    patient = Patient(ana.name, ana.date_of_birth, ana.fitzpatrick, ana.email, ana.phone)
    visit = Consultation(
        dates.now().date(), patient, "microneedling", (AreaRequest("cheeks", ("acne_scars",)),)
    )
    draft = consultations.start(context.user, ana.id, visit)
    return signing.sign(
        context.user,
        SigningRequest(
            visit, True, False, INK, INK, consultation_id=draft.id, expected_version=draft.version
        ),
    )


def _completed_item(detail: PatientDetail):
    for row in range(detail.consultations.count()):
        if "(completed)" in detail.consultations.item(row).text():
            return detail.consultations.item(row)
    raise AssertionError("no completed consultation listed")


def test_double_clicking_a_signed_consultation_starts_an_amendment(
    qtbot, holder, context, ana, confirmations
):
    signed = _signed(context, ana)
    detail = PatientDetail(context, holder)
    detail.show_patient(ana)
    qtbot.waitUntil(lambda: detail.consultations.count() == 1, timeout=30_000)
    assert signed.consent_number in detail.consents.item(1).text()
    with qtbot.waitSignal(detail.resume_requested, timeout=30_000) as opened:
        detail.consultations.itemActivated.emit(_completed_item(detail))
    assert confirmations.asked and "needs a new consent" in confirmations.asked[0][1]
    patient, draft_id = opened.args
    assert patient == ana and draft_id != signed.consultation_id
    draft = consultations.open_consultation(context.user, draft_id)
    assert draft.status == "draft"
    assert draft.consultation.extra[AMENDS_KEY] == signed.consent_number


def test_saying_no_starts_nothing(qtbot, holder, context, ana, confirmations):
    _signed(context, ana)
    confirmations.answer = False
    detail = PatientDetail(context, holder)
    detail.show_patient(ana)
    qtbot.waitUntil(lambda: detail.consultations.count() == 1, timeout=30_000)
    detail.consultations.itemActivated.emit(_completed_item(detail))
    assert confirmations.asked
    assert len(consultations.list_for_patient(context.user, ana.id)) == 1
