"""Recall: every session that used a product lot, as `consult recall LOT` answers it.

For a manufacturer's recall notice: the lot number (and, when two makers share a lot
number, the product) finds every session that used it, with the patient, the date, the
practitioner, the areas and the device. Every search is an audit event, whatever it
finds (consult.services.lots.recall records it).
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from consult.errors import ConsultError
from consult.records.course import RecallHit
from consult.services import lots
from consult.services.acting import SignedIn
from ui.course.sessions_tab import area_label
from ui.shell.errors import log_unexpected
from ui.shell.style import make_primary
from ui.shell.workers import Worker
from ui.widgets.dates import show_date
from ui.widgets.forms import ErrorLabel
from ui.widgets.rows_model import Row, RowsModel, table_view

HEADERS = ("Date", "Patient", "Practitioner", "Areas", "Device", "Lot", "Record")
LABELS = {"lot": "Lot number", "product": "Product"}


def hit_cells(hit: RecallHit) -> tuple[str, ...]:
    record = hit.document_number or ("draft" if hit.status == "draft" else hit.status)
    if hit.amends_id is not None:
        record += f" (amends session {hit.amends_id})"
    return (
        show_date(hit.session_date),
        hit.patient_name,
        hit.practitioner,
        ", ".join(area_label(area) for area in hit.areas),
        ", ".join(hit.devices),
        ", ".join(hit.lots),
        record,
    )


class RecallView(QWidget):
    searched = Signal()

    def __init__(self, user: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._user = user
        self._worker = Worker(self)
        self.lot_number = QLineEdit(self)
        self.lot_number.setPlaceholderText("Lot number from the recall notice")
        self.lot_number.setAccessibleName("Lot number")
        self.product = QLineEdit(self)
        self.product.setPlaceholderText("Product (optional)")
        self.product.setAccessibleName("Product")
        self.search_button = make_primary(QPushButton("Find sessions", self))
        self.model = RowsModel(HEADERS, self)
        self.table = table_view(self.model, self, "Sessions that used the lot")
        self.summary = QLabel(self)
        self.summary.setObjectName("subtitle")
        self.summary.setWordWrap(True)
        self.error = ErrorLabel(self)
        top = QHBoxLayout()
        top.addWidget(self.lot_number, 2)
        top.addWidget(self.product, 2)
        top.addWidget(self.search_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        title = QLabel("Recall: which sessions used a lot", self)
        title.setObjectName("title")
        layout.addWidget(title)
        layout.addLayout(top)
        layout.addWidget(self.error)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        self.search_button.clicked.connect(self.search)
        self.lot_number.returnPressed.connect(self.search)

    @Slot()
    def search(self) -> None:
        user = self._user
        lot_number, product = self.lot_number.text(), self.product.text().strip() or None
        self._worker.start(
            lambda: (lot_number.strip(), lots.recall(user, lot_number, product)),
            self._found,
            self._failed,
        )

    def _found(self, answer: tuple[str, tuple[RecallHit, ...]]) -> None:
        lot_number, hits = answer
        self.error.clear_error()
        self.model.set_rows([Row(hit_cells(hit), hit) for hit in hits])
        patients = len({hit.patient_id for hit in hits})
        self.summary.setText(
            f"{len(hits)} session{'s' if len(hits) != 1 else ''} of {patients} "
            f"patient{'s' if patients != 1 else ''} used lot {lot_number}."
            if hits
            else f"No session used lot {lot_number}."
        )
        self.searched.emit()

    def _failed(self, error: BaseException) -> None:
        self.model.set_rows([])
        self.summary.clear()
        if isinstance(error, ConsultError):
            self.error.show_error(error, LABELS)
        else:
            self.error.show_error(f"Something went wrong; details in {log_unexpected(error)}")
        self.searched.emit()
