"""Patients: find, open, register and correct a patient's contact record.

Reading or changing contact details needs `patient.read_contact` /
`patient.write_contact` (every role has them); each view, search, creation and change
is written to the audit trail naming the patient.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial

from sqlalchemy import Select, and_, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from consult import fileformat
from consult.access import Actor, require
from consult.errors import ConsultError, InvalidField, StaleRecord
from consult.storage import audit
from consult.storage.db import Database
from consult.storage.models import Patient as PatientRow

_DATE_FORMATS = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"),
    (re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$"), "%d/%m/%Y"),
    (re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$"), "%d.%m.%Y"),
)
_PHONE_PUNCTUATION = re.compile(r"[\s+().\-/]")
# Fewer digits than this match too many phone numbers to be a useful search.
MIN_PHONE_DIGITS = 3
MAX_RESULTS = 200


@dataclass(frozen=True)
class PatientRecord:
    id: int
    name: str
    date_of_birth: date
    fitzpatrick: int | None
    email: str | None
    phone: str | None
    created_at: datetime
    updated_at: datetime
    version: int

    def as_patient(self) -> fileformat.Patient:
        """The consult/1 patient, for screening, quoting and documents."""
        return fileformat.Patient(
            self.name, self.date_of_birth, self.fitzpatrick, self.email, self.phone
        )


# --------------------------------------------------------------------------- search keys


def search_key(name: str) -> str:
    """The name as stored for searching: casefolded, accents stripped, one leading space.

    "Zoë Ångström" → " zoe angstrom", "Ελένη" → " ελενη". The leading space lets a
    word-prefix search be `LIKE '% ang%'` for the first word as for the others.
    """
    return " " + " ".join(_fold(name).split())


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def phone_digits(phone: str | None) -> str | None:
    if not phone:
        return None
    return "".join(ch for ch in phone if ch.isdigit()) or None


def parse_typed_date(text: str) -> date | None:
    """A date typed as YYYY-MM-DD, DD/MM/YYYY or DD.MM.YYYY; None if it is not one."""
    for pattern, layout in _DATE_FORMATS:
        if pattern.match(text):
            try:
                return datetime.strptime(text, layout).date()
            except ValueError:
                return None
    return None


# --------------------------------------------------------------------------- reading


def search_patients(db: Database, actor: Actor, text: str, limit: int = 50) -> list[PatientRecord]:
    """Patients matching what was typed: name words, a date of birth, or phone digits.

    Words are matched as the start of any word of the name, ignoring case and accents;
    a date (1989-04-02 or 02/04/1989) matches the date of birth; a run of digits matches
    anywhere in the phone number. Several may be combined ("souza 1989-04-02").
    """
    require(actor, "patient.read_contact")
    query = _search_query(text)
    if query is None:
        return []
    limit = max(1, min(limit, MAX_RESULTS))
    with db.Session.begin() as session:
        rows = session.scalars(query.order_by(PatientRow.search_key, PatientRow.id).limit(limit))
        found = [to_record(row) for row in rows]
        audit.record(session, actor, "patient.search", detail={"results": len(found)})
    return found


def _search_query(text: str) -> Select[tuple[PatientRow]] | None:
    typed = " ".join(text.split())
    if not typed:
        return None
    conditions = []
    squeezed = _PHONE_PUNCTUATION.sub("", typed)
    if squeezed.isdigit() and not parse_typed_date(typed):
        if len(squeezed) < MIN_PHONE_DIGITS:
            return None
        conditions.append(PatientRow.phone_digits.like(f"%{squeezed}%"))
    else:
        for word in typed.split(" "):
            born = parse_typed_date(word)
            if born is not None:
                conditions.append(PatientRow.date_of_birth == born)
            elif word.isdigit() and len(word) >= MIN_PHONE_DIGITS:
                conditions.append(PatientRow.phone_digits.like(f"%{word}%"))
            else:
                pattern = "% " + _escape_like(_fold(word)) + "%"
                conditions.append(PatientRow.search_key.like(pattern, escape="\\"))
    return select(PatientRow).where(and_(*conditions))


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def get_patient(db: Database, actor: Actor, patient_id: int) -> PatientRecord:
    require(actor, "patient.read_contact")
    with db.Session.begin() as session:
        row = load_row(session, patient_id)
        audit.record(session, actor, "patient.view", patient_id=patient_id)
        return to_record(row)


def load_row(session: Session, patient_id: int) -> PatientRow:
    row = session.get(PatientRow, patient_id)
    if row is None:
        raise ConsultError(f"patient {patient_id} does not exist")
    return row


def to_record(row: PatientRow) -> PatientRecord:
    return PatientRecord(
        id=row.id,
        name=row.name,
        date_of_birth=row.date_of_birth,
        fitzpatrick=row.fitzpatrick,
        email=row.email,
        phone=row.phone,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
    )


# --------------------------------------------------------------------------- writing


def create_patient(db: Database, actor: Actor, patient: fileformat.Patient) -> PatientRecord:
    require(actor, "patient.write_contact")
    with db.Session.begin() as session:
        row = add_patient(session, actor, patient)
        return to_record(row)


def create(
    db: Database,
    actor: Actor,
    *,
    name: str,
    date_of_birth: date,
    fitzpatrick: int | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> PatientRecord:
    """`create_patient` with the details as keywords (what the patient dialog collects)."""
    details = fileformat.Patient(name, date_of_birth, fitzpatrick, email, phone)
    return create_patient(db, actor, details)


def update(
    db: Database,
    actor: Actor,
    patient_id: int,
    *,
    expected_version: int,
    name: str,
    date_of_birth: date,
    fitzpatrick: int | None = None,
    email: str | None = None,
    phone: str | None = None,
) -> PatientRecord:
    """`update_patient` with the details as keywords (what the patient dialog collects)."""
    details = fileformat.Patient(name, date_of_birth, fitzpatrick, email, phone)
    return update_patient(db, actor, patient_id, expected_version, details)


def add_patient(session: Session, actor: Actor, patient: fileformat.Patient) -> PatientRow:
    """Register a patient inside an open transaction (and audit it)."""
    checked = validated(patient)
    now = datetime.now(UTC)
    row = PatientRow(created_at=now, updated_at=now)
    _apply(row, checked)
    session.add(row)
    session.flush()
    audit.record(session, actor, "patient.create", patient_id=row.id)
    return row


def update_patient(
    db: Database, actor: Actor, patient_id: int, expected_version: int, patient: fileformat.Patient
) -> PatientRecord:
    """Save corrected contact details, unless someone else saved the record meanwhile."""
    require(actor, "patient.write_contact")
    with db.Session.begin() as session:
        row = load_row(session, patient_id)
        check_version(
            row.version,
            expected_version,
            f"patient {row.name}",
            partial(
                audit.last_author, session, actor, action_prefix="patient.update",
                patient_id=row.id,
            ),
        )
        update_row(session, actor, row, patient)
        return to_record(row)


def update_row(
    session: Session, actor: Actor, row: PatientRow, patient: fileformat.Patient
) -> list[str]:
    """Apply new details to a loaded row and audit which fields changed."""
    checked = validated(patient)
    changed = [
        key
        for key in ("name", "date_of_birth", "fitzpatrick", "email", "phone")
        if getattr(row, key) != getattr(checked, key)
    ]
    if not changed:
        return []
    _apply(row, checked)
    row.updated_at = datetime.now(UTC)
    flush_or_stale(session, f"patient {row.name}")
    audit.record(session, actor, "patient.update", patient_id=row.id, detail={"fields": changed})
    return changed


def _apply(row: PatientRow, patient: fileformat.Patient) -> None:
    row.name = patient.name
    row.date_of_birth = patient.date_of_birth
    row.fitzpatrick = patient.fitzpatrick
    row.email = patient.email
    row.phone = patient.phone
    row.search_key = search_key(patient.name)
    row.phone_digits = phone_digits(patient.phone)


def validated(patient: fileformat.Patient) -> fileformat.Patient:
    """The patient with text trimmed and blanks as None, or InvalidField naming the problem.

    The same rules as a consult/1 file, so what is typed in the app and what is
    imported are held to one standard.
    """
    name = _text(patient.name, "patient.name")
    if not name:
        raise InvalidField("patient.name", "must not be empty")
    born = patient.date_of_birth
    if not isinstance(born, date) or isinstance(born, datetime):
        raise InvalidField("patient.date_of_birth", "must be a date")
    if born > date.today():
        raise InvalidField("patient.date_of_birth", f"{born.isoformat()} is in the future")
    fitzpatrick = patient.fitzpatrick
    if fitzpatrick is not None and (
        isinstance(fitzpatrick, bool)
        or not isinstance(fitzpatrick, int)
        or not 1 <= fitzpatrick <= 6
    ):
        raise InvalidField("patient.fitzpatrick", f"{fitzpatrick!r} must be a whole number 1 to 6")
    email = _text(patient.email, "patient.email")
    if email and "@" not in email:
        raise InvalidField("patient.email", f'"{email}" is not an e-mail address')
    phone = _text(patient.phone, "patient.phone")
    return fileformat.Patient(name, born, fitzpatrick, email, phone, patient.extra)


def _text(value: object, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidField(field, "must be text")
    value = value.strip()
    if len(value) > fileformat.MAX_TEXT:
        raise InvalidField(field, f"is longer than {fileformat.MAX_TEXT} characters")
    if any(ord(ch) < 32 for ch in value):
        raise InvalidField(field, "contains control characters")
    return value or None


# --------------------------------------------------------------------------- locking


def check_version(
    current: int, expected: int, what: str, author: Callable[[], str] | None = None
) -> None:
    """StaleRecord if the record moved on; `author` names who moved it (see audit.last_author).

    Without a name the message says only that it changed: "someone else" would be wrong
    when it was the same user in another window.
    """
    if current != expected:
        who = author() if author is not None else ""
        by = f" by {who}" if who else ""
        raise StaleRecord(
            f"{what} was changed{by} since this copy was opened; "
            "reopen it to see that change, then make yours again",
            author=who,
        )


def flush_or_stale(session: Session, what: str) -> None:
    """Write pending changes now, turning a lost optimistic-lock race into StaleRecord."""
    try:
        session.flush()
    except StaleDataError:
        raise StaleRecord(
            f"{what} was changed by another save while you were saving; "
            "reopen it to see that change, then make yours again"
        ) from None
