"""A patient's stored documents: list, open, and every copy printed or saved audited."""

from __future__ import annotations

from dataclasses import dataclass

from consult.records.consultations import ConsentInfo
from consult.services.acting import SignedIn, use_case
from consult.storage import activity, consents


@use_case("documents.list")
def list_for_patient(user: SignedIn, patient_id: int) -> tuple[ConsentInfo, ...]:
    return tuple(consents.list_for_patient(user.database, user.actor, patient_id))


@use_case("documents.open")
def open_pdf(user: SignedIn, record_id: int) -> bytes:
    """The stored PDF, checked against the fingerprint taken when it was stored."""
    return consents.get_pdf(user.database, user.actor, record_id)


@use_case("documents.record_print")
def record_print(
    user: SignedIn, *, patient_id: int, document_kind: str, consultation_id: int
) -> int:
    """Audit a print before the pages go out."""
    return activity.record_print(
        user.database,
        user.actor,
        patient_id=patient_id,
        document_kind=document_kind,
        consultation_id=consultation_id,
    )


@use_case("documents.record_save")
def record_save(
    user: SignedIn,
    *,
    patient_id: int,
    document_kind: str,
    consultation_id: int,
    file_name: str,
) -> int:
    """Audit a copy saved to a file outside the database."""
    return activity.record_export(
        user.database,
        user.actor,
        patient_id=patient_id,
        document_kind=document_kind,
        consultation_id=consultation_id,
        file_name=file_name,
    )


@use_case("forms.print_blank")
def record_blank_form_print(user: SignedIn, *, form_id: str | None = None) -> int:
    return activity.record_blank_form_print(user.database, user.actor, form_id=form_id)


@dataclass(frozen=True)
class BlankForm:
    form_id: str  # names the version of the wording printed (FORM-…)
    pdf: bytes


@use_case("forms.print_blank")
def blank_consent_form(user: SignedIn) -> BlankForm:
    """A consent form with the clinic's details and no patient, to fill in by hand."""
    # Imported inside the work, so reportlab's weight never slows the app's start.
    from consult.documents.build import blank_input
    from consult.documents.consent import build_consent
    from consult.storage import settings

    stored = settings.get_settings(user.database)
    document = blank_input(stored.pricing, stored.logo)
    return BlankForm(document.document_id, build_consent(document))
