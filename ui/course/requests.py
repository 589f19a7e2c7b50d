"""What a screen asks the main window for when a session is to be recorded.

Kept apart from the screens so the patient card and "Due" can ask without loading the
recording screen's code (it loads when the first session opens).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SessionRequest:
    """Start a session for the patient (session_id None), or carry on with a draft."""

    patient_id: int
    patient_name: str
    session_id: int | None = None
    consultation_id: int | None = None  # from a booking: the consultation it follows
    booking_id: int | None = None  # from "Due": marked done once the session is signed
