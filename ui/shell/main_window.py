"""The main window: the patient list, the consultation in progress, the idle lock."""

from __future__ import annotations

import gc
import importlib.util
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, QSize, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QScreen, QShowEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QStackedWidget, QTabWidget, QWidget

from consult.access import role_label
from ui.dialogs.print_forms import blank_form_action
from ui.patients.page import PatientsPage
from ui.shell import confirm
from ui.shell.context import AppContext
from ui.shell.exchange_actions import ExchangeActions
from ui.shell.launch import garbage_collection_managed
from ui.shell.lock import IdleWatcher, LockScreen, close_dialogs
from ui.widgets.tabs import page_parent

if TYPE_CHECKING:  # the consultation's code loads when the first one opens (start-up time)
    from ui.consultation.wizard import ConsultationWizard
    from ui.course.session_page import SessionPage

WARM_UP_MS = 400
PREFERRED_SIZE = (1360, 860)  # on a screen that has room; never more than the screen has
STATUS_NOTE_MS = 15_000
# Workspaces built by other parts of the app: (permission, module, class, tab title).
ROLE_TABS = (
    ("bookings.read", "ui.course.due_view", "DueView", "Due"),
    ("course.supplies", "ui.course.lots_view", "LotsView", "Lots and devices"),
    ("course.recall", "ui.course.recall_view", "RecallView", "Recall"),
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
        self.signed_out = False  # closed by "Sign out": the app asks who signs in next
        self._leaving_confirmed = False
        self.pages = QStackedWidget(self)
        self.pages.setObjectName("page")
        self.home = QTabWidget(self.pages)
        self.patients = PatientsPage(context, page_parent(self.home))
        self.home.addTab(self.patients, "Patients")
        self._lazy_tabs: dict[int, tuple[str, str]] = {}
        self._add_role_tabs()
        self.consultation: ConsultationWizard | None = None
        self.session_page: SessionPage | None = None
        self.lock_screen = LockScreen(check_password, self.pages)
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
        self._fit_to(self.screen())

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
        requested = getattr(widget, "settings_requested", None)
        session = getattr(widget, "session_requested", None)
        if session is not None:
            session.connect(self.open_session)  # "Due": start the booked session
        if requested is not None:
            # The workspace's "Clinic settings…" opens the window's own dialog, so a new
            # idle time or clinic name applies at once, as it does from the menu.
            requested.connect(self.open_settings)

    def _build_menus(self) -> None:
        # Import and export of consult/1 files and a patient's records for an access request.
        self.exchange = ExchangeActions(self.context, self)
        if any(action.isVisible() for action in self.exchange.actions()):
            # A role that may use none of them (reception) gets no empty menu.
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
        self.sign_out_action = QAction("Sign out", self)
        self.quit_action = QAction("Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        if self.settings_action.isEnabled():
            # Hidden from a role that may never use it, rather than greyed out for ever.
            clinic.addAction(self.settings_action)
        for action in (self.lock_action, self.sign_out_action, self.quit_action):
            clinic.addAction(action)
        # Ctrl+S: the open consultation's draft saved now (it is saved as it changes anyway).
        self.save_draft_action = QAction("Save draft now", self)
        self.save_draft_action.setShortcut(QKeySequence.StandardKey.Save)
        self.save_draft_action.setEnabled(False)
        clinic.insertAction(self.lock_action, self.save_draft_action)
        # Ctrl+F: back to the patient search from anywhere on the patients' page.
        self.find_action = QAction("Find patient", self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        clinic.insertAction(self.save_draft_action, self.find_action)

    def _build_status_bar(self) -> None:
        actor = self.context.actor
        who = QLabel(f"Signed in: {self.context.full_name} ({role_label(actor.role)})", self)
        where = QLabel(f"Database: {self.context.database_label}", self)
        self.statusBar().addWidget(who)
        self.statusBar().addPermanentWidget(where)

    def _connect(self) -> None:
        self.settings_action.triggered.connect(self.open_settings)
        self.lock_action.triggered.connect(self.lock_now)
        self.quit_action.triggered.connect(self.close)
        self.sign_out_action.triggered.connect(self.sign_out)
        self.save_draft_action.triggered.connect(self.save_draft_now)
        self.find_action.triggered.connect(self.find_patient)
        self.idle.idle.connect(self.lock_after_idle)
        self.lock_screen.unlocked.connect(self.unlock)
        self.lock_screen.quit_requested.connect(self.close)
        self.home.currentChanged.connect(self._tab_opened)
        self.patients.start_consultation.connect(self.start_consultation)
        self.patients.resume_consultation.connect(self.resume_consultation)
        self.patients.session_requested.connect(self.open_session)

    # ------------------------------------------------------------------ screen and size

    def _fit_to(self, screen: QScreen | None) -> None:
        """The size remembered for this screen, else the preferred one; never past the screen.

        The maximum is the screen's free area less the window's frame, so a page with more
        to show than fits scrolls instead of pushing the window (and its buttons) off the
        screen. Called again once shown, when the frame's real size is known.
        """
        if screen is None:
            self.resize(*PREFERRED_SIZE)
            return
        available = screen.availableGeometry()
        frame_width, frame_height = self._frame_size()
        largest = available.size() - QSize(frame_width, frame_height)
        self.setMaximumSize(largest)
        stored = _window_settings().value(_geometry_key(screen))
        if stored is not None and self.restoreGeometry(stored):
            if available.contains(self.frameGeometry()):
                return
        self.resize(PREFERRED_SIZE[0], PREFERRED_SIZE[1])  # bounded by the maximum
        frame = self.frameGeometry()
        frame.moveCenter(available.center())
        left = max(available.left(), frame.left())
        top = max(available.top(), frame.top())
        self.move(left, top)

    def _frame_size(self) -> tuple[int, int]:
        """What the window manager adds around the window (a guess before the first show)."""
        width = self.frameGeometry().width() - self.geometry().width()
        height = self.frameGeometry().height() - self.geometry().height()
        if self.isVisible() and (width > 0 or height > 0):
            return width, height
        return 8, 40

    def remember_geometry(self) -> None:
        screen = self.screen()
        if screen is not None:
            _window_settings().setValue(_geometry_key(screen), self.saveGeometry())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            handle = self.windowHandle()
            if handle is not None:
                handle.screenChanged.connect(self._fit_to)
            self._fit_to(self.screen())  # the frame's real size is known now
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
        self.save_draft_action.setEnabled(True)

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
        self.save_draft_action.setEnabled(False)

    # ------------------------------------------------------------------ sessions

    @Slot(object)
    def open_session(self, request: Any) -> None:
        """The session recording page, for a ui.course.requests.SessionRequest."""
        from ui.course.session_page import SessionPage

        if self.consultation is not None or self.session_page is not None:
            self.statusBar().showMessage(
                "Finish or close the page that is open before starting a session.",
                STATUS_NOTE_MS,
            )
            return
        page = SessionPage(self.context.user, request, self.pages)
        page.finished.connect(self.back_from_session)
        self.session_page = page
        self.pages.addWidget(page)
        self.pages.setCurrentWidget(page)

    @Slot()
    def back_from_session(self) -> None:
        page, self.session_page = self.session_page, None
        self.pages.setCurrentWidget(self.home)
        if page is not None:
            self.pages.removeWidget(page)
            page.deleteLater()
        sessions = self.patients.detail.built_sessions()
        if sessions is not None and sessions.isVisible():
            sessions.refresh()
        due = self.home.currentWidget()
        refresh = getattr(due, "refresh", None)
        if due is not self.patients and callable(refresh):
            refresh()

    # ------------------------------------------------------------------ lock, settings

    @Slot()
    def lock_now(self) -> None:
        """Locked by hand (Clinic > Lock now, Ctrl+L)."""
        self.lock(by_hand=True)

    @Slot()
    def lock_after_idle(self) -> None:
        self.lock(by_hand=False)

    def lock(self, *, by_hand: bool = True) -> None:
        if self.pages.currentWidget() is self.lock_screen:
            return
        if self.consultation is not None:
            self.consultation.flush_draft()
        self._page_before_lock = self.pages.currentWidget() or self.home
        # Dialogs are windows of their own that the lock screen cannot cover.
        self._dialogs_closed += close_dialogs()
        self.pages.setCurrentWidget(self.lock_screen)
        self.menuBar().setEnabled(False)
        self.lock_screen.arm(
            self.context.full_name, idle_minutes=None if by_hand else self.idle.minutes()
        )
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
        from ui.dialogs.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.context, self)
        if dialog.exec() and dialog.saved is not None:
            self.clinic_name = dialog.saved.name
            self.setWindowTitle(f"Consult: {self.clinic_name}")
            self.idle.set_minutes(dialog.saved.idle_lock_minutes)
            from ui.shell.app import use_clinic_clock

            use_clinic_clock(dialog.saved)

    @Slot()
    def save_draft_now(self) -> None:
        if self.consultation is not None and not self.is_locked():
            self.consultation.save_draft_now()

    @Slot()
    def find_patient(self) -> None:
        if self.is_locked():
            return
        if self.pages.currentWidget() is self.home:
            self.home.setCurrentWidget(self.patients)
            self.patients.search_box.setFocus()
            self.patients.search_box.selectAll()
        else:
            self.statusBar().showMessage(
                "Close the consultation (the draft is kept) to search for a patient.",
                STATUS_NOTE_MS,
            )

    def consultation_in_progress(self) -> bool:
        return self.consultation is not None and self.consultation.in_progress()

    def _may_leave(self, doing: str) -> bool:
        """Asked before leaving a consultation that is not finished; the draft is kept anyway."""
        if self._leaving_confirmed or not self.consultation_in_progress():
            return True
        patient = self.consultation.draft.patient.name  # type: ignore[union-attr]
        return confirm.ask(
            self,
            f"{doing} now?",
            f"The consultation for {patient} is not finished. {doing} now? Its draft is "
            "kept either way and can be carried on from the patient's page.",
            doing,
            "Stay in the consultation",
        )

    @Slot()
    def sign_out(self) -> None:
        if not self._may_leave("Sign out"):
            return
        self._leaving_confirmed = True
        self.signed_out = True
        if not self.close():
            self._leaving_confirmed = False
            self.signed_out = False

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.consultation is not None:
            self.consultation.flush_draft()
        if not self._may_leave("Quit Consult"):
            event.ignore()
            return
        self.remember_geometry()
        self.idle.stop_watching()
        super().closeEvent(event)


def _window_settings() -> QSettings:
    """This workstation's window sizes, in the data folder beside the log (not the clinic's)."""
    from consult.app.paths import data_dir

    return QSettings(str(data_dir() / "window.ini"), QSettings.Format.IniFormat)


def _geometry_key(screen: QScreen) -> str:
    size = screen.size()
    return f"window/{screen.name() or 'screen'}-{size.width()}x{size.height()}"


# Loaded by the warm-up after the consultation's code: the patient card's tabs, built
# when first opened (their import, Pillow's with Photos, would otherwise come in one
# piece on the GUI thread at the first click), and the blank-form and file menus' code.
WARM_UP_LATER = (
    "ui.course.sessions_tab",
    "ui.photos.tab",
    "consult.services.documents",
    "ui.widgets.pdf_output",
)


def _warm_up_in_background() -> None:
    """The consultation screens' code, their data files, then the PDF code, then the
    card's other tabs, loaded before they are needed."""
    importlib.import_module("ui.consultation.wizard")
    from consult.app.preload import consultation_data
    from ui.consultation.paperwork import warm_up

    consultation_data()
    warm_up()
    for module in WARM_UP_LATER:
        importlib.import_module(module)
    # What was just loaded (modules, fonts, rules: hundreds of thousands of objects) lives
    # as long as the app. Set aside like start-up's own (ui.shell.launch), a full garbage
    # collection no longer walks it: walked, one took 80-100 ms of the GUI thread, at
    # whatever moment allocation set it off (once entering the consent step).
    if garbage_collection_managed():
        gc.freeze()
