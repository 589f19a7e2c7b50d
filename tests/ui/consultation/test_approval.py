"""The discount's approval on the quote and consent steps: ask a manager, or remove it."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from consult.clinical.fileformat import HistoryEntry
from consult.clinical.questionnaire import questionnaire
from consult.services import quotes
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS
from ui.consultation.steps.consent_step import ConsentStep
from ui.consultation.steps.quote_step import QuoteStep
from ui.consultation.wizard import load_services, open_draft

pytestmark = [OFFSCREEN_SIZE_HINTS]


@pytest.fixture
def draft(context, ana):
    draft = open_draft(context, ana, None)
    draft.areas = {"cheeks": ("acne_scars",)}
    draft.manual_discount_percent = Decimal(40)  # the clinic's limit is 10 %
    draft.photography, draft.marketing = True, False
    # Every question answered "no": only the discount stands between them and signing.
    draft.history = {name: HistoryEntry(present=False) for name in questionnaire().conditions}
    return draft


def test_asking_a_manager_then_the_approval_lets_the_consent_be_signed(
    qtbot, holder, context, draft
):
    step = ConsentStep(draft, load_services(context), holder)
    step.enter()
    panel = step.approval
    assert panel.isVisibleTo(step) and panel.ask_button.isVisibleTo(step)
    assert "over the clinic's limit" in (panel.blocker() or "")
    qtbot.mouseClick(panel.ask_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.asked is not None, timeout=30_000)
    qtbot.waitUntil(step.preview_ready, timeout=30_000)
    assert panel.asked.approval == "pending"
    assert "A manager was asked" in panel.message.text()
    assert "waits for a manager's approval" in step.waiting.text()
    assert not step.sign_button.isEnabled()
    # The request is in the manager's table at once.
    [stored] = quotes.list_for_patient(context.user, draft.patient.id)
    assert (stored.status, stored.approval) == ("draft", "pending")

    quotes.decide_approval(context.user, stored.id, approve=True, expected_version=stored.version)
    qtbot.mouseClick(panel.check_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.asked.approval == "approved", timeout=30_000)
    assert panel.blocker() is None
    assert panel.message.text().startswith("✓ A manager approved")
    assert not panel.remove_button.isVisibleTo(step)


def test_removing_the_discount_clears_the_wait(qtbot, holder, context, draft):
    step = QuoteStep(draft, load_services(context), holder)
    step.enter()
    assert step.quote is not None and step.quote.needs_approval
    assert step.approval.remove_button.isVisibleTo(step)
    qtbot.mouseClick(step.approval.remove_button, Qt.MouseButton.LeftButton)
    assert draft.manual_discount_percent == 0
    assert step.discount.text() == "0"
    assert not step.quote.needs_approval
    assert not step.approval.isVisibleTo(step)
    assert step.approval.blocker() is None


def test_a_changed_discount_needs_its_own_approval(qtbot, holder, context, draft):
    step = QuoteStep(draft, load_services(context), holder)
    step.enter()
    qtbot.mouseClick(step.approval.ask_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: step.approval.asked is not None, timeout=30_000)
    [asked] = quotes.list_for_patient(context.user, draft.patient.id)
    quotes.decide_approval(context.user, asked.id, approve=True, expected_version=asked.version)
    step.discount.clear()
    qtbot.keyClicks(step.discount, "35")
    qtbot.waitUntil(lambda: not step.approval._worker.busy(), timeout=30_000)
    assert step.approval.blocker() is not None  # 35 % was never asked for
    assert step.approval.ask_button.isVisibleTo(step)
