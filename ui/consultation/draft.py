"""What the practitioner has entered so far, as one plain object the steps share.

It turns into a consult/1 `Consultation` for the core (screening, depths, quote,
documents) and for the draft saved in the database. Choices the consult/1 format has
no field for travel in its `extra` keys, which the format keeps: `quote` (read by
consult.pricing.options_from_consultation), `depths` (the depth the practitioner
settled on per area) and `consent` (photography and marketing choices).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from consult.clinical.fileformat import AreaRequest, Consultation, HistoryEntry, Patient

if TYPE_CHECKING:  # a type only: the storage layer is not this module's to load
    from consult.records import PatientRecord

QUOTE_KEY = "quote"
DEPTHS_KEY = "depths"
CONSENT_KEY = "consent"
OVERRIDE_KEY = "screening_override"  # consult/1: the recorded reason to go on past a stop
DEFAULT_TREATMENT = "microneedling"
# What needs the stored consultation says this before its first save has finished.
UNSAVED = "the consultation is still being saved for the first time; try again in a moment"


@dataclass
class DraftState:
    patient: PatientRecord  # the stored patient record
    consultation_date: date
    treatment: str = DEFAULT_TREATMENT
    areas: dict[str, tuple[str, ...]] = field(default_factory=dict)  # area -> concerns, in order
    depths: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    # Areas whose planned depth lies outside the suggestion on purpose (confirmed).
    depth_confirmed: set[str] = field(default_factory=set)
    history: dict[str, HistoryEntry] = field(default_factory=dict)
    override_reason: str = ""
    add_ons: tuple[str, ...] = ()
    pay_upfront: bool = False
    manual_discount_percent: Decimal = Decimal(0)
    sessions_override: int | None = None
    photography: bool | None = None
    marketing: bool | None = None
    step: int = 0
    consultation_id: int | None = None
    version: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # other keys of a loaded file, kept
    # The number the consent the patient reads carries, and keeps when it is signed.
    consent_number: str = ""

    def consultation(self) -> Consultation:
        return Consultation(
            consultation_date=self.consultation_date,
            patient=Patient(
                self.patient.name,
                self.patient.date_of_birth,
                self.patient.fitzpatrick,
                self.patient.email,
                self.patient.phone,
            ),
            treatment=self.treatment,
            areas=tuple(AreaRequest(area, concerns) for area, concerns in self.areas.items()),
            history=dict(self.history),
            extra=self._extra(),
        )

    def _extra(self) -> dict[str, Any]:
        extra = dict(self.extra)
        quote: dict[str, Any] = {}
        if self.add_ons:
            quote["add_ons"] = list(self.add_ons)
        if self.pay_upfront:
            quote["pay_upfront"] = True
        if self.manual_discount_percent:
            quote["manual_discount_percent"] = str(self.manual_discount_percent)
        if self.sessions_override is not None:
            quote["sessions"] = self.sessions_override
        _put(extra, QUOTE_KEY, quote)
        depths: dict[str, Any] = {
            area: {"min_mm": str(low), "max_mm": str(high)}
            for area, (low, high) in self.depths.items()
            if area in self.areas
        }
        for area in self.depth_confirmed & set(depths):
            depths[area]["confirmed"] = True
        _put(extra, DEPTHS_KEY, depths)
        consent = {
            key: value
            for key, value in (("photography", self.photography), ("marketing", self.marketing))
            if value is not None
        }
        _put(extra, CONSENT_KEY, consent)
        # The spec's key, so the documents know a clearance is on file (and an export says so).
        reason = self.override_reason.strip()
        _put(extra, OVERRIDE_KEY, {"reason": reason} if reason else {})
        return extra

    @classmethod
    def from_consultation(
        cls, patient: Any, consultation: Consultation, **stored: Any
    ) -> DraftState:
        """A saved draft back into the form, the choices read from its extra keys."""
        extra = dict(consultation.extra)
        quote = extra.pop(QUOTE_KEY, None) or {}
        depths = extra.pop(DEPTHS_KEY, None) or {}
        consent = extra.pop(CONSENT_KEY, None) or {}
        override = extra.pop(OVERRIDE_KEY, None) or {}
        if "override_reason" not in stored and isinstance(override, dict):
            stored["override_reason"] = str(override.get("reason", ""))
        return cls(
            patient=patient,
            consultation_date=consultation.consultation_date,
            treatment=consultation.treatment,
            areas={request.area: request.concerns for request in consultation.areas},
            depths={
                area: (Decimal(str(value["min_mm"])), Decimal(str(value["max_mm"])))
                for area, value in depths.items()
            },
            depth_confirmed={area for area, value in depths.items() if value.get("confirmed")},
            history=dict(consultation.history),
            add_ons=tuple(quote.get("add_ons", ())),
            pay_upfront=bool(quote.get("pay_upfront", False)),
            manual_discount_percent=Decimal(str(quote.get("manual_discount_percent", "0"))),
            sessions_override=quote.get("sessions"),
            photography=consent.get("photography"),
            marketing=consent.get("marketing"),
            extra=extra,
            **stored,
        )


def _put(target: dict[str, Any], key: str, value: dict[str, Any]) -> None:
    if value:
        target[key] = value
    else:
        target.pop(key, None)
