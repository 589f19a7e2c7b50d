"""Signing presents the quote, unless its discount waits for a manager's approval."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from PySide6.QtWidgets import QWidget

from consult.storage import quotes
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS
from ui.consultation.draft import DraftState
from ui.consultation.paperwork import sign_and_store
from ui.consultation.steps.base import Services
from ui.consultation.steps.consent_step import paperwork_request
from ui.consultation.steps.documents_step import DocumentsStep
from ui.consultation.wizard import load_services, open_draft

pytestmark = [OFFSCREEN_SIZE_HINTS, pytest.mark.slow]


def _signed_draft(context, ana, discount: int) -> tuple[DraftState, Services]:
    draft = open_draft(context, ana, None)
    draft.areas = {"cheeks": ("acne_scars",)}
    draft.manual_discount_percent = Decimal(discount)
    draft.photography, draft.marketing = True, False
    assert draft.consultation_date == date.today()
    return draft, load_services(context)


def test_a_discount_over_the_limit_keeps_the_signed_quote_waiting_for_approval(
    qtbot, db, context, ana
):
    draft, services = _signed_draft(context, ana, discount=40)
    request = paperwork_request(draft, services, signed_at=datetime.now().astimezone())
    paperwork = sign_and_store(db, context.actor, draft.consultation_id, draft.version, "", request)
    [stored] = quotes.list_for_patient(db, context.actor, ana.id)
    assert (stored.status, stored.approval) == ("draft", "pending")
    assert paperwork.quote_record == stored

    parent = QWidget()
    qtbot.addWidget(parent)
    step = DocumentsStep(draft, services, parent)
    step._show(paperwork)
    assert "waits for a manager's approval" in step.state.text()
    assert "The quote is presented" not in step.state.text()


def test_a_quote_within_the_limit_is_presented_at_signing(qtbot, db, context, ana):
    draft, services = _signed_draft(context, ana, discount=5)
    request = paperwork_request(draft, services, signed_at=datetime.now().astimezone())
    paperwork = sign_and_store(db, context.actor, draft.consultation_id, draft.version, "", request)
    [stored] = quotes.list_for_patient(db, context.actor, ana.id)
    assert (stored.status, stored.approval) == ("presented", "not_needed")
    assert paperwork.quote_record == stored
    assert paperwork.quote_problem is None
