"""The manager's workspace: every quote, reports, the price list, a way to clinic settings.

The main window adds `ManagerWorkspace(user, parent)` as a page for managers.
Each tab is shown only if the signed-in role has its permission (the core checks
again on every call, so a hidden tab is convenience, not the protection).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QTabWidget, QVBoxLayout, QWidget

from consult.services import pricing
from consult.services.acting import SignedIn
from ui.manager.desk import ManagerDesk
from ui.manager.price_editor import PriceEditor
from ui.manager.quote_detail import QuoteDetailDialog
from ui.manager.quotes_view import QuotesView
from ui.manager.reports_view import ReportsView
from ui.shell.context import AppContext


class ManagerWorkspace(QWidget):
    # Asks the main window for its clinic settings dialog; if nothing listens, the
    # workspace opens the dialog itself.
    settings_requested = Signal()

    def __init__(self, user: SignedIn, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._user = user
        self._actor = actor = user.actor
        clinic = pricing.clinic_settings(user)
        self.locale, self.currency = clinic.locale, clinic.currency
        self.tabs = QTabWidget(self)
        self.queries: ManagerDesk | None = None
        self.quotes: QuotesView | None = None
        self.reports: ReportsView | None = None
        self.prices: PriceEditor | None = None
        self.settings_button = QPushButton("Clinic settings…")
        self.settings_button.setEnabled(actor.may("settings.edit"))
        self.settings_button.clicked.connect(self.open_settings)
        self.open_details: list[QuoteDetailDialog] = []
        self._build_tabs()
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Quotes, reports and prices", objectName="subtitle"), 1)
        bar.addWidget(self.settings_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.tabs, 1)

    def _build_tabs(self) -> None:
        if not self._actor.may("quote.read_all"):
            self.tabs.addTab(QLabel("This workspace is for the clinic's managers."), "Quotes")
            return
        queries = ManagerDesk(self._user)
        self.queries = queries
        self.quotes = QuotesView(queries, locale=self.locale, parent=self)
        self.quotes.quote_opened.connect(self.open_quote)
        self.tabs.addTab(self.quotes, "Quotes")
        if self._actor.may("reports.read"):
            self.reports = ReportsView(queries, currency=self.currency, locale=self.locale,
                                       parent=self)
            self.tabs.addTab(self.reports, "Reports")
        if self._actor.may("prices.edit"):
            self.prices = PriceEditor(self._user, self)
            self.tabs.addTab(self.prices, "Price list")

    def open_quote(self, quote_id: int) -> QuoteDetailDialog:
        self._drop_closed_details()
        for open_one in self.open_details:
            if open_one.quote_id() == quote_id and open_one.isVisible():
                # The window already open is brought forward, read afresh: never a second,
                # stale copy to decide on.
                open_one.load()
                open_one.raise_()
                open_one.activateWindow()
                return open_one
        dialog = QuoteDetailDialog(self._user, self.queries, quote_id,
                                   locale=self.locale, parent=self)
        dialog.changed.connect(self._quotes_changed)
        dialog.reopened.connect(self._quotes_changed)
        self.open_details.append(dialog)
        dialog.show()
        return dialog

    def _drop_closed_details(self) -> None:
        """Delete the detail windows closed since, once none waits for a query's answer.

        Not on close (WA_DeleteOnClose): a query still running would answer to a
        deleted window.
        """
        for dialog in list(self.open_details):
            if not dialog.isVisible() and not dialog.is_busy():
                self.open_details.remove(dialog)
                dialog.deleteLater()

    def _quotes_changed(self, _quote_id: int) -> None:
        if self.quotes is not None:
            self.quotes.model.refresh()
        if self.reports is not None:
            self.reports.refresh()

    def open_settings(self) -> None:
        signal = self.metaObject().method(self.metaObject().indexOfSignal("settings_requested()"))
        if self.isSignalConnected(signal):
            self.settings_requested.emit()
            return
        from ui.dialogs.settings_dialog import SettingsDialog  # the app shell's dialog

        context = AppContext(self._user, "")
        SettingsDialog(context, self).exec()
