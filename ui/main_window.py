"""The main window: the patient list, the consultation in progress, the idle lock."""

from __future__ import annotations

import importlib.util
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QTabWidget, QWidget

from consult.access import role_label
from ui.context import AppContext
from ui.exchange_actions import ExchangeActions
from ui.lock import IdleWatcher, LockScreen, close_dialogs
from ui.patients.page import PatientsPage
from ui.print_forms import blank_form_action

if TYPE_CHECKING:  # the consultation's code loads when the first one opens (start-up time)
    from ui.consultation.wizard import ConsultationWizard

WARM_UP_MS = 400
STATUS_NOTE_MS = 15_000
# Workspaces built by other parts of the app: (permission, module, class, tab title).
ROLE_TABS = (
    ("quote.read_all", "ui.manager.workspace", "ManagerWorkspace", "Quotes and reports"),
    ("users.manage", "ui.admin.users_view", "UsersView", "Accounts"),
    ("audit.read", "ui.admin.audit_view", "AuditView", "Audit trail"),
)


class MainWindow(QMainWindow):
    ready = Signal()  # the window is on screen and the first patients are asked for

    def __init__(
        self,
        context: AppContext,
        *,
        clinic_name: str,
        idle_minutes: int,
        check_password: Any,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.clinic_name = clinic_name
        self.setWindowTitle(f"Consult: {clinic_name}")
        self.resize(1360, 860)
        self.pages = QStackedWidget(self)
        self.pages.setObjectName("page")
        self.home = QTabWidget(self)
        self.patients = PatientsPage(context, self.home)
        self.home.addTab(self.patients, "Patients")
        self._lazy_tabs: dict[int, tuple[str, str]] = {}
        self._add_role_tabs()
        self.consultation: ConsultationWizard | None = None
        self.lock_screen = LockScreen(check_password, self)
        self.pages.addWidget(self.home)
        self.pages.addWidget(self.lock_screen)
        self.setCentralWidget(self.pages)
        self.idle = IdleWatcher(idle_minutes, self)
        self._shown_once = False
        self._page_before_lock: QWidget = self.home
        self._dialogs_closed = 0  # by the lock, to tell the user after unlocking
        self._build_menus()
        self._build_status_bar()
        self._connect()

    def _add_role_tabs(self) -> None:
        """The other workspaces the role may use; each is built the first time it is opened."""
        for permission, module, class_name, title in ROLE_TABS:
            if self.context.actor.may(permission) and importlib.util.find_spec(module) is not None:
                placeholder = QWidget(self.home)
                self._lazy_tabs[self.home.addTab(placeholder, title)] = (module, class_name)

    @Slot(int)
    def _tab_opened(self, index: int) -> None:
        target = self._lazy_tabs.pop(index, None)
        if target is None:
            return
        module, class_name = target
        widget = getattr(importlib.import_module(module), class_name)(
            self.context.user, self.home
        )
        title = self.home.tabText(index)
        placeholder = self.home.widget(index)
        if placeholder is None:  # every lazy tab holds its placeholder until opened
            return
        self.home.blockSignals(True)
        self.home.removeTab(index)
        self.home.insertTab(index, widget, title)
        self.home.setCurrentIndex(index)
        self.home.blockSignals(False)
        placeholder.deleteLater()

    def _build_menus(self) -> None:
        # Import and export of consult/1 files and a patient's records for an access request.
        self.exchange = ExchangeActions(self.context, self)
        self.exchange.add_to(self.menuBar().addMenu("&File"))
        self.exchange.follow(self.patients)
        clinic = self.menuBar().addMenu("&Clinic")
        self.blank_form_action = blank_form_action(self.context, self, self.is_locked)
        if self.blank_form_action is not None:
            clinic.addAction(self.blank_form_action)
            clinic.addSeparator()
        self.settings_action = QAction("Clinic settings…", self)
        self.settings_action.setEnabled(self.context.actor.may("settings.edit"))
        self.lock_action = QAction("Lock now", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.quit_action = QAction("Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        for action in (self.settings_action, self.lock_action, self.quit_action):
            clinic.addAction(action)

    def _build_status_bar(self) -> None:
        actor = self.context.actor
        who = QLabel(f"Signed in: {self.context.full_name} ({role_label(actor.role)})", self)
        where = QLabel(f"Database: {self.context.database_label}", self)
        self.statusBar().addWidget(who)
        self.statusBar().addPermanentWidget(where)

    def _connect(self) -> None:
        self.settings_action.triggered.connect(self.open_settings)
        self.lock_action.triggered.connect(self.lock)
        self.quit_action.triggered.connect(self.close)
        self.idle.idle.connect(self.lock)
        self.lock_screen.unlocked.connect(self.unlock)
        self.lock_screen.quit_requested.connect(self.close)
        self.home.currentChanged.connect(self._tab_opened)
        self.patients.start_consultation.connect(self.start_consultation)
        self.patients.resume_consultation.connect(self.resume_consultation)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            # Queries start once the window is painted, so start-up never waits on them.
            QTimer.singleShot(0, self._after_first_show)

    @Slot()
    def _after_first_show(self) -> None:
        self.idle.start_watching()
        self.patients.load()
        # The first thing a practitioner does is type a patient's name.
        self.patients.search_box.setFocus()
        self.ready.emit()
        # Load the consultation screens' code while the practitioner looks for a patient,
        # so the first "Start consultation" opens at once.
        QTimer.singleShot(WARM_UP_MS, self._warm_up)

    @Slot()
    def _warm_up(self) -> None:
        # Off the GUI thread: importing the consultation screens took ~100 ms in one piece,
        # a freeze just as the practitioner starts typing. Importing creates no Qt objects
        # (module-level colours are plain values), so a plain daemon thread is enough; if
        # "Start consultation" comes first, Python's import lock makes it wait its turn.
        threading.Thread(target=_warm_up_in_background, name="warm-up", daemon=True).start()

    # ------------------------------------------------------------------ consultations

    @Slot(object)
    def start_consultation(self, patient: Any) -> None:
        self._open_consultation(patient, None)

    @Slot(object, int)
    def resume_consultation(self, patient: Any, consultation_id: int) -> None:
        self._open_consultation(patient, consultation_id)

    def _open_consultation(self, patient: Any, consultation_id: int | None) -> None:
        from ui.consultation.wizard import ConsultationWizard

        self._close_consultation_page()
        wizard = ConsultationWizard(self.context, patient, consultation_id, self.pages)
        wizard.finished.connect(self.back_to_patients)
        self.consultation = wizard
        self.pages.addWidget(wizard)
        self.pages.setCurrentWidget(wizard)

    @Slot()
    def back_to_patients(self) -> None:
        self._close_consultation_page()
        self.pages.setCurrentWidget(self.home)
        self.patients.refresh_detail()

    def _close_consultation_page(self) -> None:
        if self.consultation is not None:
            self.consultation.flush_draft()
            self.pages.removeWidget(self.consultation)
            self.consultation.deleteLater()
            self.consultation = None

    # ------------------------------------------------------------------ lock, settings

    @Slot()
    def lock(self) -> None:
        if self.pages.currentWidget() is self.lock_screen:
            return
        if self.consultation is not None:
            self.consultation.flush_draft()
        self._page_before_lock = self.pages.currentWidget() or self.home
        # Dialogs are windows of their own that the lock screen cannot cover.
        self._dialogs_closed += close_dialogs()
        self.pages.setCurrentWidget(self.lock_screen)
        self.menuBar().setEnabled(False)
        self.lock_screen.arm(self.context.full_name)
        self.idle.pause()

    @Slot()
    def unlock(self) -> None:
        self.pages.setCurrentWidget(self._page_before_lock)
        self.menuBar().setEnabled(True)
        self.idle.resume()
        # After this slot returns: the editor's exec() must not run inside the unlock.
        QTimer.singleShot(0, self._after_unlock)

    @Slot()
    def _after_unlock(self) -> None:
        closed, self._dialogs_closed = self._dialogs_closed, 0
        if self.patients.has_interrupted_editor():
            closed -= 1  # the patient editor comes back as it was
        if closed > 0:
            self.statusBar().showMessage(
                f"{closed} open window{'s were' if closed > 1 else ' was'} closed when "
                "Consult locked; nothing in it was saved.",
                STATUS_NOTE_MS,
            )
        self.patients.reopen_interrupted()

    def is_locked(self) -> bool:
        return self.pages.currentWidget() is self.lock_screen

    @Slot()
    def open_settings(self) -> None:
        from ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.context, self)
        if dialog.exec() and dialog.saved is not None:
            self.clinic_name = dialog.saved.name
            self.setWindowTitle(f"Consult: {self.clinic_name}")
            self.idle.set_minutes(dialog.saved.idle_lock_minutes)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.consultation is not None:
            self.consultation.flush_draft()
        self.idle.stop_watching()
        super().closeEvent(event)


def _warm_up_in_background() -> None:
    """The consultation screens' code, their data files, then the PDF code, loaded
    before they are needed."""
    importlib.import_module("ui.consultation.wizard")
    from consult.preload import consultation_data
    from ui.consultation.paperwork import warm_up

    consultation_data()
    warm_up()
