"""A session's PDFs in the viewer, with Print… and Save as… audited before they happen."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtWidgets import QWidget

from consult.services import course
from consult.services.acting import SignedIn
from ui.dialogs.pdf_dialog import Handout, PdfDialog


def _saved(user: SignedIn, session_id: int, document: str, path: Path) -> None:
    course.record_handout(user, session_id, document, "save", file_name=path.name)


def handout(user: SignedIn, session_id: int, document: str, file_name: str) -> Handout:
    return Handout(
        file_name=file_name,
        before_printing=partial(course.record_handout, user, session_id, document, "print"),
        before_saving=partial(_saved, user, session_id, document),
    )


def _file_name(kind: str, patient_name: str, session_id: int) -> str:
    return f"{kind}-{'-'.join(patient_name.split()) or 'patient'}-{session_id}.pdf"


def aftercare_dialog(
    parent: QWidget, user: SignedIn, session_id: int, pdf: bytes, patient_name: str
) -> PdfDialog:
    return PdfDialog(
        f"Aftercare sheet: {patient_name}",
        pdf,
        parent,
        handout=handout(
            user, session_id, "aftercare", _file_name("aftercare", patient_name, session_id)
        ),
    )


def session_record_dialog(
    parent: QWidget, user: SignedIn, session_id: int, pdf: bytes, patient_name: str
) -> PdfDialog:
    return PdfDialog(
        f"Session record: {patient_name}",
        pdf,
        parent,
        handout=handout(
            user,
            session_id,
            "session_record",
            _file_name("session-record", patient_name, session_id),
        ),
    )
