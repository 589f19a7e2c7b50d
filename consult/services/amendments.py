"""Amending a signed consultation: a change after signing is a new consent.

A signed consultation never changes (storage refuses it). To change its areas or
treatment, the practitioner starts an amendment: a new draft for the same patient,
dated today, with the signed history, areas and choices copied in and an `amends` key
naming the signed consent. Signing it (consult.services.signing) seals a new consent
and plan with their own numbers, each naming the version it replaces; the originals
stay stored and readable. The patient answers the consent questions again and any
screening override is given again: they belong to the new signature.
"""

from __future__ import annotations

from dataclasses import replace

from consult.clinic import setup as clinic
from consult.documents.amends import AMENDS_KEY
from consult.errors import ConsultError
from consult.records.consultations import ConsultationRecord
from consult.services.acting import SignedIn, transaction, use_case
from consult.storage import audit, consents, consultations
from consult.storage.settings import get_settings

# Answers that belong to a signature, asked again for the new one.
_ASKED_AGAIN = ("consent", "screening_override", AMENDS_KEY)


@use_case("consultations.amend")
def start_amendment(user: SignedIn, consultation_id: int) -> ConsultationRecord:
    """A new draft that will replace the consultation's signed consent when signed."""
    today = clinic.local_now(get_settings(user.database).pricing).date()
    with transaction(user) as session:
        row = consultations.load(session, consultation_id)
        signed = consents.consent_of(session, row.id)
        if row.status != "completed" or signed is None or signed.signed_at is None:
            raise ConsultError(
                f"consultation {row.id} has no signed consent to amend; carry on with it instead"
            )
        if signed.document_number is None:
            raise ConsultError(
                f"the consent of consultation {row.id} was signed before documents had "
                "numbers; start a new consultation instead"
            )
        newer = consents.replacement_of(session, signed.id)
        if newer is not None:
            raise ConsultError(
                f"consent {signed.document_number} was already replaced by "
                f"{newer.document_number}; amend that consultation instead"
            )
        original = consultations.to_record(session, row).consultation
        extra = {key: value for key, value in original.extra.items() if key not in _ASKED_AGAIN}
        extra[AMENDS_KEY] = signed.document_number
        draft = consultations.add_consultation(
            session,
            user.actor,
            row.patient_id,
            replace(original, consultation_date=today, extra=extra),
        )
        audit.record(
            session,
            user.actor,
            "consultation.amend",
            patient_id=row.patient_id,
            detail={
                "consultation": draft.id,
                "amends": row.id,
                "consent": signed.document_number,
            },
        )
        return consultations.to_record(session, draft)
