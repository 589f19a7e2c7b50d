"""Step 6: the consent the patient reads, their choices, and both signatures.

The preview is the consent PDF itself, built from the same input the signed copy will
be built from (only the signature images and the time are added when signing), so
what the patient reads is what they sign. "Sign" stays disabled until both pads hold
a real stroke and both photography choices are made.
"""

from __future__ import annotations

from decimal import Decimal
from functools import partial

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from consult.clinic.setup import local_now
from consult.clinical.outcome import awaits_clearance
from consult.clinical.questionnaire import questionnaire
from consult.clinical.screening import screen
from consult.documents.numbers import new_document_number
from consult.errors import InvalidField
from consult.pricing import QuoteOptions
from consult.services import clearance
from consult.services.clearance import ClearancePapers, ClearanceRequest
from ui.consultation.approval import DiscountApproval
from ui.consultation.draft import DraftState
from ui.consultation.paperwork import PaperworkRequest, unsigned_consent
from ui.consultation.steps.base import Services, Step
from ui.dialogs.pdf_dialog import PdfDialog, stored_document_handout
from ui.shell import confirm
from ui.shell.errors import show_problem
from ui.shell.style import make_primary
from ui.shell.workers import Worker
from ui.widgets import dates
from ui.widgets.pdf_view import PdfView
from ui.widgets.signature_pad import SignaturePad

PREVIEW_DEBOUNCE_MS = 250
PAD_HEIGHT = 110  # room for a signature; both pads and Sign fit a 1280×720 screen


def paperwork_request(draft: DraftState, services: Services, **signed: object) -> PaperworkRequest:
    return PaperworkRequest(
        consultation=draft.consultation(),
        price_list=services.price_list,
        settings=services.settings,
        logo=services.logo,
        options=QuoteOptions(
            add_ons=draft.add_ons,
            pay_upfront=draft.pay_upfront,
            manual_discount_percent=draft.manual_discount_percent,
            sessions_override=draft.sessions_override,
        ),
        depths=tuple((area, low, high) for area, (low, high) in draft.depths.items()),
        practitioner=services.context.full_name,
        photography=draft.photography,
        marketing=draft.marketing,
        override_reason=draft.override_reason,
        consent_number=draft.consent_number,
        **signed,  # type: ignore[arg-type]
    )


def _ink_problem(pad: SignaturePad, label: str) -> str | None:
    """Why the pad's signature is not ink, by the core's one rule (None: it is)."""
    from consult.documents.ink import require_ink

    try:
        require_ink(pad.pad_png(), label)
    except InvalidField as refused:
        return f"{label}: {refused.problem}."
    return None


class YesNo(QWidget):
    """A choice that starts unanswered: neither box is ticked until the patient says."""

    chosen = Signal()

    def __init__(self, name: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.yes = QRadioButton("Yes", self)
        self.no = QRadioButton("No", self)
        self.yes.setAccessibleName(f"{name}: yes")
        self.no.setAccessibleName(f"{name}: no")
        self.group = QButtonGroup(self)
        self.group.addButton(self.yes)
        self.group.addButton(self.no)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.yes)
        layout.addWidget(self.no)
        layout.addStretch(1)
        self.group.buttonToggled.connect(self._toggled)

    def value(self) -> bool | None:
        if self.yes.isChecked():
            return True
        if self.no.isChecked():
            return False
        return None

    def set_value(self, value: bool | None) -> None:
        self.group.blockSignals(True)
        self.group.setExclusive(False)
        self.yes.setChecked(value is True)
        self.no.setChecked(value is False)
        self.group.setExclusive(True)
        self.group.blockSignals(False)

    @Slot()
    def _toggled(self) -> None:
        self.chosen.emit()


class ConsentStep(Step):
    title = "Consent and signatures"
    signed = Signal(object)  # the PaperworkRequest with both signatures

    def __init__(self, draft: DraftState, services: Services, parent: QWidget) -> None:
        super().__init__(draft, services, parent)
        if not draft.consent_number:
            today = local_now(services.settings).date()
            draft.consent_number = new_document_number("consent", today)
        self._worker = Worker(self)
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DEBOUNCE_MS)
        self._preview_timer.timeout.connect(self._build_preview)
        self._shown_request: PaperworkRequest | None = None
        self.preview_pdf: bytes | None = None  # the unsigned consent the patient is reading
        self.preview = PdfView(self)
        self.photography = YesNo("Photographs for the clinical record", self)
        self.marketing = YesNo("Photographs used in marketing", self)
        self.patient_pad = SignaturePad(self)
        self.patient_pad.setAccessibleName("Patient's signature")
        self.practitioner_pad = SignaturePad(self)
        self.practitioner_pad.setAccessibleName("Practitioner's signature")
        self.clear_patient = QPushButton("Clear", self)
        self.clear_practitioner = QPushButton("Clear", self)
        self.sign_button = make_primary(QPushButton("&Sign…", self))
        self.waiting = QLabel(self)
        self.waiting.setObjectName("subtitle")
        self.waiting.setWordWrap(True)
        self.approval = DiscountApproval(draft, services, self)
        # While a doctor's clearance is awaited: the plan and a not-yet-valid consent.
        self.clearance_button = QPushButton("&Print plan and consent for the doctor…", self)
        self.clearance_button.setVisible(False)
        self.issued_papers: ClearancePapers | None = None
        self._build()

    def _build(self) -> None:
        row = QHBoxLayout()
        row.addWidget(self.preview, 3)
        body = QWidget(self)
        body.setObjectName("scrollBody")
        fields = QVBoxLayout(body)
        fields.setContentsMargins(0, 0, 4, 0)
        choices = QGroupBox("Photography (two separate choices)", body)
        form = QFormLayout(choices)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.addRow("Photographs for the clinical record", self.photography)
        form.addRow("Photographs used in marketing", self.marketing)
        fields.addWidget(choices)
        fields.addWidget(
            self._pad_box(
                f"Patient: {self.draft.patient.name}", self.patient_pad, self.clear_patient
            )
        )
        fields.addWidget(
            self._pad_box(
                f"Practitioner: {self.services.context.full_name}",
                self.practitioner_pad,
                self.clear_practitioner,
            )
        )
        fields.addStretch(1)
        # On a short screen the choices and pads scroll; the Sign button stays in view.
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(body)
        side = QVBoxLayout()
        side.addWidget(scroll, 1)
        side.addWidget(self.approval)
        side.addWidget(self.waiting)
        side.addWidget(self.clearance_button)
        side.addWidget(self.sign_button)
        row.addLayout(side, 2)
        self.layout_.addLayout(row, 1)
        self.photography.chosen.connect(self._choices_changed)
        self.marketing.chosen.connect(self._choices_changed)
        self.patient_pad.changed.connect(self._update_sign_button)
        self.practitioner_pad.changed.connect(self._update_sign_button)
        self.clear_patient.clicked.connect(self.patient_pad.clear)
        self.clear_practitioner.clicked.connect(self.practitioner_pad.clear)
        self.sign_button.clicked.connect(self.sign)
        self.approval.decided.connect(self._update_sign_button)
        self.clearance_button.clicked.connect(self.issue_for_clearance)
        self.approval.remove_requested.connect(self._remove_discount)

    def _pad_box(self, title: str, pad: SignaturePad, clear: QPushButton) -> QGroupBox:
        box = QGroupBox(title, self)
        pad.setMinimumHeight(PAD_HEIGHT)
        pad.setMaximumHeight(PAD_HEIGHT + 20)  # both pads in view together, not one huge
        layout = QHBoxLayout(box)
        layout.addWidget(pad, 1)
        layout.addWidget(clear, 0, Qt.AlignmentFlag.AlignBottom)
        return box

    def enter(self) -> None:
        self.photography.set_value(self.draft.photography)
        self.marketing.set_value(self.draft.marketing)
        # Started after the page is on screen: building the PDF is Python work that
        # shares the GIL with the window, and showing the page needs it for every event.
        self._forget_stale_preview()
        self._preview_timer.start()
        self.approval.refresh()
        self._update_sign_button()

    @Slot()
    def _remove_discount(self) -> None:
        """Go on at the clinic's prices: the consent the patient reads is rebuilt."""
        self.draft.manual_discount_percent = Decimal(0)
        self.approval.refresh()
        self._choices_changed()

    @Slot()
    def _choices_changed(self) -> None:
        self.draft.photography = self.photography.value()
        self.draft.marketing = self.marketing.value()
        # The form on screen no longer shows these choices: it may not be signed until
        # the rebuilt preview is on screen, or the patient would sign what they did not read.
        self._forget_stale_preview()
        self._preview_timer.start()
        self._update_sign_button()
        self.changed.emit()

    def _forget_stale_preview(self) -> None:
        if paperwork_request(self.draft, self.services) != self._shown_request:
            self._shown_request = None

    @Slot()
    def _build_preview(self) -> None:
        request = paperwork_request(self.draft, self.services)
        if request == self._shown_request:
            return
        self._shown_request = None
        self._update_sign_button()
        self.waiting.setText("Preparing the consent form…")
        self._worker.start(
            lambda: (request, unsigned_consent(request)), self._show_preview, self._failed
        )

    @Slot(object)
    def _show_preview(self, outcome: tuple[PaperworkRequest, bytes]) -> None:
        request, pdf = outcome
        if request != paperwork_request(self.draft, self.services):
            return  # something changed while it was built; a newer preview is on its way
        self.preview.load_bytes(pdf)
        self.preview_pdf = pdf
        self._shown_request = request
        self._update_sign_button()

    @Slot(object)
    def _failed(self, error: BaseException) -> None:
        self.waiting.setText("The consent form could not be prepared.")
        show_problem(self, error)

    def missing(self) -> str | None:
        gaps = questionnaire().unanswered(self.draft.history)
        if gaps:
            # Silence is not "no": the history cannot be signed as true and complete.
            return (
                f"{len(gaps)} medical-history question(s) not answered: the consent cannot"
                " be signed until every question is answered."
            )
        if self._shown_request is None:
            return "Preparing the consent form…"
        if self.awaits_clearance():
            return (
                "A doctor's written clearance is needed before anything is signed. Print the "
                "plan and this consent (marked not valid until clearance is received) for the "
                "patient's doctor; once it arrives, note it on the Screening step and sign."
            )
        waits = self.approval.blocker()
        if waits is not None:
            return waits
        if self.draft.photography is None or self.draft.marketing is None:
            return "Ask the patient both photography questions."
        if self.patient_pad.is_empty():
            return "Waiting for the patient's signature."
        if self.practitioner_pad.is_empty():
            return "Waiting for the practitioner's signature."
        for pad, who in ((self.patient_pad, "The patient's"), (self.practitioner_pad,
                                                               "The practitioner's")):
            problem = _ink_problem(pad, f"{who} signature")
            if problem is not None:
                return problem
        return None

    def awaits_clearance(self) -> bool:
        consultation = self.draft.consultation()
        return not self.draft.override_reason.strip() and awaits_clearance(
            consultation, screen(consultation)
        )

    @Slot()
    def issue_for_clearance(self) -> None:
        """Store and present the papers for the doctor, then show them to print or save."""
        if self.draft.consultation_id is None or not self.awaits_clearance():
            return
        request = ClearanceRequest(
            self.draft.consultation_id,
            self.draft.consultation(),
            paperwork_request(self.draft, self.services).options,
            consent_number=self.draft.consent_number,
            logo=self.services.logo,
        )
        self.clearance_button.setEnabled(False)
        self.waiting.setText("Preparing the papers for the doctor…")
        self._worker.start(
            partial(clearance.issue_for_clearance, self.services.context.user, request),
            self._papers_issued,
            self._papers_failed,
        )

    @Slot(object)
    def _papers_issued(self, papers: ClearancePapers) -> None:
        self.issued_papers = papers
        # The printed consent keeps its number; the one signed later is a new version.
        today = local_now(self.services.settings).date()
        self.draft.consent_number = new_document_number("consent", today)
        self.changed.emit()
        self._forget_stale_preview()
        self._preview_timer.start()
        self._update_sign_button()
        for record, pdf, title in (
            (papers.plan, papers.plan_pdf, "Treatment plan for the doctor"),
            (papers.consent, papers.consent_pdf, "Consent, not valid until clearance"),
        ):
            handout = stored_document_handout(
                self.services.context, record, self.draft.patient.name
            )
            PdfDialog(f"{title}: {self.draft.patient.name}", pdf, self, handout=handout).exec()

    @Slot(object)
    def _papers_failed(self, error: BaseException) -> None:
        self._update_sign_button()
        show_problem(self, error)

    @Slot()
    def _update_sign_button(self) -> None:
        problem = self.missing()
        waiting = self.awaits_clearance()
        self.clearance_button.setVisible(waiting)
        self.clearance_button.setEnabled(waiting)
        self.sign_button.setEnabled(problem is None)
        self.waiting.setText(problem or "Ready to sign: both signatures are in.")

    def preview_ready(self) -> bool:
        return self._shown_request is not None

    @Slot()
    def sign(self) -> None:
        self._forget_stale_preview()
        if self.missing() is not None or self._shown_request is None:
            self._update_sign_button()
            return
        # Asked once, here: after this the consent is a sealed record that never changes.
        sure = confirm.ask(self, "Sign and seal", confirm.SIGN_AND_SEAL, "Sign and seal", "Not yet")
        if not sure:
            self._update_sign_button()
            return
        request = paperwork_request(
            self.draft,
            self.services,
            patient_png=self.patient_pad.to_png(),
            practitioner_png=self.practitioner_pad.to_png(),
            signed_at=dates.now(),
        )
        self.sign_button.setEnabled(False)
        self.signed.emit(request)

    def blocker(self) -> str | None:
        return self.missing()
