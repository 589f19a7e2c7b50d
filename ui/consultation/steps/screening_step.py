"""Step 4: the screening verdict and findings, and the reason to go on if it says stop.

The verdict is worked out by consult.clinical.screening; this page only shows it. The
banner carries an icon and words as well as a colour, so it reads the same to a
colour-blind practitioner and on a grey-scale print-out.
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

from consult.catalogue import catalogue
from consult.clinical.screening import SEVERITY_WORDS, Finding, ScreeningResult, screen
from ui.consultation.draft import DraftState
from ui.consultation.steps.base import Services, Step
from ui.dates import show_date

NEEDS_REASON = frozenset(("clearance", "defer", "decline"))
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
        self.banner = Banner(self)
        self.layout_.addWidget(self.banner)
        self.findings_box = QWidget(self)
        self.findings_box.setObjectName("scrollBody")
        self.findings_layout = QVBoxLayout(self.findings_box)
        self.findings_layout.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.findings_box)
        self.layout_.addWidget(scroll, 1)
        self.reason_label = QLabel(
            "To go on despite this verdict, write why (for example the clearance letter you "
            "hold). The reason is kept with the consultation and in the audit trail.",
            self,
        )
        self.reason_label.setWordWrap(True)
        self.reason = QPlainTextEdit(self)
        self.reason.setPlaceholderText("Reason for going on")
        self.reason.setMaximumHeight(90)
        self.reason.setAccessibleName("Reason for going on")
        self.layout_.addWidget(self.reason_label)
        self.layout_.addWidget(self.reason)
        self.reason.textChanged.connect(self._reason_changed)

    def enter(self) -> None:
        self.result = screen(self.draft.consultation())
        self.banner.show_verdict(self.result.verdict, self.result.blocked_areas)
        while self.findings_layout.count():
            item = self.findings_layout.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        if not self.result.findings:
            self.findings_layout.addWidget(QLabel("No findings.", self.findings_box))
        for finding in self.result.findings:
            self.findings_layout.addWidget(finding_card(self.findings_box, finding))
        self.findings_layout.addStretch(1)
        needs_reason = self.result.verdict in NEEDS_REASON
        self.reason_label.setVisible(needs_reason)
        self.reason.setVisible(needs_reason)
        if self.reason.toPlainText() != self.draft.override_reason:
            self.reason.blockSignals(True)
            self.reason.setPlainText(self.draft.override_reason)
            self.reason.blockSignals(False)

    @Slot()
    def _reason_changed(self) -> None:
        self.draft.override_reason = self.reason.toPlainText().strip()
        self.changed.emit()

    def blocker(self) -> str | None:
        # Screened afresh: the history or areas may have changed since this page was shown.
        verdict = screen(self.draft.consultation()).verdict
        if verdict in NEEDS_REASON and len(self.draft.override_reason) < MIN_REASON:
            return (
                f"The verdict is “{_WORDS[verdict]}”: write the reason for going on "
                f"(at least {MIN_REASON} characters) first."
            )
        return None
