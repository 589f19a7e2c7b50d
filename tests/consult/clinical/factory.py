"""Build consult/1 consultations for the clinical tests, through the real file format."""

from __future__ import annotations

from typing import Any

from consult.clinical import fileformat
from consult.clinical.fileformat import Consultation

DAY = "2026-11-20"


def consultation(
    history: dict[str, Any] | None = None,
    *,
    areas: dict[str, list[str]] | None = None,
    treatment: str = "microneedling",
    day: str = DAY,
    born: str = "1980-06-15",
    fitzpatrick: int | None = 3,
) -> Consultation:
    """A consultation as an intake form would write it (default: cheeks, acne scars)."""
    patient: dict[str, Any] = {"name": "Test Patient", "date_of_birth": born}
    if fitzpatrick is not None:
        patient["fitzpatrick"] = fitzpatrick
    requested = areas if areas is not None else {"cheeks": ["acne_scars"]}
    return fileformat.from_dict(
        {
            "format": "consult/1",
            "consultation_date": day,
            "patient": patient,
            "treatment": treatment,
            "areas": [{"area": area, "concerns": concerns} for area, concerns in requested.items()],
            "history": history or {},
        }
    )
