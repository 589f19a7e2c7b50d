"""Step 2: the medical history, a form generated from consult.clinical.questionnaire.

Each question is a No/Yes choice; a yes opens its follow-ups (status, kind, date, areas,
note) as the questionnaire file lists them. A "no" is stored as an explicit false, so
the record shows the question was asked; a question left alone is unanswered, and the
screening gives no verdict until every question is answered.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from consult.clinical.catalogue import catalogue
from consult.clinical.fileformat import HistoryEntry
from consult.clinical.questionnaire import Question, questionnaire
from consult.errors import ConsultError
from ui.consultation.draft import DraftState
from ui.consultation.steps.base import Services, Step
from ui.widgets.dates import date_hint, parse_date, show_date
from ui.widgets.wrapping_label import WrappingLabel

NOT_SAID = "Not said"
KIND_NOT_KNOWN = "Not known (screened as the most cautious kind)"
AreaRole = Qt.ItemDataRole.UserRole + 3


class FollowUps(QWidget):
    """The details asked after a yes; built the first time the answer is yes."""

    edited = Signal()

    def __init__(self, question: Question, parent: QWidget) -> None:
        super().__init__(parent)
        self.question = question
        self.status: QComboBox | None = None
        self.kind: QComboBox | None = None
        self.date: QLineEdit | None = None
        self.areas: QListWidget | None = None
        self.note: QLineEdit | None = None
        self.error = QLabel(self)
        self.error.setObjectName("fieldError")
        self.error.setVisible(False)
        form = QFormLayout(self)
        form.setContentsMargins(28, 0, 0, 4)
        for follow_up in question.follow_ups:
            form.addRow(question.prompt_for(follow_up), self._field(follow_up))
        form.addRow(self.error)

    def _field(self, follow_up: str) -> QWidget:
        name = f"{self.question.label}: {follow_up}"
        if follow_up == "status":
            self.status = QComboBox(self)
            self.status.addItem(NOT_SAID, None)
            for status, label in self.question.status_labels.items():
                self.status.addItem(label, status)
            self.status.setMaximumWidth(280)
            self.status.currentIndexChanged.connect(self.edited)
            widget: QWidget = self.status
        elif follow_up == "kind":
            self.kind = QComboBox(self)
            self.kind.addItem(KIND_NOT_KNOWN, None)
            for kind, label in self.question.kind_labels.items():
                self.kind.addItem(label, kind)
            self.kind.setMaximumWidth(420)
            self.kind.currentIndexChanged.connect(self.edited)
            widget = self.kind
        elif follow_up == "date":
            self.date = QLineEdit(self)
            self.date.setPlaceholderText(date_hint())
            self.date.setMaximumWidth(180)
            self.date.textEdited.connect(self.edited)
            widget = self.date
        elif follow_up == "areas":
            self.areas = QListWidget(self)
            for area in catalogue().areas.values():
                item = QListWidgetItem(area.label, self.areas)
                item.setData(AreaRole, area.id)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
            self.areas.setMaximumHeight(110)
            self.areas.setMaximumWidth(360)
            self.areas.itemChanged.connect(self.edited)
            widget = self.areas
        else:
            self.note = QLineEdit(self)
            self.note.setMaxLength(2000)
            self.note.setMaximumWidth(480)
            self.note.textEdited.connect(self.edited)
            widget = self.note
        widget.setAccessibleName(name)
        return widget

    def load(self, entry: HistoryEntry) -> None:
        if self.status is not None:
            self.status.setCurrentIndex(max(0, self.status.findData(entry.status)))
        if self.kind is not None:
            self.kind.setCurrentIndex(max(0, self.kind.findData(entry.kind)))
        if self.date is not None:
            self.date.setText(show_date(entry.date))
        if self.areas is not None:
            for row in range(self.areas.count()):
                item = self.areas.item(row)
                checked = item.data(AreaRole) in entry.areas
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        if self.note is not None:
            self.note.setText(entry.note or "")

    def entry(self) -> HistoryEntry:
        """The answer; a badly typed date raises InvalidField naming the question."""
        when = None
        if self.date is not None:
            when = parse_date(self.date.text(), f"{self.question.label}: date")
        areas: tuple[str, ...] = ()
        if self.areas is not None:
            areas = tuple(
                self.areas.item(row).data(AreaRole)
                for row in range(self.areas.count())
                if self.areas.item(row).checkState() == Qt.CheckState.Checked
            )
        return HistoryEntry(
            present=True,
            status=self.status.currentData() if self.status is not None else None,
            date=when,
            areas=areas,
            note=(self.note.text().strip() or None) if self.note is not None else None,
            kind=self.kind.currentData() if self.kind is not None else None,
        )

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))


class QuestionRow(QFrame):
    answered = Signal(str)  # condition

    def __init__(self, question: Question, parent: QWidget) -> None:
        super().__init__(parent)
        self.question = question
        self.follow_ups: FollowUps | None = None
        self.prompt = WrappingLabel(question.prompt, self)
        self.prompt.setToolTip(question.help)
        self.no = QRadioButton("No", self)
        self.yes = QRadioButton("Yes", self)
        self.no.setAccessibleName(f"{question.label}: no")
        self.yes.setAccessibleName(f"{question.label}: yes")
        self.group = QButtonGroup(self)
        self.group.addButton(self.no)
        self.group.addButton(self.yes)
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(4, 4, 4, 4)
        top = QHBoxLayout()
        top.addWidget(self.prompt, 1)
        top.addWidget(self.no)
        top.addWidget(self.yes)
        self.layout_.addLayout(top)
        self.yes.toggled.connect(self._yes_toggled)
        self.no.toggled.connect(self._no_toggled)

    def _ensure_follow_ups(self) -> FollowUps | None:
        if self.follow_ups is None and self.question.follow_ups:
            self.follow_ups = FollowUps(self.question, self)
            self.follow_ups.edited.connect(self._edited)
            self.layout_.addWidget(self.follow_ups)
        return self.follow_ups

    def load(self, entry: HistoryEntry | None) -> None:
        for button in (self.no, self.yes):
            button.blockSignals(True)
        present = entry is not None and entry.present
        self.yes.setChecked(present)
        self.no.setChecked(entry is not None and not entry.present)
        if present and entry is not None and (follow_ups := self._ensure_follow_ups()) is not None:
            follow_ups.blockSignals(True)
            follow_ups.load(entry)
            follow_ups.blockSignals(False)
        if self.follow_ups is not None:
            self.follow_ups.setVisible(present)
        for button in (self.no, self.yes):
            button.blockSignals(False)

    def entry(self) -> HistoryEntry | None:
        if self.yes.isChecked():
            return (
                self.follow_ups.entry()
                if self.follow_ups is not None
                else HistoryEntry(True, as_flag=True)
            )
        if self.no.isChecked():
            return HistoryEntry(present=False, as_flag=True)
        return None

    @Slot(bool)
    def _yes_toggled(self, checked: bool) -> None:
        follow_ups = self._ensure_follow_ups()
        if follow_ups is not None:
            follow_ups.setVisible(checked)
        if checked:
            self.answered.emit(self.question.condition)

    @Slot(bool)
    def _no_toggled(self, checked: bool) -> None:
        if checked:
            self.answered.emit(self.question.condition)

    @Slot()
    def _edited(self) -> None:
        self.answered.emit(self.question.condition)


class HistoryStep(Step):
    title = "Medical history"

    def __init__(self, draft: DraftState, services: Services, parent: QWidget) -> None:
        super().__init__(draft, services, parent)
        self.note(
            "Ask each question in turn. A yes opens what to ask next. Hover over a "
            "question for why it matters."
        )
        self._rows: dict[str, QuestionRow] = {}
        self.problems: dict[str, str] = {}
        self.body = QWidget(self)
        self.body.setObjectName("scrollBody")
        self._body_layout = QVBoxLayout(self.body)
        self._body_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.body)
        self.scroll_area = scroll  # not `scroll`: that is QWidget.scroll()
        self.layout_.addWidget(scroll, 1)
        # Dozens of questions take longer to build than a moment the window may stand
        # still: the first section now, the others one per idle moment as the wizard
        # asks (build_more), or all at once when the page is entered first.
        self._to_build = list(questionnaire().sections)
        self._build_next_section()

    @property
    def rows(self) -> dict[str, QuestionRow]:
        """Every question's row by condition (the ones not built yet are built now)."""
        self._build_the_rest()
        return self._rows

    def _build_the_rest(self) -> None:
        while self._to_build:
            self._build_next_section()

    def build_more(self) -> bool:
        if not self._to_build:
            return False
        self._build_next_section()
        return True

    def _build_next_section(self) -> None:
        if not self._to_build:
            return
        section = self._to_build.pop(0)
        box = QGroupBox(section.title, self.body)
        box_layout = QVBoxLayout(box)
        for question in section.questions:
            row = QuestionRow(question, box)
            row.load(self.draft.history.get(question.condition))
            row.answered.connect(self._answered)
            box_layout.addWidget(row)
            self._rows[question.condition] = row
        self._body_layout.insertWidget(self._body_layout.count() - 1, box)

    def enter(self) -> None:
        self._build_the_rest()  # the whole form, before it is seen

    @Slot(str)
    def _answered(self, condition: str) -> None:
        row = self.rows[condition]
        try:
            entry = row.entry()
        except ConsultError as error:
            self.problems[condition] = str(error)
            if row.follow_ups is not None:
                row.follow_ups.show_error(str(error))
            return
        self.problems.pop(condition, None)
        if row.follow_ups is not None:
            row.follow_ups.show_error("")
        if entry is None:
            self.draft.history.pop(condition, None)
        else:
            self.draft.history[condition] = entry
        self.changed.emit()

    def blocker(self) -> str | None:
        if self.problems:
            return next(iter(self.problems.values()))
        return None
