"""A complete document input (consent and plan) for the document tests, varied by keyword."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from consult.documents.model import (
    AreaPlan,
    Clinic,
    ConsentChoices,
    CourseOfSessions,
    DepthRange,
    DocumentInput,
    FindingNote,
    PatientIdentity,
    QuoteRow,
    QuoteSummary,
    Signatures,
)
from tests.consult.documents.pdfs import signature_png

MARKUP_NAME = "Zoë <b>O'Brien & Co</b>"
SIGNED_AT = datetime(2026, 11, 20, 14, 5, tzinfo=ZoneInfo("Europe/Berlin"))
DATES = (date(2026, 11, 20), date(2026, 12, 18), date(2027, 1, 15), date(2027, 2, 12))


def make_input(
    *,
    name: str = MARKUP_NAME,
    treatment: str = "microneedling",
    signed: bool = True,
    findings: tuple[FindingNote, ...] | None = None,
    choices: ConsentChoices = ConsentChoices(photography=True, marketing=False),  # noqa: B008
) -> DocumentInput:
    labels = {
        "microneedling": "Micro-needling (mechanical pen)",
        "rf_microneedling": "Radio-frequency micro-needling",
    }
    if findings is None:
        findings = (
            FindingNote(
                "precautions",
                "History of cold sores.",
                "Antiviral prophylaxis as prescribed before each session.",
                ("Around the mouth",),
            ),
        )
    return DocumentInput(
        document_id="CN-20261120-TEST0001",
        clinic=Clinic(
            "Glow Skin Clinic",
            "12 High Street, Springfield",
            "+1 555 0199",
            time_zone="Europe/Berlin",
        ),
        practitioner="Dr Ελένη Παπαδοπούλου",
        treatment=treatment,
        treatment_label=labels[treatment],
        patient=PatientIdentity(name, date(1989, 4, 2)),
        areas=(
            AreaPlan(
                "cheeks",
                "Cheeks",
                "face",
                ("Acne scars",),
                DepthRange(Decimal("1.0"), Decimal("2.0")),
            ),
            AreaPlan(
                "neck",
                "Neck",
                "body_front",
                ("Fine lines and wrinkles",),
                DepthRange(Decimal("0.25"), Decimal("0.75"), "Guidance only."),
            ),
        ),
        course=CourseOfSessions(4, 4, DATES, ("A yearly touch-up once the course is complete.",)),
        quote=QuoteSummary(
            rows=(
                QuoteRow("Face — cheeks: micro-needling session", "4", "$199.00", "$796.00"),
                QuoteRow("Neck: micro-needling session", "4", "$75.00", "$300.00"),
            ),
            totals=(("Subtotal", "$1,096.00"), ("Tax (8.25 %)", "$90.42"), ("Total", "$1,186.42")),
            total="$1,186.42",
            valid_until=date(2026, 12, 20),
        ),
        findings=findings,
        verdict="precautions",
        choices=choices,
        signatures=Signatures(signature_png(), signature_png((90, 20, 20)))
        if signed
        else Signatures(),
        signed_at=SIGNED_AT if signed else None,
    )
