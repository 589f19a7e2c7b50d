"""The quote detail window: what it shows, approving, rejecting and reopening."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from consult.records.manager import QuoteFilter, QuoteSort
from consult.storage.models import AuditEvent
from consult.storage.models.clinical import Quote
from tests.helpers.signing import signed
from tests.ui.manager.clinic_data import add_manager, consultation_of, priced_quote
from ui.manager.desk import ManagerDesk
from ui.manager.quote_detail import QuoteDetailDialog


def open_detail(qtbot, clinic, holder, quote_id) -> QuoteDetailDialog:
    db, actor, _ = clinic
    user = signed(db, actor)
    dialog = QuoteDetailDialog(user, ManagerDesk(user), quote_id, parent=holder)
    qtbot.waitUntil(lambda: dialog.detail is not None, timeout=30_000)
    return dialog


@pytest.fixture
def pending_quote(clinic) -> int:
    db, actor, _ = clinic
    return priced_quote(db, actor, consultation_of(db, 1), add_ons=("numbing",),
                        manual_discount_percent=Decimal("15"))


def facts(dialog) -> dict[str, str]:
    layout = dialog.facts
    return {layout.itemAt(row, layout.ItemRole.LabelRole).widget().text():
            layout.itemAt(row, layout.ItemRole.FieldRole).widget().text()
            for row in range(layout.rowCount())}


def test_shows_lines_discounts_areas_verdict_and_history(qtbot, clinic, holder, pending_quote):
    dialog = open_detail(qtbot, clinic, holder, pending_quote)
    shown = facts(dialog)
    assert shown["Areas"] == "Cheeks (Acne scars)"
    assert shown["Screening"] == "✔ Proceed"
    assert shown["Approval"] == "Pending"
    assert shown["Practitioner"] == "Clinic Manager"  # who priced it
    table = dialog.lines_table
    assert [table.item(row, 3).text() for row in range(table.rowCount())] == [
        "$796.00", "$100.00",
    ]
    assert dialog.money_labels["subtotal"].text() == "$896.00"
    assert dialog.money_labels["discount"].text() == "− $134.40 (manual 15.00%)"
    assert dialog.money_labels["total"].text() == "<b>$761.60</b>"
    assert dialog.history_list.count() == 1
    assert "created" in dialog.history_list.item(0).text()
    assert dialog.approve_button.isEnabled() and dialog.reject_button.isEnabled()
    assert not dialog.reopen_button.isEnabled()


def test_approve_with_a_comment_writes_the_decision_and_an_audit_event(
    qtbot, clinic, holder, pending_quote
):
    db, _, _ = clinic
    dialog = open_detail(qtbot, clinic, holder, pending_quote)
    qtbot.keyClicks(dialog.comment_edit, "long-standing patient")
    with qtbot.waitSignal(dialog.changed, timeout=30_000):
        qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.detail.quote.approval == "approved", timeout=30_000)
    with db.Session() as session:
        stored = session.get(Quote, pending_quote)
        assert (stored.approval, stored.approval_comment) == ("approved", "long-standing patient")
    with db.Session() as session:
        approval = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "quote.approve")).one()
    assert json.loads(approval.detail) == {"quote": pending_quote,
                                           "comment": "long-standing patient"}
    assert approval.username == "boss"
    assert dialog.history_list.count() == 2
    assert not dialog.approve_button.isEnabled()


def test_rejecting_without_a_comment_is_refused_naming_the_field(
    qtbot, clinic, holder, pending_quote
):
    db, _, _ = clinic
    dialog = open_detail(qtbot, clinic, holder, pending_quote)
    qtbot.mouseClick(dialog.reject_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_label.isVisibleTo(dialog), timeout=30_000)
    assert dialog.error_label.text() == "Comment: say why the discount is rejected"
    with db.Session() as session:
        assert session.get(Quote, pending_quote).approval == "pending"
    qtbot.keyClicks(dialog.comment_edit, "too generous")
    with qtbot.waitSignal(dialog.changed, timeout=30_000):
        qtbot.mouseClick(dialog.reject_button, Qt.MouseButton.LeftButton)
    with db.Session() as session:
        assert session.get(Quote, pending_quote).approval == "rejected"
        rejected = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "quote.reject")).one()
    assert json.loads(rejected.detail)["comment"] == "too generous"


def test_reopen_an_expired_quote_as_a_new_draft(qtbot, clinic, holder):
    db, actor, _ = clinic
    expired = ManagerDesk(signed(db, actor)).page(
        QuoteFilter(statuses=frozenset({"expired"})), QuoteSort(), 0, 1)[0]
    dialog = open_detail(qtbot, clinic, holder, expired.id)
    assert dialog.reopen_button.isEnabled()
    assert not dialog.approve_button.isEnabled()
    with qtbot.waitSignal(dialog.reopened, timeout=30_000) as reopened:
        qtbot.mouseClick(dialog.reopen_button, Qt.MouseButton.LeftButton)
    new_id = reopened.args[0]
    with db.Session() as session:
        new = session.get(Quote, new_id)
        assert (new.status, new.total) == ("draft", Decimal("796.00"))
        assert session.get(Quote, expired.id).status == "expired"
    qtbot.waitUntil(lambda: dialog.history_list.count() == 1, timeout=30_000)
    assert "reopened as a new draft" in dialog.history_list.item(0).text()


def _refused_text(qtbot, dialog) -> str:
    qtbot.mouseClick(dialog.approve_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_label.isVisibleTo(dialog), timeout=30_000)
    return dialog.error_label.text()


def test_a_decision_on_a_stale_copy_names_the_other_manager(qtbot, clinic, holder, pending_quote):
    db, _, _ = clinic
    stale = open_detail(qtbot, clinic, holder, pending_quote)
    other = add_manager(db, "vera")
    vera = signed(db, other)
    other_view = QuoteDetailDialog(vera, ManagerDesk(vera), pending_quote, parent=holder)
    qtbot.waitUntil(lambda: other_view.detail is not None, timeout=30_000)
    with qtbot.waitSignal(other_view.changed, timeout=30_000):
        qtbot.mouseClick(other_view.approve_button, Qt.MouseButton.LeftButton)
    text = _refused_text(qtbot, stale)
    assert "changed by Clinic Manager (vera) on test-seat" in text
    assert "someone else" not in text.lower()


def test_a_decision_on_a_stale_copy_of_ones_own_says_so(qtbot, clinic, holder, pending_quote):
    first = open_detail(qtbot, clinic, holder, pending_quote)
    second = open_detail(qtbot, clinic, holder, pending_quote)
    with qtbot.waitSignal(second.changed, timeout=30_000):
        qtbot.mouseClick(second.approve_button, Qt.MouseButton.LeftButton)
    text = _refused_text(qtbot, first)
    assert "changed by you, in another window on test-seat" in text
    assert "someone else" not in text.lower()
