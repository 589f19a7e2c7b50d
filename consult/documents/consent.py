"""The consent form: one PDF a patient reads, ticks and signs (or a blank paper form).

The wording comes from resources/consent/consent.toml; this module decides what is
printed for this patient: RF risks only for radio-frequency treatment, the screening
findings with the action agreed, the two separate photography choices, signatures.
"""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table, TableStyle

from consult.clinical.catalogue import catalogue
from consult.documents import wording
from consult.documents.layout import (
    FRAME_WIDTH,
    RULE,
    SHADE,
    bullets,
    fields,
    grid,
    header,
    para,
    render,
    styles,
    subheading,
)
from consult.documents.layout import heading as section_heading
from consult.documents.model import DocumentInput
from consult.documents.sections import (
    area_screening,
    areas_table,
    care_blocks,
    course_summary,
    excluded_note,
    signature_cell,
    signatures_row,
    waits_note,
)
from consult.documents.text import (
    BLANK_LINE,
    bold,
    checkbox,
    choice,
    day,
    esc,
    grouped_fingerprint,
    moment,
)

BLANK_AREA_ROWS = 4
# A severity in the patient's words (the consent never shows rule names or sources).
RESULT_WORDS = {
    "proceed": "Can go ahead",
    "precautions": "Can go ahead with care",
    "clearance": "Needs written clearance from your doctor first",
    "defer": "Not today",
    "decline": "Not treated",
}


def build_consent(doc: DocumentInput, certificate_fingerprint: str | None = None) -> bytes:
    """The consent form as PDF bytes (unsealed).

    Signed by both, it is about to be sealed and shows the seal block with the SHA-256
    fingerprint of the certificate that seals it: this clinic's, looked up in the data
    folder unless the caller already has it.
    """
    title = wording.consent_text("title")
    if doc.signatures.complete and certificate_fingerprint is None:
        # Imported here: the certificate's cryptography is a tenth of a cold unsigned run.
        from consult.documents.certificate import clinic_certificate

        certificate_fingerprint = clinic_certificate(doc.clinic.name).fingerprint
    story: list[Flowable] = header(doc.clinic, title, doc.document_id, _replaces(doc))
    story.extend(_pending_clearance(doc))
    for section in (
        _patient,
        _treatment,
        _procedure,
        _course,
        _benefits,
        _alternatives,
        _risks,
        _history,
        _care,
        _photography,
        _rights,
        _signatures,
    ):
        story.extend(section(doc))
    if doc.signatures.complete and certificate_fingerprint is not None:
        story.extend(_seal(doc, certificate_fingerprint))
    return render(
        story, title=title, document_id=doc.document_id, clinic_name=doc.clinic.letterhead_name
    )


def waits_for_clearance(doc: DocumentInput) -> bool:
    """A doctor's clearance is still needed: the consent is printed, never signed."""
    return not doc.override_reason and any(f.severity == "clearance" for f in doc.findings)


def _pending_clearance(doc: DocumentInput) -> list[Flowable]:
    if not waits_for_clearance(doc):
        return []
    block = [
        para(bold(esc(wording.consent_text("pending_clearance.title")))),
        para(esc(wording.consent_text("pending_clearance.text"))),
    ]
    return [_boxed(block, border=1.2), Spacer(0, 3 * mm)]


def _boxed(block: Sequence[Flowable], border: float = 0.8) -> Table:
    """A shaded, framed block the eye finds at once (the seal, a pending clearance)."""
    box = Table([[list(block)]], colWidths=[FRAME_WIDTH])
    box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), border, RULE),
                ("BACKGROUND", (0, 0), (-1, -1), SHADE),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return box


def _replaces(doc: DocumentInput) -> str:
    if doc.replaces is None:
        return ""
    return f"This consent replaces consent {doc.replaces.consent_number}, which stays on record."


def _heading(key: str) -> Flowable:
    return section_heading(wording.heading(key))


def _paragraphs(path: str) -> list[Flowable]:
    return [para(esc(text)) for text in wording.consent_list(path)]


def _patient(doc: DocumentInput) -> list[Flowable]:
    patient = doc.patient
    name = esc(patient.name) if patient else BLANK_LINE
    born = esc(day(patient.date_of_birth)) if patient else BLANK_LINE
    practitioner = esc(doc.practitioner) if doc.practitioner else BLANK_LINE
    return [
        _heading("patient"),
        fields([("Name", name), ("Date of birth", born), ("Practitioner", practitioner)]),
    ]


def _treatment(doc: DocumentInput) -> list[Flowable]:
    if doc.is_blank:
        kinds = "&nbsp;&nbsp;&nbsp;&nbsp;".join(
            checkbox(None, label) for label in catalogue().treatments.values()
        )
        lead = para(f"Treatment: {kinds}")
    else:
        lead = para(f"Treatment: {bold(doc.treatment_label)}")
    blank_rows = BLANK_AREA_ROWS if doc.is_blank else 0
    table = areas_table(doc.areas, blank_rows)
    return [
        _heading("treatment"),
        lead,
        table,
        *area_screening(doc.areas, doc.course),
        *excluded_note(doc.excluded_areas),
    ]


def _procedure(doc: DocumentInput) -> list[Flowable]:
    story = [_heading("procedure"), *_paragraphs("procedure.paragraphs")]
    if doc.is_rf or doc.is_blank:
        story.append(para(esc(wording.consent_text("procedure.rf"))))
    return story


def _course(doc: DocumentInput) -> list[Flowable]:
    story: list[Flowable] = [_heading("course")]
    if doc.course is None:
        story.append(
            fields(
                [
                    ("Number of sessions", BLANK_LINE),
                    ("Interval", BLANK_LINE),
                    ("Cost of the course", BLANK_LINE),
                ]
            )
        )
        return story
    story.append(para(f"{course_summary(doc.course)}."))
    if doc.course.dates:
        first, last = doc.course.dates[0], doc.course.dates[-1]
        story.append(para(f"Planned from {esc(day(first))} to {esc(day(last))}."))
    else:
        story.append(para("The dates are set once the wait below is over."))
    story += waits_note(doc.course)
    if doc.quote is not None:
        story.append(
            para(f"Cost of the course: {bold(doc.quote.total)} (itemised in the treatment plan).")
        )
    return story


def _benefits(doc: DocumentInput) -> list[Flowable]:
    return [_heading("benefits"), *_paragraphs("benefits.paragraphs")]


def _alternatives(doc: DocumentInput) -> list[Flowable]:
    return [
        _heading("alternatives"),
        para(esc(wording.consent_text("alternatives.intro"))),
        bullets(wording.consent_list("alternatives.items")),
    ]


def _risks(doc: DocumentInput) -> list[Flowable]:
    story: list[Flowable] = [
        _heading("risks"),
        para(esc(wording.consent_text("risks.intro"))),
        subheading(wording.consent_text("risks.common_title")),
        bullets(wording.consent_list("risks.common")),
        subheading(wording.consent_text("risks.less_common_title")),
        bullets(wording.consent_list("risks.less_common")),
    ]
    if doc.is_rf or doc.is_blank:
        title_key = "risks.rf_blank_title" if doc.is_blank else "risks.rf_title"
        story += [
            subheading(wording.consent_text(title_key)),
            bullets(wording.consent_list("risks.rf")),
        ]
    return story


def _history(doc: DocumentInput) -> list[Flowable]:
    story: list[Flowable] = [_heading("history")]
    if doc.is_blank:
        story.append(para(esc(wording.consent_text("history.blank_notes"))))
        for _ in range(3):  # room to write by hand
            story += [Spacer(0, 3 * mm), para(BLANK_LINE * 3)]
    elif doc.findings:
        story.append(para(esc(wording.consent_text("history.findings_intro"))))
        rows = [
            [
                RESULT_WORDS.get(finding.severity, finding.severity),
                _finding_text(_said(finding.message, finding.action), finding.areas),
            ]
            for finding in doc.findings
        ]
        widths = [0.28 * FRAME_WIDTH, 0.72 * FRAME_WIDTH]
        story.append(grid(("Result", "What it means for you"), rows, widths))
    else:
        story.append(para(esc(wording.consent_text("history.no_findings"))))
    if not doc.is_blank and doc.verdict:
        result = RESULT_WORDS.get(doc.verdict, doc.verdict)
        story.append(para(f"Screening result for the areas in this consent: {bold(result)}."))
    if doc.override_reason:
        story.append(para(f"{bold('Going ahead despite the screening, because:')} "
                          f"{esc(doc.override_reason)}"))
    story += [Spacer(0, 2 * mm), para(bold(wording.consent_text("history.statement")))]
    return story


def _said(*sentences: str) -> str:
    return " ".join(sentence for sentence in sentences if sentence)


def _finding_text(message: str, areas: tuple[str, ...]) -> str:
    return f"{message} (areas: {', '.join(areas)})" if areas else message


def _care(doc: DocumentInput) -> list[Flowable]:
    return [_heading("care"), *care_blocks()]


def _photography(doc: DocumentInput) -> list[Flowable]:
    s = styles()
    rows = [
        (wording.consent_text("photography.clinical"), doc.choices.photography),
        (wording.consent_text("photography.marketing"), doc.choices.marketing),
    ]
    story: list[Flowable] = [
        _heading("photography"),
        para(esc(wording.consent_text("photography.intro"))),
    ]
    for text, answer in rows:
        story.append(KeepTogether([para(esc(text), s.cell), para(choice(answer), s.body)]))
    return story


def _rights(doc: DocumentInput) -> list[Flowable]:
    return [_heading("rights"), *_paragraphs("rights.paragraphs")]


def _signatures(doc: DocumentInput) -> list[Flowable]:
    patient_name = doc.patient.name if doc.patient else None
    cells = [
        signature_cell(
            wording.consent_text("signatures.patient"),
            doc.signatures.patient_png,
            patient_name,
            doc.signed_locally,
        ),
        signature_cell(
            wording.consent_text("signatures.practitioner"),
            doc.signatures.practitioner_png,
            doc.practitioner or None,
            doc.signed_locally,
        ),
    ]
    return [
        KeepTogether(
            [
                _heading("signatures"),
                para(esc(wording.consent_text("signatures.intro"))),
                Spacer(0, 2 * mm),
                signatures_row(cells),
            ]
        )
    ]


def _seal(doc: DocumentInput, fingerprint: str) -> list[Flowable]:
    """What the patient can check: who sealed it, when (clinic time), with which certificate."""
    s = styles()
    signed = doc.signed_locally
    rows = [
        (wording.consent_text("seal.clinic"), esc(doc.clinic.letterhead_name)),
        (wording.consent_text("seal.when"), esc(moment(signed)) if signed else BLANK_LINE),
        (wording.consent_text("seal.fingerprint"), esc(grouped_fingerprint(fingerprint))),
    ]
    block = [
        subheading(wording.consent_text("seal.title")),
        para(esc(wording.consent_text("seal.intro"))),
        fields(rows),
        para(esc(wording.consent_text("seal.check")), s.small),
    ]
    return [Spacer(0, 5 * mm), KeepTogether([_boxed(block)])]
