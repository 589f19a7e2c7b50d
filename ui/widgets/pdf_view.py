"""A PDF preview: every page, one under the other, fitted to the width.

Used to show the consent and the treatment plan before they are signed or printed.
The document is read from bytes (the PDFs are made in memory), through a QBuffer the
widget keeps for as long as the document is shown: QPdfDocument reads from it lazily.
If the bytes are not a readable PDF the preview says so in words instead of showing
a blank page.
"""

from __future__ import annotations

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMargins, Qt, Signal, Slot
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

_PROBLEMS = {
    QPdfDocument.Error.FileNotFound: "the document could not be found",
    QPdfDocument.Error.InvalidFileFormat: "the data is not a valid PDF",
    QPdfDocument.Error.IncorrectPassword: "the document is protected by a password",
    QPdfDocument.Error.UnsupportedSecurityScheme: "the document's protection is not supported",
    QPdfDocument.Error.DataNotYetAvailable: "the document is incomplete",
}


class PdfView(QWidget):
    """Shows a PDF given as bytes. Emits `loaded(pages)` or `failed(message)` after a load."""

    loaded = Signal(int)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._document = QPdfDocument(self)
        self._buffer: QBuffer | None = None  # must outlive the document's use of it
        self._view = QPdfView(self)
        self._view.setDocument(self._document)
        self._view.setPageMode(QPdfView.PageMode.MultiPage)
        self._view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self._view.setPageSpacing(12)
        self._view.setDocumentMargins(QMargins(12, 12, 12, 12))
        self._view.setAccessibleName("Document preview")
        self._message = QLabel(self)
        self._message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._message.setWordWrap(True)
        self._message.setAccessibleName("Document preview message")
        self._stack = QStackedWidget(self)
        self._stack.addWidget(self._view)
        self._stack.addWidget(self._message)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self._show_message("No document to show yet.")
        self._document.statusChanged.connect(self._on_status_changed)

    # ------------------------------------------------------------------ public API

    def load_bytes(self, data: bytes) -> None:
        """Show the PDF in `data`; `loaded` or `failed` tells how it went."""
        self._document.close()
        self._drop_buffer()
        if not data:
            self._fail("the document is empty")
            return
        self._buffer = QBuffer(self)
        self._buffer.setData(QByteArray(data))
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self._document.load(self._buffer)

    def page_count(self) -> int:
        if self._document.status() != QPdfDocument.Status.Ready:
            return 0
        return self._document.pageCount()

    def message(self) -> str:
        """What the preview says instead of a document ("" while a document is shown)."""
        return self._message.text() if self._stack.currentWidget() is self._message else ""

    def document(self) -> QPdfDocument:
        return self._document

    def pdf_view(self) -> QPdfView:
        return self._view

    # ------------------------------------------------------------------ internals

    @Slot(QPdfDocument.Status)
    def _on_status_changed(self, status: QPdfDocument.Status) -> None:
        if status == QPdfDocument.Status.Ready:
            self._stack.setCurrentWidget(self._view)
            self.loaded.emit(self._document.pageCount())
        elif status == QPdfDocument.Status.Error:
            error = self._document.error()
            self._fail(_PROBLEMS.get(error, "the document could not be read"))

    def _fail(self, problem: str) -> None:
        self._show_message(f"This document cannot be shown: {problem}.")
        self.failed.emit(problem)

    def _show_message(self, text: str) -> None:
        self._message.setText(text)
        self._stack.setCurrentWidget(self._message)

    def _drop_buffer(self) -> None:
        if self._buffer is not None:
            self._buffer.close()
            self._buffer.deleteLater()
            self._buffer = None
