"""Starting a session: which consultation, the date, the areas, and the re-screening.

"Any changes since your last visit?" is asked as the history asks its questions (the
same rows, from resources/questionnaire.toml): every question answered no or yes, a yes
with its follow-ups (a date a window counts from, a status). Only the yeses are changes;
consult.services.course screens the history updated with them, every window counted
from the session date, and refuses to start while that blocks the session's areas
unless an override reason is given (recorded and audited).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from PySide6.QtCore import QDate, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from consult.clinical.fileformat import HistoryEntry
from consult.clinical.questionnaire import questionnaire
from consult.errors import InvalidField
from consult.records.consultations import ConsultationSummary
from consult.services.course import SessionStart
from ui.consultation.steps.history_step import QuestionRow
from ui.course.sessions_tab import area_label
from ui.widgets.dates import show_date
from ui.widgets.forms import date_edit, to_date

# The history questions asked again at each session: new medicines, pregnancy, a cold
# sore now, sunburn or a tan, a procedure since, new implants (issue 16).
CHANGE_QUESTIONS = (
    "anticoagulants",
    "isotretinoin",
    "topical_retinoids",
    "pregnant",
    "cold_sores",
    "sunburn",
    "laser_or_peel",
    "botox",
    "dermal_filler",
    "facial_surgery",
    "electronic_implant",
    "metal_implant",
    "gold_threads",
)
AreaRole = Qt.ItemDataRole.UserRole + 4


@dataclass(frozen=True)
class Plan:
    """A signed consultation a session can follow, with its areas."""

    summary: ConsultationSummary
    areas: tuple[str, ...]


class StartForm(QWidget):
    """The form that starts a session; `session_start()` reads it (or names the field)."""

    consultation_changed = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.plans: list[Plan] = []
        self.consultation = QComboBox(self)
        self.consultation.setAccessibleName("Consultation")
        self.consultation.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.session_date = date_edit(QDate.currentDate())
        self.session_date.setParent(self)
        self.session_date.setAccessibleName("Session date")
        self.areas = QListWidget(self)
        self.areas.setAccessibleName("Areas treated today")
        self.areas.setMaximumHeight(110)
        self.rows: dict[str, QuestionRow] = {}
        self.override = QLineEdit(self)
        self.override.setMaxLength(2000)
        self.override.setAccessibleName("Override reason")
        self.override.setPlaceholderText(
            "Only to go ahead although the re-screening stops or defers the areas"
        )
        self._build()

    def _build(self) -> None:
        form = QFormLayout()
        form.addRow("Consultation", self.consultation)
        form.addRow("Session date", self.session_date)
        form.addRow("Areas treated today", self.areas)
        changes = QGroupBox("Any changes since your last visit?", self)
        changes_layout = QVBoxLayout(changes)
        intro = QLabel(
            "Ask each question; a yes opens what to ask next. The answers update the "
            "history, which is screened again as of the session date.",
            changes,
        )
        intro.setWordWrap(True)
        intro.setObjectName("subtitle")
        changes_layout.addWidget(intro)
        book = questionnaire()
        for condition in CHANGE_QUESTIONS:
            row = QuestionRow(book.question(condition), changes)
            row.setFrameShape(QFrame.Shape.NoFrame)
            self.rows[condition] = row
            changes_layout.addWidget(row)
        override_form = QFormLayout()
        override_form.addRow("Override reason", self.override)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(changes)
        layout.addLayout(override_form)
        self.consultation.currentIndexChanged.connect(self._consultation_changed)

    def set_plans(self, plans: list[Plan], preferred: int | None) -> None:
        self.plans = plans
        self.consultation.blockSignals(True)
        self.consultation.clear()
        for plan in plans:
            areas = ", ".join(area_label(area) for area in plan.areas)
            self.consultation.addItem(
                f"{show_date(plan.summary.consultation_date)}: {areas}", plan.summary.id
            )
        if preferred is not None and (index := self.consultation.findData(preferred)) >= 0:
            self.consultation.setCurrentIndex(index)
        self.consultation.blockSignals(False)
        self._consultation_changed(self.consultation.currentIndex())

    @Slot(int)
    def _consultation_changed(self, index: int) -> None:
        self.areas.clear()
        if not 0 <= index < len(self.plans):
            return
        for area in self.plans[index].areas:
            item = QListWidgetItem(area_label(area), self.areas)
            item.setData(AreaRole, area)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
        self.consultation_changed.emit()

    def set_date(self, day: date) -> None:
        self.session_date.setDate(QDate(day.year, day.month, day.day))

    def chosen_areas(self) -> tuple[str, ...]:
        return tuple(
            self.areas.item(row).data(AreaRole)
            for row in range(self.areas.count())
            if self.areas.item(row).checkState() == Qt.CheckState.Checked
        )

    def changes(self) -> dict[str, HistoryEntry]:
        """The yeses, each checked like the history's; an unanswered question is refused."""
        changes: dict[str, HistoryEntry] = {}
        for condition, row in self.rows.items():
            entry = row.entry()
            label = row.question.label
            if entry is None:
                raise InvalidField(label, "answer no or yes (asked again at each session)")
            if not entry.present:
                continue  # no change since the last visit: the history stands
            missing = row.question.missing(entry)
            if missing:
                asked = row.question.prompt_for(missing[0])
                raise InvalidField(label, f"after a yes, answer “{asked}”")
            changes[condition] = entry
        return changes

    def session_start(self) -> SessionStart:
        if self.consultation.currentData() is None:
            raise InvalidField(
                "consultation", "choose the signed consultation this session follows"
            )
        areas = self.chosen_areas()
        if not areas:
            raise InvalidField("areas", "tick at least one area treated today")
        return SessionStart(
            consultation_id=int(self.consultation.currentData()),
            session_date=to_date(self.session_date.date()),
            areas=areas,
            changes=self.changes(),
            override_reason=self.override.text().strip(),
        )
