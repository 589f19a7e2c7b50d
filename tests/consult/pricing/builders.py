"""Plain builders for the pricing tests."""

from __future__ import annotations

from datetime import date

from consult.fileformat import AreaRequest, Consultation, Patient

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
