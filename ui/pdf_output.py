"""Saving and printing finished PDFs.

Saving goes through consult.atomic (never a half-written file). Printing renders each
page with QtPdf at the printer's resolution and paints it through Qt's print dialog,
so what comes out of the printer is the very document that was signed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from consult import atomic
from consult.errors import ConsultError


def save_pdf_as(
    parent: QWidget,
    pdf: bytes,
    suggested: str,
    before_saving: Callable[[Path], object] | None = None,
) -> Path | None:
    """Ask where and write the PDF whole; None when the user cancels.

    `before_saving` gets the chosen path before anything is written (the audit event
    of a patient's document): if it raises, nothing is written.
    """
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, "Save PDF", suggested, "PDF documents (*.pdf)"
    )
    if not chosen:
        return None
    path = Path(chosen if chosen.lower().endswith(".pdf") else f"{chosen}.pdf")
    if before_saving is not None:
        before_saving(path)
    try:
        return atomic.write_bytes(path, pdf)
    except OSError as exc:
        raise ConsultError(f"{path}: cannot be written ({exc.strerror})") from None


def print_pdf(
    parent: QWidget, pdf: bytes, before_printing: Callable[[], object] | None = None
) -> bool:
    """Ask for a printer and print every page; False when the user cancels.

    `before_printing` runs once the printer is chosen and before any page goes out (the
    audit event of a patient's document): if it raises, nothing is printed.
    """
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    if before_printing is not None:
        before_printing()
    render_to_printer(pdf, printer)
    return True


def render_to_printer(pdf: bytes, printer: QPrinter) -> int:
    """Paint each page of `pdf`, scaled to the printable area; returns the page count."""
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    if document.status() != QPdfDocument.Status.Ready:
        raise ConsultError("the document could not be read for printing")
    painter = QPainter()
    if not painter.begin(printer):
        raise ConsultError("the printer could not be started")
    try:
        for page in range(document.pageCount()):
            if page:
                printer.newPage()
            _paint_page(painter, document, page, printer)
    finally:
        painter.end()
    return document.pageCount()


def _paint_page(painter: QPainter, document: QPdfDocument, page: int, printer: QPrinter) -> None:
    area = printer.pageLayout().paintRectPixels(printer.resolution())
    points = document.pagePointSize(page)
    scale = min(area.width() / points.width(), area.height() / points.height())
    size = QSize(int(points.width() * scale), int(points.height() * scale))
    image = document.render(page, size)
    painter.drawImage(QRect(0, 0, size.width(), size.height()), image)
