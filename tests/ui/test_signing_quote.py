"""Signing accepts the quote; a discount waiting for a manager's approval stops signing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtWidgets import QWidget

from consult.errors import ConsultError
from consult.storage import consents, quotes
from tests.consult.documents.pdfs import signature_png
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS
from ui.consultation.draft import DraftState
from ui.consultation.paperwork import sign_and_store
from ui.consultation.steps.base import Services
from ui.consultation.steps.consent_step import paperwork_request
from ui.consultation.steps.documents_step import DocumentsStep
from ui.consultation.wizard import load_services, open_draft

pytestmark = [OFFSCREEN_SIZE_HINTS, pytest.mark.slow]
INK = signature_png()


def _signed_draft(context, ana, discount: int) -> tuple[DraftState, Services]:
    draft = open_draft(context, ana, None)
    draft.areas = {"cheeks": ("acne_scars",)}
    draft.manual_discount_percent = Decimal(discount)
    draft.photography, draft.marketing = True, False
    assert draft.consultation_date == date.today()
    return draft, load_services(context)


def test_a_discount_waiting_for_approval_stops_signing_and_nothing_is_stored(
    db, context, ana
):
    draft, services = _signed_draft(context, ana, discount=40)
    request = paperwork_request(draft, services, patient_png=INK, practitioner_png=INK)
    with pytest.raises(ConsultError, match="waits for a manager's approval"):
        sign_and_store(context.user, draft.consultation_id, draft.version, request)
    assert quotes.list_for_patient(db, context.actor, ana.id) == []
    assert consents.list_for_patient(db, context.actor, ana.id) == []


def test_a_quote_within_the_limit_is_accepted_at_signing(qtbot, db, context, ana):
    draft, services = _signed_draft(context, ana, discount=5)
    request = paperwork_request(draft, services, patient_png=INK, practitioner_png=INK)
    paperwork = sign_and_store(context.user, draft.consultation_id, draft.version, request)
    [stored] = quotes.list_for_patient(db, context.actor, ana.id)
    assert (stored.status, stored.approval) == ("accepted", "not_needed")
    assert paperwork.quote_record == stored

    parent = QWidget()
    qtbot.addWidget(parent)
    step = DocumentsStep(draft, services, parent)
    step._show(paperwork)
    assert "The quote is accepted." in step.state.text()
