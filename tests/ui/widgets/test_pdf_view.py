"""The PDF preview shows real PDFs page by page and explains the ones it cannot show."""

from __future__ import annotations

import io

import pytest
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from ui.widgets.pdf_view import PdfView


def _pdf(pages: int) -> bytes:
    out = io.BytesIO()
    document = canvas.Canvas(out, pagesize=A4)
    for number in range(1, pages + 1):
        document.drawString(72, 760, f"Consent form, page {number}")
        document.showPage()
    document.save()
    return out.getvalue()


@pytest.fixture
def preview(qtbot) -> PdfView:
    widget = PdfView()
    qtbot.addWidget(widget)
    widget.resize(500, 700)
    return widget


def test_a_reportlab_pdf_is_shown_with_all_its_pages(qtbot, preview):
    with qtbot.waitSignal(preview.loaded, timeout=30_000) as loaded:
        preview.load_bytes(_pdf(3))
    assert loaded.args == [3]
    assert preview.page_count() == 3
    assert preview.message() == ""
    assert preview.document().pageLabel(2) == "3"
    assert preview.pdf_view().pageMode() == QPdfView.PageMode.MultiPage
    assert preview.pdf_view().zoomMode() == QPdfView.ZoomMode.FitToWidth


def test_bytes_that_are_not_a_pdf_give_a_clear_message(qtbot, preview):
    with qtbot.waitSignal(preview.failed, timeout=30_000) as failed:
        preview.load_bytes(b"%PDF-1.4 this is not really a PDF")
    assert failed.args == ["the data is not a valid PDF"]
    assert preview.page_count() == 0
    assert preview.message() == "This document cannot be shown: the data is not a valid PDF."


def test_a_cut_off_pdf_is_refused_and_a_good_one_shows_after_it(qtbot, preview):
    good = _pdf(2)
    with qtbot.waitSignal(preview.failed, timeout=30_000):
        preview.load_bytes(good[: len(good) // 3])
    with qtbot.waitSignal(preview.loaded, timeout=30_000):
        preview.load_bytes(good)
    assert preview.page_count() == 2
    assert preview.message() == ""


def test_nothing_to_show_is_said_in_words(qtbot, preview):
    assert preview.message() == "No document to show yet."
    with qtbot.waitSignal(preview.failed, timeout=30_000):
        preview.load_bytes(b"")
    assert preview.message() == "This document cannot be shown: the document is empty."
    assert preview.document().status() != QPdfDocument.Status.Ready
