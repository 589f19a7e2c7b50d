"""A whole consultation driven through the app, then the signed PDFs read back."""

from __future__ import annotations

import io
import json
import subprocess

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox
from sqlalchemy import select

from consult.storage import consents, consultations, quotes, settings
from consult.storage.models import AuditEvent
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS, answer_the_rest_no, stroke
from tests.helpers.signing import signed
from ui.consultation.wizard import CONSENT, DOCUMENTS, SCREENING
from ui.dialogs.pdf_dialog import PdfDialog
from ui.shell.app import build_main_window
from ui.shell.workers import wait_for_background_work
from ui.widgets import pdf_output

pytestmark = [OFFSCREEN_SIZE_HINTS, pytest.mark.slow]


@pytest.fixture
def window(qtbot, db, manager, ana):
    main = build_main_window(signed(db, manager), settings.get_settings(db))
    main.resize(1280, 860)
    qtbot.addWidget(main)
    with qtbot.waitSignal(main.ready, timeout=30_000):
        main.show()
    qtbot.keyClicks(main.patients.search_box, "souza")
    qtbot.waitUntil(lambda: main.patients.model.rowCount() == 1, timeout=30_000)
    main.patients.table.selectRow(0)
    return main


def _start(qtbot, window):
    qtbot.mouseClick(window.patients.detail.start_button, Qt.MouseButton.LeftButton)
    wizard = window.consultation
    assert wizard is not None and window.pages.currentWidget() is wizard
    # The draft's first save runs on the pool; an override needs the stored consultation.
    qtbot.waitUntil(lambda: wizard.draft.consultation_id is not None, timeout=30_000)
    return wizard


def _answer_history(qtbot, wizard) -> None:
    history = wizard.steps[1]
    cold_sores = history.rows["cold_sores"]
    qtbot.mouseClick(cold_sores.yes, Qt.MouseButton.LeftButton)
    status = cold_sores.follow_ups.status
    status.setCurrentIndex(status.findData("history"))
    smoker = history.rows["smoker"]
    qtbot.mouseClick(smoker.yes, Qt.MouseButton.LeftButton)
    smoker.follow_ups.status.setCurrentIndex(smoker.follow_ups.status.findData("current"))
    qtbot.mouseClick(history.rows["pregnant"].no, Qt.MouseButton.LeftButton)
    isotretinoin = history.rows["isotretinoin"]
    qtbot.mouseClick(isotretinoin.yes, Qt.MouseButton.LeftButton)
    isotretinoin.follow_ups.status.setCurrentIndex(isotretinoin.follow_ups.status.findData("past"))
    qtbot.keyClicks(isotretinoin.follow_ups.date, "2019-13-01")
    assert "date" in history.blocker()
    isotretinoin.follow_ups.date.clear()
    qtbot.keyClicks(isotretinoin.follow_ups.date, "01/03/2019")
    assert history.blocker() is None
    answer_the_rest_no(qtbot, history)


def _choose_areas(qtbot, wizard) -> None:
    areas = wizard.steps[2]
    canvas = areas.map.canvas
    areas.map.show_view("face")
    for area in ("cheeks", "forehead"):
        qtbot.mouseClick(
            canvas, Qt.MouseButton.LeftButton, pos=canvas.area_position(area).toPoint()
        )
    assert set(areas.map.selected()) == {"cheeks", "forehead"}
    qtbot.mouseClick(areas.cards["cheeks"].concerns["acne_scars"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(areas.cards["forehead"].concerns["fine_lines"], Qt.MouseButton.LeftButton)
    assert wizard.draft.areas == {"forehead": ("fine_lines",), "cheeks": ("acne_scars",)} or (
        wizard.draft.areas == {"cheeks": ("acne_scars",), "forehead": ("fine_lines",)}
    )


def _next(qtbot, wizard, expected: int) -> None:
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.current() == expected, wizard.status.text()


def _events(db, *actions: str) -> list[tuple[str, int | None, dict]]:
    """(action, patient, detail) of the audit events with these actions, oldest first."""
    with db.Session() as session:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id)
        )
        return [(row.action, row.patient_id, json.loads(row.detail)) for row in rows]


def _pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _pdftotext(pdf: bytes) -> str:
    result = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def test_a_whole_consultation_ends_in_signed_stored_documents(
    qtbot, window, db, context, ana, monkeypatch, tmp_path, confirmations
):
    wizard = _start(qtbot, window)
    _next(qtbot, wizard, 1)
    _answer_history(qtbot, wizard)
    _next(qtbot, wizard, 2)
    assert "at least one area" in (wizard.steps[2].blocker() or "")
    _choose_areas(qtbot, wizard)
    _next(qtbot, wizard, 3)

    screening = wizard.steps[3]
    assert screening.result.verdict == "precautions"
    assert "Proceed with precautions" in screening.banner.text.text()
    assert not screening.reason.isVisible()
    _next(qtbot, wizard, 4)

    quote_step = wizard.steps[4]
    assert [line.item for line in quote_step.quote.lines] == ["face"]
    full_total = quote_step.quote.total
    quote_step.discount.clear()
    qtbot.keyClicks(quote_step.discount, "5")
    assert quote_step.quote.total < full_total
    assert not quote_step.quote.needs_approval
    qtbot.keyClicks(quote_step.discount, "0")  # 50 %: over the clinic's limit
    assert quote_step.quote.needs_approval
    assert quote_step.approval.message.text().startswith("⚠ Needs manager approval")
    assert quote_step.approval.ask_button.isVisibleTo(quote_step)
    quote_step.discount.clear()
    qtbot.keyClicks(quote_step.discount, "5")
    _next(qtbot, wizard, CONSENT)

    consent = wizard.steps[CONSENT]
    qtbot.waitUntil(consent.preview_ready, timeout=60_000)
    assert not consent.sign_button.isEnabled()
    assert consent.preview.page_count() >= 1
    qtbot.mouseClick(consent.photography.yes, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(consent.marketing.no, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(consent.preview_ready, timeout=60_000)
    for pad in (consent.patient_pad, consent.practitioner_pad):
        assert not consent.sign_button.isEnabled()
        pad.show()
        stroke(pad, [(20, 60), (60, 40), (100, 80), (140, 50), (180, 70), (220, 45)])
        assert not pad.is_empty()
    assert consent.sign_button.isEnabled()
    qtbot.mouseClick(consent.sign_button, Qt.MouseButton.LeftButton)
    # Asked once before sealing, in those words.
    assert confirmations.asked == [
        ("Sign and seal", "Sign and seal? This cannot be changed afterwards.")
    ]

    documents = wizard.steps[DOCUMENTS]
    assert wizard.current() == DOCUMENTS
    qtbot.waitUntil(lambda: documents.paperwork is not None, timeout=120_000)
    paperwork = documents.paperwork
    for pdf in (paperwork.consent, paperwork.plan):
        text = _pdf_text(pdf)
        assert "Ana Souza" in text
        assert "Cheeks" in text and "Forehead" in text
    # What the patient read is what they signed: the same pages, the signatures' times filled
    # in on the last of them, and one page after it recording the clinic's seal.
    read = PdfReader(io.BytesIO(consent.preview_pdf)).pages
    signed = PdfReader(io.BytesIO(paperwork.consent)).pages
    assert len(signed) == len(read) + 1
    of_read, of_signed = f"of {len(read)}", f"of {len(signed)}"
    assert [page.extract_text().replace(of_read, of_signed) for page in read[:-1]] == [
        page.extract_text() for page in signed[: len(read) - 1]
    ]
    assert "Seal of this signed record" in signed[-1].extract_text()
    consent_text = _pdftotext(paperwork.consent)
    assert "Ana Souza" in consent_text
    assert "Mara Quinn" in consent_text
    assert documents.consent_view.page_count() >= 1
    assert documents.plan_view.page_count() >= 1

    stored = consents.list_for_patient(db, context.actor, ana.id)
    assert sorted(record.kind for record in stored) == ["consent", "plan"]
    by_kind = {record.kind: record for record in stored}
    assert consents.get_pdf(db, context.actor, by_kind["consent"].id) == paperwork.consent
    [summary] = consultations.list_for_patient(db, context.actor, ana.id)
    assert summary.status == "completed"
    assert summary.screening_verdict == "precautions"
    [quote] = quotes.list_for_patient(db, context.actor, ana.id)
    assert quote.manual_discount_percent == 5
    assert quote.total == quote_step.quote.total
    # Signing the consent is the patient accepting the quote, in the same transaction.
    assert (quote.status, quote.approval) == ("accepted", "not_needed")
    assert "The quote is accepted." in documents.state.text()
    # The signatures are in the audit trail with each stored document's fingerprint.
    signed = _events(db, "quote.present", "quote.accept", "consent.store", "consent.sign")
    assert [(action, patient) for action, patient, _ in signed] == [
        ("quote.present", ana.id),
        ("quote.accept", ana.id),
        ("consent.store", ana.id),
        ("consent.store", ana.id),
        ("consent.sign", ana.id),
    ]
    assert {detail["sha256"] for _, _, detail in signed[2:4]} == {r.sha256 for r in stored}
    # The consent signed is the one read: the same document number on both.
    assert signed[4][2]["consent"] == wizard.draft.consent_number

    # Printing is audited before a page goes out, naming the document.
    printed: list[tuple[bytes, int]] = []  # (document, print events already written)
    monkeypatch.setattr(QPrintDialog, "exec", lambda dialog: QDialog.DialogCode.Accepted)
    monkeypatch.setattr(
        pdf_output,
        "render_to_printer",
        lambda pdf, printer: printed.append((pdf, len(_events(db, "documents.print")))),
    )
    qtbot.mouseClick(documents.print_plan, Qt.MouseButton.LeftButton)
    assert printed == [(paperwork.plan, 1)]
    assert _events(db, "documents.print") == [
        ("documents.print", ana.id, {"consultation": summary.id, "kind": "plan"})
    ]
    # So is a copy saved to a file (an export of the patient's record).
    copy = tmp_path / "consent-copy.pdf"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *args: (str(copy), "PDF"))
    )
    qtbot.mouseClick(documents.save_consent, Qt.MouseButton.LeftButton)
    assert copy.read_bytes() == paperwork.consent
    assert _events(db, "documents.export") == [
        (
            "documents.export",
            ana.id,
            {"consultation": summary.id, "kind": "consent", "file": "consent-copy.pdf"},
        )
    ]

    qtbot.mouseClick(documents.finish, Qt.MouseButton.LeftButton)
    assert window.pages.currentWidget() is window.home
    detail = window.patients.detail
    qtbot.waitUntil(lambda: detail.consents.count() == 2, timeout=30_000)
    assert detail.consultations.item(0).text().endswith("(completed)")
    assert "$" in detail.quotes.item(0).text()
    assert not detail.resume_button.isVisible()

    opened: list[int] = []
    monkeypatch.setattr(PdfDialog, "exec", lambda dialog: opened.append(dialog.view.page_count()))
    detail.consents.itemActivated.emit(detail.consents.item(0))
    assert opened and opened[0] >= 1  # the stored, signed PDF opens in the viewer


def test_going_on_past_a_stop_verdict_is_an_audited_override(qtbot, window, db, ana):
    wizard = _start(qtbot, window)
    _next(qtbot, wizard, 1)
    qtbot.mouseClick(wizard.steps[1].rows["pregnant"].yes, Qt.MouseButton.LeftButton)
    answer_the_rest_no(qtbot, wizard.steps[1])
    _next(qtbot, wizard, 2)
    _choose_areas(qtbot, wizard)
    _next(qtbot, wizard, SCREENING)
    screening = wizard.steps[SCREENING]
    assert screening.result.verdict == "defer"
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.current() == SCREENING  # no reason yet: no going on, nothing audited
    qtbot.keyClicks(screening.reason, "Obstetrician's written clearance seen")
    _next(qtbot, wizard, SCREENING + 1)
    expected = [
        (
            "screening.override",
            ana.id,
            {
                "consultation": wizard.draft.consultation_id,
                "verdict": "defer",
                "reason": "Obstetrician's written clearance seen",
            },
        )
    ]
    qtbot.waitUntil(lambda: _events(db, "screening.override") == expected, timeout=30_000)
    # Back and forth with the same reason is the same override: recorded once.
    qtbot.mouseClick(wizard.back_button, Qt.MouseButton.LeftButton)
    _next(qtbot, wizard, SCREENING + 1)
    wizard.close_consultation()
    wait_for_background_work()
    assert _events(db, "screening.override") == expected


def test_an_override_before_the_first_save_waits_without_a_dialog(
    qtbot, window, db, ana, monkeypatch
):
    wizard = _start(qtbot, window)
    _next(qtbot, wizard, 1)
    qtbot.mouseClick(wizard.steps[1].rows["pregnant"].yes, Qt.MouseButton.LeftButton)
    answer_the_rest_no(qtbot, wizard.steps[1])
    _next(qtbot, wizard, 2)
    _choose_areas(qtbot, wizard)
    _next(qtbot, wizard, SCREENING)
    qtbot.keyClicks(wizard.steps[SCREENING].reason, "Obstetrician's written clearance seen")
    stored_id = wizard.draft.consultation_id
    wizard.draft.consultation_id = None  # as if the first save were still on its way
    monkeypatch.setattr(QMessageBox, "warning", _no_dialog)
    qtbot.mouseClick(wizard.next_button, Qt.MouseButton.LeftButton)
    assert wizard.current() == SCREENING
    assert "still being saved" in wizard.status.text()
    wizard.draft.consultation_id = stored_id  # saved: now it goes on and is recorded
    _next(qtbot, wizard, SCREENING + 1)
    qtbot.waitUntil(lambda: len(_events(db, "screening.override")) == 1, timeout=30_000)


def _no_dialog(*_args):
    raise AssertionError("no modal dialog may interrupt going on")
