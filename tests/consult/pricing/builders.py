"""Plain builders for the pricing tests."""

from __future__ import annotations

from datetime import date

from consult.clinical.fileformat import AreaRequest, Consultation, Patient

CONSULTATION_DATE = date(2026, 11, 20)


def make_consultation(
    *areas: tuple[str, tuple[str, ...]], treatment: str = "microneedling", **extra: object
) -> Consultation:
    """A consultation on 2026-11-20 asking for `areas` as (area id, concerns) pairs."""
    return Consultation(
        consultation_date=CONSULTATION_DATE,
        patient=Patient("Test Patient", date(1990, 1, 1)),
        treatment=treatment,
        areas=tuple(AreaRequest(area, concerns) for area, concerns in areas),
        extra=extra,
    )


# What the engine gives for shared/spec/examples/acne-scars.json with the default
# prices and settings: the spec's figures (796.00 + 300.00 = 1096.00).
ACNE_SCARS_QUOTE = {
    "currency": "USD",
    "sessions": 4,
    "interval_weeks": 4,
    "lines": [
        {
            "kind": "region",
            "item": "face",
            "description": "Face — cheeks, forehead: micro-needling session",
            "unit_price": "199.00",
            "quantity": 4,
            "amount": "796.00",
        },
        {
            "kind": "region",
            "item": "neck",
            "description": "Neck: micro-needling session",
            "unit_price": "75.00",
            "quantity": 4,
            "amount": "300.00",
        },
    ],
    "subtotal": "1096.00",
    "discount": "0.00",
    "tax": "0.00",
    "total": "1096.00",
    "course_discount": "0.00",
    "manual_discount": "0.00",
    "tax_rate": "0",
    "valid_until": "2026-12-20",
    "needs_approval": False,
    "price_list_version": None,
}
