"""A stored PDF (a signed consent, a plan) opened in its own window."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from ui.widgets.pdf_view import PdfView


class PdfDialog(QDialog):
    def __init__(self, title: str, pdf: bytes, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(820, 900)
        layout = QVBoxLayout(self)
        self.view = PdfView(self)
        self.view.load_bytes(pdf)
        layout.addWidget(self.view)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
