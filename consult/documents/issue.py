"""Issuing the documents: build, seal and write them, all or nothing.

The command line and the app both issue documents through `issue`, so the rule is in
one place: the plan is always sealed; the consent is sealed (a signed record) once both
the patient and the practitioner have signed; a blank paper form is neither sealed nor
accompanied by a plan. Every PDF is built and sealed in memory before the first one is
written, and each is written atomically (temp file + rename).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path

from consult.documents.consent import build_consent
from consult.documents.model import DocumentInput
from consult.documents.numbers import new_document_number
from consult.documents.plan import build_plan
from consult.protection import atomic

CONSENT_FILE = "consent.pdf"
PLAN_FILE = "plan.pdf"


@dataclass(frozen=True)
class IssuedDocument:
    path: Path
    sha256: str  # of the file as written, for the patient record and the audit trail
    sealed: bool


@dataclass(frozen=True)
class Issued:
    consent: IssuedDocument
    plan: IssuedDocument | None  # None for a blank paper form


def issue(doc: DocumentInput, folder: Path) -> Issued:
    """Write `folder/consent.pdf` (and `folder/plan.pdf` unless the form is blank)."""
    consent, consent_sealed, plan_sealed = b"", False, False
    plan: bytes | None = None
    if doc.is_blank:
        consent = build_consent(doc)
    elif not doc.clinic.set_up:
        # Nothing is sealed in the name of a clinic that has not been set up.
        consent, plan = build_consent(doc), build_plan(doc)
    else:
        # Imported here: sealing loads pyHanko and the key's cryptography, half of a cold
        # `consult documents`, which a clinic not set up never needs.
        from consult.documents.certificate import clinic_certificate
        from consult.documents.sealing import seal

        certificate = clinic_certificate(doc.clinic.name)
        # Each sealed version has a number of its own, however often a file is issued.
        plan_doc = replace(doc, document_id=new_document_number("plan", doc.clinic.today()))
        plan = seal(build_plan(plan_doc), certificate, "Treatment plan issued by the clinic").pdf
        plan_sealed = True
        # The signed consent prints the fingerprint of the certificate that seals it.
        consent = build_consent(doc, certificate.fingerprint)
        if doc.signatures.complete:
            consent = seal(consent, certificate, "Signed consent to treatment").pdf
            consent_sealed = True
    issued_consent = _write(folder / CONSENT_FILE, consent, consent_sealed)
    issued_plan = _write(folder / PLAN_FILE, plan, plan_sealed) if plan is not None else None
    return Issued(issued_consent, issued_plan)


def _write(path: Path, pdf: bytes, sealed: bool) -> IssuedDocument:
    written = atomic.write_bytes(path, pdf)
    return IssuedDocument(written, hashlib.sha256(pdf).hexdigest(), sealed)
