"""The consultation as steps: a step list on the left, the page on the right, Back/Next.

Every change is saved as a draft as it is made (see saver.py), so the practitioner
can move back and forth, be locked out, or lose power without losing anything: the
draft is offered again from the patient's list. Moving forward past a step needs
that step to be complete (a typed reason to go on past a stop verdict, for one).
"""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from consult.clinical.outcome import needs_reason
from consult.clinical.screening import screen
from consult.services import consultations, pricing
from consult.services.signing import OVERRIDDEN_VERDICTS
from ui.consultation.draft import UNSAVED, DraftState
from ui.consultation.saver import DraftSaver
from ui.consultation.steps.areas_step import AreasStep
from ui.consultation.steps.base import Services, Step
from ui.consultation.steps.consent_step import ConsentStep
from ui.consultation.steps.documents_step import DocumentsStep
from ui.consultation.steps.history_step import HistoryStep
from ui.consultation.steps.patient_step import PatientStep
from ui.consultation.steps.quote_step import QuoteStep
from ui.consultation.steps.screening_step import ScreeningStep
from ui.shell.context import AppContext
from ui.shell.errors import show_problem
from ui.shell.style import make_primary
from ui.shell.workers import Worker
from ui.widgets import dates
from ui.widgets.dates import show_date, show_time

STEP_CLASSES: tuple[type[Step], ...] = (
    PatientStep,
    HistoryStep,
    AreasStep,
    ScreeningStep,
    QuoteStep,
    ConsentStep,
    DocumentsStep,
)
DOCUMENTS = len(STEP_CLASSES) - 1
CONSENT = DOCUMENTS - 1
SCREENING = STEP_CLASSES.index(ScreeningStep)


def load_services(context: AppContext) -> Services:
    stored = pricing.clinic_settings(context.user)
    return Services(context, stored.pricing, pricing.current_price_list(context.user), stored.logo)


def open_draft(context: AppContext, patient: Any, consultation_id: int | None) -> DraftState:
    """The stored draft to carry on with, or a new one started today."""
    if consultation_id is None:
        draft = DraftState(patient=patient, consultation_date=date.today())
        record = consultations.start(context.user, patient.id, draft.consultation())
        draft.consultation_id, draft.version = record.id, record.version
        return draft
    record = consultations.open_consultation(context.user, consultation_id)
    return DraftState.from_consultation(
        patient,
        record.consultation,
        consultation_id=record.id,
        version=record.version,
        step=min(record.draft_step, CONSENT),
        override_reason=record.override_reason or "",
    )


def save_work(context: AppContext, draft: DraftState) -> Any:
    """The work of one draft save, with a snapshot of the draft taken now (GUI thread).

    A new consultation has no record yet: its first save creates it.
    """
    consultation = draft.consultation()
    if draft.consultation_id is None or draft.version is None:  # both come with the record
        return partial(_create_record, context, draft, consultation)
    consultation_id, version = draft.consultation_id, draft.version
    step, reason = draft.step, draft.override_reason

    def work() -> int:
        new_version = consultations.save_draft(
            context.user,
            consultation_id,
            expected_version=version,
            consultation=consultation,
            step=step,
            override_reason=reason,
            screening=screen(consultation),
        )
        # Set here, not in a slot, so a save made right after (flush) follows on from it.
        draft.version = new_version
        return new_version

    return work


def _create_record(context: AppContext, draft: DraftState, consultation: Any) -> int:
    record = consultations.start(context.user, draft.patient.id, consultation)
    # Set here, as save_work does, so a flush right after saves into this record.
    draft.consultation_id, draft.version = record.id, record.version
    return record.version


class ConsultationWizard(QWidget):
    finished = Signal()

    def __init__(
        self, context: AppContext, patient: Any, consultation_id: int | None, parent: QWidget
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.services = load_services(context)
        if consultation_id is None:
            # The record is created by the first save, on a worker (see save_work): the
            # page opens at once and is usable while the database writes.
            self.draft = DraftState(patient=patient, consultation_date=date.today())
        else:
            self.draft = open_draft(context, patient, consultation_id)
        self.saver = DraftSaver(partial(save_work, context, self.draft), self)
        self._audit = Worker(self)
        self._overrides_recorded: set[tuple[str, str]] = set()  # (verdict, reason)
        self.step_list = QListWidget(self)
        self.step_list.setObjectName("steps")
        self.step_list.setFixedWidth(230)
        self.step_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        # Steps change from the keyboard with Alt+N and Alt+B; the sidebar only shows where
        # the page is, so Tab never stops on it (nor does it swallow those keys).
        self.step_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.stack = _PageStack(self)
        self._built: list[Step | None] = [None] * len(STEP_CLASSES)
        self.steps = _Steps(self)
        self.header = QLabel(self)
        self.header.setObjectName("subtitle")
        self.status = QLabel(self)
        self.status.setObjectName("subtitle")
        self.status.setWordWrap(True)
        # Alt+B and Alt+N: the whole consultation can be walked through from the keyboard.
        self.back_button = QPushButton("&Back", self)
        self.next_button = make_primary(QPushButton("&Next", self))
        self.close_button = QPushButton("C&lose (the draft is kept)", self)
        self._build()
        if self.draft.consultation_id is None:
            self.saver.save_now()
        self.go_to(self.draft.step, check=False)
        self.next_button.setFocus()  # Tab goes on into the page; Enter goes on to the next
        # The other steps are built one piece per idle moment, so each step change is quick.
        self._prebuild = QTimer(self)
        self._prebuild.setSingleShot(True)
        self._prebuild.setInterval(0)
        self._prebuild.timeout.connect(self._build_next_step)
        self._prebuild.start()

    def _build(self) -> None:
        for step_class in STEP_CLASSES:
            self.stack.addWidget(QWidget(self.stack))  # stands in until the step is built
            self.step_list.addItem(f"{self.step_list.count() + 1}. {step_class.title}")
        patient = self.draft.patient
        self.header.setText(
            f"Consultation for {patient.name}, born {show_date(patient.date_of_birth)}"
        )
        # A page taller than the window scrolls inside this area; the header above and the
        # buttons below stay where they are, and the window never grows past the screen.
        self.page_area = QScrollArea(self)
        self.page_area.setObjectName("pageArea")
        self.page_area.setWidgetResizable(True)
        self.page_area.setFrameShape(QFrame.Shape.NoFrame)
        self.page_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        holder = QWidget(self.page_area)
        holder.setObjectName("scrollBody")
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(0, 0, 0, 0)
        holder_layout.addWidget(self.stack)
        self.page_area.setWidget(holder)
        right = QVBoxLayout()
        right.addWidget(self.header)
        right.addWidget(self.page_area, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.back_button)
        buttons.addWidget(self.next_button)
        right.addLayout(buttons)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 12, 12)
        layout.addWidget(self.step_list)
        layout.addLayout(right, 1)
        self.step_list.currentRowChanged.connect(self._step_clicked)
        # The sidebar follows the page actually shown, whatever changed it: a refused
        # click must not leave the clicked step lit (the view selects it on the mouse's
        # press, after the wizard has already said no).
        self.stack.currentChanged.connect(self._sync_step_list)
        self.step_list.itemSelectionChanged.connect(self._keep_step_lit)
        self.back_button.clicked.connect(self.back)
        self.next_button.clicked.connect(self.next)
        self.close_button.clicked.connect(self.close_consultation)
        self.saver.saved.connect(self._saved)
        self.saver.failed.connect(self._save_failed)

    def step(self, index: int) -> Step:
        """The step at `index`, built now if it was not yet."""
        built = self._built[index]
        if built is not None:
            return built
        step = STEP_CLASSES[index](self.draft, self.services, self.stack)
        step.changed.connect(self._changed)
        if isinstance(step, ConsentStep):
            step.signed.connect(self._signed)
        if isinstance(step, DocumentsStep):
            step.done.connect(self._finish)
        placeholder = self.stack.widget(index)
        showing = self.stack.currentWidget()
        self.stack.insertWidget(index, step)
        if placeholder is not None:  # the step's stand-in until it is built
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
        self.stack.setCurrentWidget(step if showing is None or showing is placeholder else showing)
        self._built[index] = step
        return step

    def built_step(self, index: int) -> Step | None:
        """The step at `index` if it is built yet, without building it."""
        return self._built[index]

    @Slot()
    def _build_next_step(self) -> None:
        """One piece of idle-time work: a step built, or one more piece of a built one."""
        for index, built in enumerate(self._built):
            if built is None:
                self.step(index)
                self._prebuild.start()
                return
            if built.build_more():
                self._prebuild.start()
                return

    @property
    def consent(self) -> ConsentStep:
        return self.steps[CONSENT]  # type: ignore[return-value]

    @property
    def documents(self) -> DocumentsStep:
        return self.steps[DOCUMENTS]  # type: ignore[return-value]

    def current(self) -> int:
        return self.stack.currentIndex()

    # ------------------------------------------------------------------ moving

    def go_to(self, index: int, *, check: bool = True) -> bool:
        """Show step `index`; going forward, every step passed on the way must be complete."""
        index = max(0, min(index, len(self.steps) - 1))
        if index == DOCUMENTS and not self.documents.has_documents():
            index = CONSENT
        if check and index > self.current():
            for earlier in range(self.current(), index):
                problem = self.steps[earlier].blocker()
                if problem:
                    self._refuse(earlier, problem)
                    return False
            if self.current() <= SCREENING < index and not self._record_override():
                # The draft's first save is still under way: the override is recorded
                # against the stored consultation, so going on waits a moment for it.
                self._refuse(SCREENING, UNSAVED[0].upper() + UNSAVED[1:] + ".")
                return False
        self._show(index)
        if self.draft.step != index and index != DOCUMENTS:
            self.draft.step = index
            self.saver.schedule()
        self.back_button.setEnabled(0 < index < DOCUMENTS)
        self.next_button.setVisible(index < CONSENT)
        self.status.setText("")
        return True

    def _refuse(self, index: int, problem: str) -> None:
        self._show(index)
        self.status.setText(f"⚠ {problem}")

    def _show(self, index: int) -> None:
        step = self.steps[index]
        # Refreshed before it is shown, so whatever `enter` adds is laid out as it appears.
        step.enter()
        self.stack.setCurrentWidget(step)
        self._sync_step_list(index)

    @Slot(int)
    def _sync_step_list(self, index: int) -> None:
        self.step_list.blockSignals(True)
        self.step_list.setCurrentRow(index)
        self.step_list.blockSignals(False)

    @Slot()
    def _keep_step_lit(self) -> None:
        lit = [self.step_list.row(item) for item in self.step_list.selectedItems()]
        if lit != [self.current()]:
            self._sync_step_list(self.current())

    @Slot(int)
    def _step_clicked(self, row: int) -> None:
        if row >= 0 and row != self.current():
            self.go_to(row)
        # Refused or not, the sidebar shows the page on screen, never the one clicked.
        self._sync_step_list(self.current())

    @Slot()
    def next(self) -> None:
        self.go_to(self.current() + 1)

    @Slot()
    def back(self) -> None:
        self.go_to(self.current() - 1)

    def _record_override(self) -> bool:
        """Going on past a stop verdict is a screening override: into the audit trail.

        Recorded once per verdict and reason, so moving back and forth adds nothing. A
        declined area beside treatable ones is left out, not overridden: no reason asked.
        """
        consultation = self.draft.consultation()
        result = screen(consultation)
        verdict = result.verdict
        reason = self.draft.override_reason
        if verdict not in OVERRIDDEN_VERDICTS or not needs_reason(consultation, result):
            return True
        if not reason.strip():
            return True  # a clearance awaited, not overridden: papers for the doctor
        if (verdict, reason) in self._overrides_recorded:
            return True
        consultation_id = self.draft.consultation_id
        if consultation_id is None:
            return False
        self._overrides_recorded.add((verdict, reason))
        work = partial(
            consultations.override_screening,
            self.context.user,
            patient_id=self.draft.patient.id,
            consultation_id=consultation_id,
            verdict=verdict,
            reason=reason,
        )
        self._audit.start(work, _ignore, self._override_failed)
        return True

    @Slot(object)
    def _override_failed(self, error: BaseException) -> None:
        self._overrides_recorded.clear()  # asked again the next time the step is passed
        show_problem(self, error)

    # ------------------------------------------------------------------ saving

    @Slot()
    def _changed(self) -> None:
        self.saver.schedule()
        self.status.setText("Saving draft…")

    @Slot(object)
    def _saved(self, _version: object) -> None:
        if self._built[DOCUMENTS] is not None and self.documents.has_documents():
            return  # signed: the record is complete, no draft any more
        if not self.status.text().startswith("⚠"):
            self.status.setText(f"Draft saved at {show_time(dates.now(), seconds=True)}")

    @Slot(object)
    def _save_failed(self, error: BaseException) -> None:
        self.status.setText("⚠ The draft could not be saved.")
        show_problem(self, error)

    def flush_draft(self) -> None:
        if not self.in_progress():
            return
        self.saver.flush()

    def in_progress(self) -> bool:
        """Not signed yet: leaving now leaves a draft to carry on with."""
        documents = self._built[DOCUMENTS]
        return documents is None or not documents.has_documents()

    def save_draft_now(self) -> None:
        """Ctrl+S: the draft saved at once, not after the pause the autosave waits for."""
        if not self.in_progress():
            return
        self.saver.save_now()
        self.status.setText("Saving draft…")

    # ------------------------------------------------------------------ finishing

    @Slot(object)
    def _signed(self, signatures: Any) -> None:
        self.flush_draft()
        self.documents.produce(signatures)
        self.stack.setCurrentWidget(self.documents)
        self._sync_step_list(DOCUMENTS)
        self.back_button.setVisible(False)
        self.next_button.setVisible(False)
        self.status.setText("")
        self.close_button.setText("Close")

    @Slot()
    def _finish(self) -> None:
        self.finished.emit()

    @Slot()
    def close_consultation(self) -> None:
        self.flush_draft()
        self.finished.emit()


def _ignore(_outcome: object) -> None:
    """The audit event's position: nothing on screen depends on it."""


class _PageStack(QStackedWidget):
    """The steps' pages. Scrolled only when the window is below a page's minimum size.

    A stacked widget reports the tallest height-for-width of all its pages, so the scroll
    area around it would scroll every page as far as the tallest wrapped text of any
    page; without it, the scroll area goes by the minimum sizes alone.
    """

    def hasHeightForWidth(self) -> bool:
        return False


class _Steps:
    """`wizard.steps[i]`: the steps by position, each built the first time it is asked for."""

    def __init__(self, wizard: ConsultationWizard) -> None:
        self._wizard = wizard

    def __getitem__(self, index: int) -> Step:
        return self._wizard.step(index)

    def __len__(self) -> int:
        return len(STEP_CLASSES)
