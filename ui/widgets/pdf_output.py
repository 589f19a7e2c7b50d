"""Saving and printing finished PDFs.

Saving goes through consult.protection.atomic (never a half-written file). Printing renders each
page with QtPdf at the printer's resolution and paints it through Qt's print dialog,
so what comes out of the printer is the very document that was signed. When the print
dialog's destination is a PDF file ("Print to file") and every page is asked for, the
document itself is written there: a painted copy would be a picture of each page,
losing the text and a sealed document's signature.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QSize, QStandardPaths
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QFileDialog, QWidget

from consult.errors import ConsultError
from consult.protection import atomic


def documents_folder() -> Path:
    """Where a save dialog opens: the user's Documents folder (their home if there is none)."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    path = Path(folder) if folder else Path.home()
    return path if path.is_dir() else Path.home()


def in_documents(file_name: str) -> str:
    """A suggested file name placed in the Documents folder (an absolute path is kept)."""
    suggested = Path(file_name)
    return str(suggested if suggested.is_absolute() else documents_folder() / suggested)


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
        parent, "Save PDF", in_documents(suggested), "PDF documents (*.pdf)"
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
    """Ask for a printer and print the pages asked for; False when the user cancels.

    `before_printing` runs once the printer is chosen and before any page goes out (the
    audit event of a patient's document): if it raises, nothing is printed.
    """
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.setMinMax(1, max(1, page_count(pdf)))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return False
    if before_printing is not None:
        before_printing()
    send_to_printer(pdf, printer)
    return True


def send_to_printer(pdf: bytes, printer: QPrinter) -> None:
    """The whole document as it is to a PDF file, else its pages painted on the printer."""
    if _whole_document_to_pdf_file(printer):
        path = Path(printer.outputFileName())
        try:
            atomic.write_bytes(path, pdf)
        except OSError as exc:
            raise ConsultError(f"{path}: cannot be written ({exc.strerror})") from None
        return
    render_to_printer(pdf, printer)


def _whole_document_to_pdf_file(printer: QPrinter) -> bool:
    return (
        printer.outputFormat() == QPrinter.OutputFormat.PdfFormat
        and bool(printer.outputFileName())
        and printer.printRange() != QPrinter.PrintRange.PageRange
    )


def page_count(pdf: bytes) -> int:
    """How many pages `pdf` has (0 when it cannot be read)."""
    buffer, document = _open(pdf)
    count = document.pageCount() if document.status() == QPdfDocument.Status.Ready else 0
    buffer.close()
    return count


def render_to_printer(pdf: bytes, printer: QPrinter) -> int:
    """Paint the pages asked for, each scaled to the printable area; returns how many."""
    buffer, document = _open(pdf)
    if document.status() != QPdfDocument.Status.Ready:
        raise ConsultError("the document could not be read for printing")
    pages = _pages_asked_for(printer, document.pageCount())
    painter = QPainter()
    if not painter.begin(printer):
        raise ConsultError("the printer could not be started")
    try:
        for number, page in enumerate(pages):
            if number:
                printer.newPage()
            _paint_page(painter, document, page, printer)
    finally:
        painter.end()
        buffer.close()
    return len(pages)


def _open(pdf: bytes) -> tuple[QBuffer, QPdfDocument]:
    """The document read from memory; the buffer must stay open while it is used."""
    buffer = QBuffer()
    buffer.setData(QByteArray(pdf))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    document = QPdfDocument()
    document.load(buffer)
    return buffer, document


def _pages_asked_for(printer: QPrinter, count: int) -> range:
    """Zero-based page numbers: the range chosen in the print dialog, else every page."""
    if printer.printRange() != QPrinter.PrintRange.PageRange or printer.fromPage() < 1:
        return range(count)
    last = min(printer.toPage() or count, count)
    return range(printer.fromPage() - 1, last)


def _paint_page(painter: QPainter, document: QPdfDocument, page: int, printer: QPrinter) -> None:
    area = printer.pageLayout().paintRectPixels(printer.resolution())
    points = document.pagePointSize(page)
    scale = min(area.width() / points.width(), area.height() / points.height())
    size = QSize(int(points.width() * scale), int(points.height() * scale))
    image = document.render(page, size)
    painter.drawImage(QRect(0, 0, size.width(), size.height()), image)
