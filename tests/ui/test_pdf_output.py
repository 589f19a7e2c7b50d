"""Saving and printing a finished PDF: the file written whole, every page printed."""

from __future__ import annotations

import io

from pypdf import PdfReader
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog, QWidget
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from ui.widgets.pdf_output import render_to_printer, save_pdf_as


def _pdf(pages: int) -> bytes:
    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer, pagesize=A4)
    for number in range(1, pages + 1):
        drawing.drawString(72, 760, f"Consent page {number} of {pages}")
        drawing.showPage()
    drawing.save()
    return buffer.getvalue()


def test_every_page_goes_to_the_printer(tmp_path, qtbot):
    printer = QPrinter(QPrinter.PrinterMode.ScreenResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printed = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(printed))
    assert render_to_printer(_pdf(3), printer) == 3
    assert len(PdfReader(printed).pages) == 3


def test_save_as_writes_the_exact_bytes_and_adds_the_extension(tmp_path, qtbot, monkeypatch):
    parent = QWidget()
    qtbot.addWidget(parent)
    chosen = tmp_path / "copies" / "consent-Ana-Souza"
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *args: (str(chosen), "PDF"))
    )
    pdf = _pdf(1)
    written = save_pdf_as(parent, pdf, "consent.pdf")
    assert written == chosen.with_suffix(".pdf")
    assert written.read_bytes() == pdf
    assert [p.name for p in written.parent.iterdir()] == ["consent-Ana-Souza.pdf"]  # no temp left


def test_cancelling_save_as_writes_nothing(tmp_path, qtbot, monkeypatch):
    parent = QWidget()
    qtbot.addWidget(parent)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args: ("", "")))
    assert save_pdf_as(parent, _pdf(1), "consent.pdf") is None


def test_the_save_dialog_opens_in_the_documents_folder(tmp_path, qtbot, monkeypatch):
    from PySide6.QtCore import QStandardPaths

    documents = tmp_path / "Documents"
    documents.mkdir()
    monkeypatch.setattr(
        QStandardPaths, "writableLocation", staticmethod(lambda _where: str(documents))
    )
    offered: list[str] = []

    def choose(_parent, _title, suggested, _filter):
        offered.append(suggested)
        return suggested, "PDF"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(choose))
    parent = QWidget()
    qtbot.addWidget(parent)
    written = save_pdf_as(parent, _pdf(1), "plan-Ana-Souza.pdf")
    assert offered == [str(documents / "plan-Ana-Souza.pdf")]
    assert written == documents / "plan-Ana-Souza.pdf" and written.is_file()
