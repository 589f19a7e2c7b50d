"""Clinic settings (managers only): name, contact, logo, money, the idle lock, and the
sealing key (ui.dialogs.seal_key: its passphrase, exporting the certificate, replacing the key).

Values are checked by consult.pricing.ClinicSettings (the class the quote engine
prices with), so the dialog and the engine can never disagree on what is valid; a
problem names the field in the dialog's own words.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from consult.clinic.settings import (
    CURRENCIES,
    MAX_IDLE_LOCK_MINUTES,
    MAX_VALIDITY_DAYS,
    ClinicSettings,
    check_name,
)
from consult.errors import ConsultError, InvalidField
from consult.photos.limits import MAX_LONG_EDGE, MIN_LONG_EDGE
from consult.pricing.format import LOCALES
from consult.pricing.money import parse_percent
from consult.services import pricing
from ui.dialogs.seal_key import SealKeyPanel
from ui.shell.context import AppContext
from ui.widgets.forms import ErrorLabel, dialog_footer

LABELS = {
    "name": "Clinic name",
    "address": "Address",
    "phone": "Phone",
    "email": "E-mail",
    "logo": "Logo",
    "currency": "Currency",
    "locale": "Money format",
    "tax_rate": "Tax rate (%)",
    "tax_percent": "Tax rate (%)",
    "course_discount_percent": "Course discount (%)",
    "manual_discount_limit_percent": "Manual discount limit (%)",
    "quote_validity_days": "Quotes valid for (days)",
    "idle_lock_minutes": "Lock after idle (minutes)",
    "photo_long_edge": "Photos kept up to (px, long edge)",
}
LOGO_MAX_SIDE = 96


class SettingsDialog(QDialog):
    def __init__(self, context: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Clinic settings")
        self.setMinimumWidth(520)
        self.context = context
        self.stored = pricing.clinic_settings(context.user)
        self.saved: Any = None
        self.logo: bytes | None = self.stored.logo
        self.logo_changed = False
        self.name = QLineEdit(self)
        self.address = QPlainTextEdit(self)
        self.address.setMaximumHeight(70)
        self.phone = QLineEdit(self)
        self.email = QLineEdit(self)
        self.logo_preview = QLabel(self)
        self.choose_logo = QPushButton("Choose…", self)
        self.remove_logo = QPushButton("Remove", self)
        self.currency = QComboBox(self)
        self.currency.addItems(sorted(CURRENCIES))
        self.locale_box = QComboBox(self)  # not `locale`: that is QWidget.locale()
        self.locale_box.addItems(list(LOCALES))
        self.tax_percent = QLineEdit(self)
        self.course_discount_percent = QLineEdit(self)
        self.manual_discount_limit_percent = QLineEdit(self)
        self.quote_validity_days = QSpinBox(self)
        self.quote_validity_days.setRange(1, MAX_VALIDITY_DAYS)
        self.idle_lock_minutes = QSpinBox(self)
        self.idle_lock_minutes.setRange(1, MAX_IDLE_LOCK_MINUTES)
        self.photo_long_edge = QSpinBox(self)
        self.photo_long_edge.setRange(MIN_LONG_EDGE, MAX_LONG_EDGE)
        self.photo_long_edge.setSingleStep(100)
        self.error = ErrorLabel(self)
        self.seal_key = SealKeyPanel(context.actor, self._clinic_name, self)
        self._build()
        self._fill()

    def _build(self) -> None:
        logo_row = QHBoxLayout()
        logo_row.addWidget(self.logo_preview)
        logo_row.addWidget(self.choose_logo)
        logo_row.addWidget(self.remove_logo)
        logo_row.addStretch(1)
        form = QFormLayout()
        for key in ("name", "address", "phone", "email"):
            form.addRow(LABELS[key], getattr(self, key))
        form.addRow(LABELS["logo"], logo_row)
        for key, field in (
            ("currency", self.currency),
            ("locale", self.locale_box),
            ("tax_percent", self.tax_percent),
            ("course_discount_percent", self.course_discount_percent),
            ("manual_discount_limit_percent", self.manual_discount_limit_percent),
            ("quote_validity_days", self.quote_validity_days),
            ("idle_lock_minutes", self.idle_lock_minutes),
            ("photo_long_edge", self.photo_long_edge),
        ):
            form.addRow(LABELS[key], field)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.seal_key)
        self.save_button = dialog_footer(self, layout, "Save", self.submit)
        self.choose_logo.clicked.connect(self._choose_logo)
        self.remove_logo.clicked.connect(self._remove_logo)

    def _clinic_name(self) -> str:
        return str(self.stored.name)

    def _fill(self) -> None:
        stored = self.stored
        self.name.setText(stored.name)
        self.address.setPlainText(stored.address)
        self.phone.setText(stored.phone)
        self.email.setText(stored.email)
        self.currency.setCurrentText(stored.currency)
        self.locale_box.setCurrentText(stored.locale)
        self.tax_percent.setText(_plain(stored.tax_rate * 100))
        self.course_discount_percent.setText(_plain(stored.course_discount_percent))
        self.manual_discount_limit_percent.setText(_plain(stored.manual_discount_limit_percent))
        self.quote_validity_days.setValue(stored.quote_validity_days)
        self.idle_lock_minutes.setValue(stored.idle_lock_minutes)
        self.photo_long_edge.setValue(stored.photo_long_edge)
        self._show_logo()

    def _show_logo(self) -> None:
        if self.logo is None:
            self.logo_preview.setPixmap(QPixmap())
            self.logo_preview.setText("No logo")
            self.remove_logo.setEnabled(False)
            return
        pixmap = QPixmap()
        pixmap.loadFromData(self.logo)
        self.logo_preview.setPixmap(
            pixmap.scaled(
                LOGO_MAX_SIDE,
                LOGO_MAX_SIDE,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        )
        self.remove_logo.setEnabled(True)

    @Slot()
    def _choose_logo(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self, "Choose the clinic's logo", "", "Images (*.png *.jpg *.jpeg)"
        )
        if chosen:
            self.load_logo(Path(chosen))

    def load_logo(self, path: Path) -> None:
        from consult.documents.images import check_logo

        try:
            data = path.read_bytes()
            self.logo = check_logo(data, "logo")
        except OSError as exc:
            self.error.show_error(
                InvalidField("logo", f"{path.name} cannot be read ({exc.strerror})"), LABELS
            )
            return
        except ConsultError as error:
            self.error.show_error(error, LABELS)
            return
        self.logo_changed = True
        self.error.clear_error()
        self._show_logo()

    @Slot()
    def _remove_logo(self) -> None:
        self.logo = None
        self.logo_changed = True
        self._show_logo()

    def values(self) -> ClinicSettings:
        tax_percent = parse_percent(self.tax_percent.text().strip() or "0", "tax_percent")
        return ClinicSettings.from_mapping(
            {
                "name": check_name(" ".join(self.name.text().split())),
                "address": self.address.toPlainText().strip(),
                "phone": self.phone.text().strip(),
                "email": self.email.text().strip(),
                "currency": self.currency.currentText(),
                "locale": self.locale_box.currentText(),
                "tax_rate": tax_percent / 100,
                "course_discount_percent": self.course_discount_percent.text().strip() or "0",
                "manual_discount_limit_percent": self.manual_discount_limit_percent.text().strip()
                or "0",
                "quote_validity_days": self.quote_validity_days.value(),
                "idle_lock_minutes": self.idle_lock_minutes.value(),
                "photo_long_edge": self.photo_long_edge.value(),
                # Set when the clinic is set up; this dialog has no field for it, and
                # leaving it out would save it empty (and sealing would then refuse).
                "time_zone": self.stored.time_zone,
            }
        )

    @Slot()
    def submit(self) -> None:
        try:
            self.saved = pricing.change_settings(
                self.context.user,
                self.values(),
                self.stored.version,
                logo=self.logo if self.logo_changed else None,
                keep_logo=not self.logo_changed,
            )
        except ConsultError as error:
            self.error.show_error(error, LABELS)
            return
        self.accept()


def _plain(value: Any) -> str:
    return f"{value.normalize():f}"
