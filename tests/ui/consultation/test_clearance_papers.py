"""A clearance awaited: go on past screening, print the papers for the doctor, never sign."""

from __future__ import annotations

from PySide6.QtCore import Qt

from consult.clinical.fileformat import HistoryEntry
from consult.clinical.questionnaire import questionnaire
from consult.services import documents, quotes
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS
from ui.consultation.steps.consent_step import ConsentStep
from ui.consultation.steps.screening_step import ScreeningStep
from ui.consultation.wizard import load_services, open_draft
from ui.dialogs.pdf_dialog import PdfDialog

pytestmark = [OFFSCREEN_SIZE_HINTS]


def _on_blood_thinners(context, ana):
    draft = open_draft(context, ana, None)
    draft.areas = {"cheeks": ("acne_scars",)}
    draft.history = {name: HistoryEntry(present=False) for name in questionnaire().conditions}
    # Answered as the history step answers it: yes, with the follow-ups it asks.
    draft.history["anticoagulants"] = HistoryEntry(present=True, status="current")
    draft.photography, draft.marketing = True, False
    return draft


def test_a_clearance_alone_lets_the_practitioner_go_on_to_print(qtbot, holder, context, ana):
    draft = _on_blood_thinners(context, ana)
    step = ScreeningStep(draft, load_services(context), holder)
    step.enter()
    assert step.result.verdict == "clearance"
    assert step.blocker() is None
    assert "print the plan" in step.reason_label.text()


def test_the_papers_are_stored_printed_and_nothing_can_be_signed(
    qtbot, holder, context, ana, monkeypatch
):
    shown: list[str] = []
    monkeypatch.setattr(PdfDialog, "exec", lambda dialog: shown.append(dialog.windowTitle()))
    draft = _on_blood_thinners(context, ana)
    step = ConsentStep(draft, load_services(context), holder)
    step.enter()
    qtbot.waitUntil(step.preview_ready, timeout=30_000)
    assert step.clearance_button.isVisibleTo(step)
    assert "clearance is needed before anything is signed" in step.waiting.text()
    assert not step.sign_button.isEnabled()
    number_read = draft.consent_number

    qtbot.mouseClick(step.clearance_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(shown) == 2, timeout=30_000)
    assert shown == [
        "Treatment plan for the doctor: Ana Souza",
        "Consent, not valid until clearance: Ana Souza",
    ]
    stored = documents.list_for_patient(context.user, ana.id)
    assert {(record.kind, record.signed_at) for record in stored} == {
        ("consent", None),
        ("plan", None),
    }
    assert number_read in {record.document_number for record in stored}
    assert draft.consent_number != number_read  # a signature later is a new version
    [quote] = quotes.list_for_patient(context.user, ana.id)
    assert quote.status == "presented"
    assert not step.sign_button.isEnabled()
