"""Step 4: the screening verdict and findings, and the reason to go on if it says stop.

The verdict is worked out by consult.clinical.screening; this page only shows it. The
banner carries an icon and words as well as a colour, so it reads the same to a
colour-blind practitioner and on a grey-scale print-out. Silence is not "no": while any
question of the medical history is unanswered, the page says how many and which, gives
no verdict, and the consultation cannot go on to the quote and the consent.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from consult.clinical.catalogue import catalogue
from consult.clinical.outcome import (
    EXCLUDED,
    AreaOutcome,
    area_outcomes,
    first_session_line,
    needs_reason,
    planned_areas,
    stopped_entirely,
)
from consult.clinical.questionnaire import Gap, questionnaire
from consult.clinical.screening import SEVERITY_WORDS, Finding, ScreeningResult, screen
from ui.consultation.draft import DraftState
from ui.consultation.steps.base import Services, Step
from ui.widgets.dates import show_date

NEEDS_REASON = frozenset(("clearance", "defer", "decline"))
STOPPED_REASON_TEXT = (
    "To go on despite this verdict, write why. The reason is kept with the consultation, "
    "printed on both documents and written to the audit trail."
)
CLEARANCE_REASON_TEXT = (
    "Nothing can be signed until the doctor's written clearance is received. Go on to print "
    "the plan and a consent marked “not valid until clearance is received” for the patient "
    "to take to their doctor; or, if you already hold the clearance, note it here (who "
    "cleared and when) to sign today."
)
MIN_REASON = 10
_ICONS = {
    "proceed": QStyle.StandardPixmap.SP_DialogApplyButton,
    "precautions": QStyle.StandardPixmap.SP_MessageBoxInformation,
    "clearance": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "defer": QStyle.StandardPixmap.SP_MessageBoxWarning,
    "decline": QStyle.StandardPixmap.SP_MessageBoxCritical,
}
_WORDS = {
    "proceed": "Proceed",
    "precautions": "Precautions",
    "clearance": "Clearance needed",
    "defer": "Defer",
    "decline": "Decline",
}


def severity_icon(widget: QWidget, severity: str) -> QLabel:
    label = QLabel(widget)
    label.setPixmap(widget.style().standardIcon(_ICONS[severity]).pixmap(28, 28))
    label.setAccessibleName(_WORDS[severity])
    return label


class Banner(QFrame):
    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.icon = QLabel(self)
        self.text = QLabel(self)
        self.text.setObjectName("bannerText")
        self.text.setWordWrap(True)
        layout = QHBoxLayout(self)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)

    def show_verdict(self, verdict: str, blocked: tuple[str, ...]) -> None:
        self.setProperty("severity", verdict)
        self.style().unpolish(self)
        self.style().polish(self)
        self.icon.setPixmap(self.style().standardIcon(_ICONS[verdict]).pixmap(40, 40))
        text = SEVERITY_WORDS[verdict]
        if blocked:
            labels = ", ".join(catalogue().area(area).label for area in blocked)
            text += f"\nNot to be treated today: {labels}."
        self.text.setText(text)
        self.setAccessibleName(f"Screening verdict: {text}")

    def show_unanswered(self, gaps: tuple[Gap, ...]) -> None:
        """No verdict: how many questions still need an answer."""
        self.setProperty("severity", "clearance")
        self.style().unpolish(self)
        self.style().polish(self)
        icon = QStyle.StandardPixmap.SP_MessageBoxQuestion
        self.icon.setPixmap(self.style().standardIcon(icon).pixmap(40, 40))
        text = unanswered_summary(gaps) + " No verdict until every question is answered."
        self.text.setText(text)
        self.setAccessibleName(f"Screening: {text}")


def unanswered_summary(gaps: tuple[Gap, ...]) -> str:
    questions = "question" if len(gaps) == 1 else "questions"
    return f"{len(gaps)} {questions} of the medical history not answered yet."


def area_text(outcome: AreaOutcome) -> str:
    """Per area, for the practitioner: can be treated today, or not today and why."""
    label = catalogue().area(outcome.area).label
    if outcome.today:
        return f"{label}: can be treated today"
    if outcome.status == EXCLUDED:
        declined = [f.message for f in outcome.findings if f.severity == "decline"]
        return f"{label}: not today, left out of the treatment: {' '.join(declined)}"
    when = f" (from {show_date(outcome.earliest)})" if outcome.earliest else ""
    reasons = " ".join(finding.message for finding in outcome.findings)
    return f"{label}: not today{when}: {reasons}"


def finding_card(parent: QWidget, finding: Finding) -> QFrame:
    card = QFrame(parent)
    card.setObjectName("card")
    layout = QHBoxLayout(card)
    layout.addWidget(severity_icon(card, finding.severity), 0, Qt.AlignmentFlag.AlignTop)
    body = QVBoxLayout()
    lines = [f"<b>{_WORDS[finding.severity]}</b>: {_escape(finding.message)}"]
    if finding.areas:
        names = ", ".join(catalogue().area(area).label for area in finding.areas)
        lines.append(f"<b>Areas:</b> {_escape(names)}")
    lines.append(f"<b>Action:</b> {_escape(finding.action)}")
    if finding.rebook_on is not None:
        lines.append(f"<b>Rebook on or after:</b> {show_date(finding.rebook_on)}")
    lines.append(f"<span style='color:#51606b'>Source: {_escape(finding.source)}</span>")
    text = QLabel("<br>".join(lines), card)
    text.setWordWrap(True)
    text.setTextFormat(Qt.TextFormat.RichText)
    text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    body.addWidget(text)
    layout.addLayout(body, 1)
    return card


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class ScreeningStep(Step):
    title = "Screening"

    def __init__(self, draft: DraftState, services: Services, parent: QWidget) -> None:
        super().__init__(draft, services, parent)
        self.result: ScreeningResult | None = None
        self.gaps: tuple[Gap, ...] = ()
        self.banner = Banner(self)
        self.layout_.addWidget(self.banner)
        self.areas = QLabel(self)
        self.areas.setObjectName("areaResults")
        self.areas.setWordWrap(True)
        self.areas.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.layout_.addWidget(self.areas)
        self.findings_box = QWidget(self)
        self.findings_box.setObjectName("scrollBody")
        self.findings_layout = QVBoxLayout(self.findings_box)
        self.findings_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.findings_box)
        self.layout_.addWidget(scroll, 1)
        self.reason_label = QLabel(STOPPED_REASON_TEXT, self)
        self.reason_label.setWordWrap(True)
        self.reason = QPlainTextEdit(self)
        self.reason.setPlaceholderText("Reason for going on")
        self.reason.setMaximumHeight(90)
        self.reason.setAccessibleName("Reason for going on")
        self.layout_.addWidget(self.reason_label)
        self.layout_.addWidget(self.reason)
        self.reason.textChanged.connect(self._reason_changed)

    def enter(self) -> None:
        self._clear_findings()
        self.gaps = questionnaire().unanswered(self.draft.history)
        if self.gaps:
            self._show_unanswered()
            return
        consultation = self.draft.consultation()
        self.result = screen(consultation)
        self.banner.show_verdict(self.result.verdict, self.result.blocked_areas)
        outcomes = area_outcomes(consultation, self.result)
        lines = [area_text(outcome) for outcome in outcomes]
        if planned_areas(outcomes):
            lines.append(first_session_line(consultation, self.result))
        self.areas.setText("\n".join(lines))
        self.areas.setVisible(bool(outcomes))
        if not self.result.findings:
            self.findings_layout.addWidget(QLabel("No findings.", self.findings_box))
        for finding in self.result.findings:
            self.findings_layout.addWidget(finding_card(self.findings_box, finding))
        self.findings_layout.addStretch(1)
        # A reason is asked when nothing could go on without one (spec: what `documents`
        # refuses); a declined area beside treatable ones is simply left out.
        asked = needs_reason(consultation, self.result)
        self.reason_label.setText(
            CLEARANCE_REASON_TEXT
            if not stopped_entirely(consultation, self.result)
            else STOPPED_REASON_TEXT
        )
        self.reason_label.setVisible(asked)
        self.reason.setVisible(asked)
        if self.reason.toPlainText() != self.draft.override_reason:
            self.reason.blockSignals(True)
            self.reason.setPlainText(self.draft.override_reason)
            self.reason.blockSignals(False)

    def _clear_findings(self) -> None:
        while self.findings_layout.count():
            item = self.findings_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()

    def _show_unanswered(self) -> None:
        """Which questions are missing; no verdict, no findings, no reason to give."""
        self.result = None
        self.banner.show_unanswered(self.gaps)
        self.areas.setVisible(False)
        listing = QLabel(
            "Go back to the medical history and answer:\n"
            + "\n".join(f"• {gap.describe()}" for gap in self.gaps),
            self.findings_box,
        )
        listing.setObjectName("unanswered")
        listing.setWordWrap(True)
        self.findings_layout.addWidget(listing)
        self.findings_layout.addStretch(1)
        self.reason_label.setVisible(False)
        self.reason.setVisible(False)

    @Slot()
    def _reason_changed(self) -> None:
        self.draft.override_reason = self.reason.toPlainText().strip()
        self.changed.emit()

    def blocker(self) -> str | None:
        gaps = questionnaire().unanswered(self.draft.history)
        if gaps:
            return f"{unanswered_summary(gaps)} Answer every question first."
        # Screened afresh: the history or areas may have changed since this page was shown.
        consultation = self.draft.consultation()
        result = screen(consultation)
        verdict = result.verdict
        # A clearance alone does not stop the consultation: the plan and a consent marked
        # not valid can be printed for the patient's doctor (the consent step offers it).
        if (
            stopped_entirely(consultation, result)
            and len(self.draft.override_reason) < MIN_REASON
        ):
            return (
                f"The verdict is “{_WORDS[verdict]}”: write the reason for going on "
                f"(at least {MIN_REASON} characters) first."
            )
        return None
