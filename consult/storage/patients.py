"""Patients: find, open, register and correct a patient's contact record.

Reading or changing contact details needs `patient.read_contact` /
`patient.write_contact` (every role has them); each view, search, creation and change
is written to the audit trail naming the patient.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime
from functools import lru_cache, partial
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    union_all,
)
from sqlalchemy import update as sql_update
from sqlalchemy.dialects.sqlite.base import SQLiteCompiler
from sqlalchemy.orm import Session
from sqlalchemy.sql.util import ClauseAdapter

from consult.access import Actor, require
from consult.clinical import fileformat
from consult.errors import ConsultError, InvalidField, PermissionDenied
from consult.protection.safe_text import CONTROL_CHARACTERS, check_text
from consult.records import MergeResult, PatientRecord
from consult.storage import audit, audited_read
from consult.storage.db import Database
from consult.storage.locking import check_version, flush_or_stale
from consult.storage.models import Patient as PatientRow
from consult.storage.models import column_width, load_all

_DATE_FORMATS = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "%Y-%m-%d"),
    (re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$"), "%d/%m/%Y"),
    (re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$"), "%d.%m.%Y"),
)
_PHONE_PUNCTUATION = re.compile(r"[\s+().\-/]")
# Fewer digits than this match too many phone numbers to be a useful search.
MIN_PHONE_DIGITS = 3
MAX_RESULTS = 200
# Typed words this long match anywhere in a name (through the trigram index of
# migration 0006); shorter ones ("Wu", "Li") match the start of a word of the name.
SUBSTRING_MIN = 3
# SQLite: the FTS5 trigram table of migration 0006 (rowid = patient id).
_SEARCH_TABLE = table("patient_search", column("rowid"), column("name"))
_SEARCH_KEY_LENGTH = column_width(PatientRow.search_key)  # PostgreSQL refuses longer


# --------------------------------------------------------------------------- search keys


def search_key(name: str) -> str:
    """The name as stored for searching: casefolded, accents stripped, one leading space.

    "Zoë Ångström" → " zoe angstrom", "Ελένη" → " ελενη". The leading space lets a
    word-prefix search be `LIKE '% ang%'` for the first word as for the others.
    Folding can lengthen a name ("ß" → "ss", "ﬁ" → "fi"): a key longer than its column
    is cut there, so the last letters of the longest names are not searched for, rather
    than the name being refused.
    """
    return (" " + " ".join(_fold(name).split()))[:_SEARCH_KEY_LENGTH]


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


def search_patients(
    db: Database, actor: Actor, text: str, limit: int = MAX_RESULTS
) -> list[PatientRecord]:
    """Patients matching what was typed: name words, a date of birth, or phone digits.

    A word of three letters or more matches anywhere in the name ("okafor" finds
    "Thompson-Okafor"), a shorter one the start of a word of the name ("wu", "li"),
    ignoring case and accents; a date (1989-04-02 or 02/04/1989) matches the date of
    birth; a run of digits matches anywhere in the phone number. Several may be
    combined ("souza 1989-04-02").
    """
    require(actor, "patient.read_contact")
    typed = _parse_search(text)
    if typed is None:
        return []  # nothing searchable typed: no search, no audit event
    limit = max(1, min(limit, MAX_RESULTS))
    values = typed.values()
    statements = _statements(typed.shape(), db.dialect, limit, WALK_BUDGET)
    if len(statements) == 1 and audited_read.available(db):
        # PostgreSQL: the search and its audit event in two round trips, not five.
        event = partial(_search_event, actor)
        return _patient_records(audited_read.read_and_record(db, statements[0], values, event))
    with db.Session.begin() as session:
        found: list[PatientRecord] = []
        # Core rows, not the ORM's: its loading machinery costs as much as the rows.
        connection = session.connection()
        for statement in statements:
            # all(): one fetch of every row; iterating a result fetches them one by one.
            found = _patient_records(connection.execute(statement, values).all())
            if len(found) >= limit:
                break
        audit.append_many(session, [_search_event(actor, found)])
    return found


def _search_event(actor: Actor, found: Sequence[object]) -> audit.EventDraft:
    return audit.EventDraft(actor, "patient.search", detail={"results": len(found)})


# What a search returns of each patient: a PatientRecord's fields, read as plain
# columns (no ORM objects: building 200 of them was most of a quick search's time).
_RECORD_FIELDS = tuple(field.name for field in fields(PatientRecord))
_RECORD_COLUMNS = tuple(getattr(PatientRow, name) for name in _RECORD_FIELDS)


def _patient_records(rows: Sequence[Sequence[Any]]) -> list[PatientRecord]:
    """PatientRecords from rows of record_columns (a record's fields, in order).

    Filled without the frozen dataclass's __init__, which sets each field through
    object.__setattr__: for a page of 200 patients that was half the Python a quick
    search spends. The record is as frozen afterwards as any other.
    """
    new = object.__new__
    records = []
    for row in rows:
        record = new(PatientRecord)
        record.__dict__.update(zip(_RECORD_FIELDS, row, strict=True))
        records.append(record)
    return records


def record_columns(query: Select[tuple[PatientRow]]) -> Select[Any]:
    """`query` reading only the columns of a PatientRecord, joins and order kept."""
    return query.with_only_columns(*_RECORD_COLUMNS, maintain_column_froms=True)


@dataclass(frozen=True)
class _Typed:
    """What a search looks for, read from what was typed."""

    phones: tuple[str, ...] = ()  # runs of digits, found anywhere in a phone number
    born: tuple[date, ...] = ()
    words: tuple[str, ...] = ()  # folded name words (name_words)

    def shape(self) -> tuple[int, int, int]:
        """What the statements depend on: how many of each (the values are bound)."""
        return len(self.phones), len(self.born), len(self.words)

    def values(self) -> dict[str, Any]:
        """The statements' bound values: `phone_N`, `born_N`, `word_N` (a LIKE pattern)
        and, on SQLite, `phrase` (the FTS5 query for every word)."""
        values: dict[str, Any] = {"phrase": _fts_phrase(self.words)}
        values.update({f"phone_{n}": f"%{digits}%" for n, digits in enumerate(self.phones)})
        values.update({f"born_{n}": born for n, born in enumerate(self.born)})
        values.update({f"word_{n}": _like_pattern(word) for n, word in enumerate(self.words)})
        return values


def searchable(text: str) -> str:
    """Typed search text with its words separated by single spaces.

    Control characters (a NUL pasted into a search box) separate words as spaces do:
    no stored name holds one (consult.protection.safe_text), and PostgreSQL refuses a
    NUL in any text it is sent.
    """
    return " ".join(CONTROL_CHARACTERS.sub(" ", text).split())


def _parse_search(text: str) -> _Typed | None:
    """What `text` searches for; None when nothing in it can be searched."""
    typed = searchable(text)
    if not typed:
        return None
    squeezed = _PHONE_PUNCTUATION.sub("", typed)
    if squeezed.isdigit() and not parse_typed_date(typed):
        return _Typed(phones=(squeezed,)) if len(squeezed) >= MIN_PHONE_DIGITS else None
    phones: list[str] = []
    born: list[date] = []
    words: list[str] = []
    for word in typed.split(" "):
        day = parse_typed_date(word)
        if day is not None:
            born.append(day)
        elif word.isdigit() and len(word) >= MIN_PHONE_DIGITS:
            phones.append(word)
        else:
            words.extend(name_words(word))
    if not (phones or born or words):
        return None
    return _Typed(tuple(phones), tuple(born), tuple(words))


def search_statements(text: str, dialect: str, limit: int) -> Iterator[Select[Any]]:
    """The statements a search for `text` runs, in order, with its values bound (for
    reading their plans, and for the search bench's floor: the same SQL, compiled)."""
    typed = _parse_search(text)
    if typed is None:
        return
    values = typed.values()
    for statement in _statements(typed.shape(), dialect, limit, WALK_BUDGET):
        yield statement.params(values)


@lru_cache(maxsize=128)
def _statements(
    shape: tuple[int, int, int], dialect: str, limit: int, walk_budget: int
) -> tuple[Select[Any], ...]:
    """The statements a search of this shape runs, in order, each reading a
    PatientRecord's columns, with the typed values left as bound parameters.

    Built once per shape (how many phone numbers, dates and name words; the engine;
    the limit) and kept: building them is most of what a quick search costs in Python,
    and SQLAlchemy then also finds their compiled SQL in its cache. The values are
    parameters either way, so the database plans each search as before.

    The first that finds `limit` patients gives the answer, else the last one does (it
    finds every match). When many patients match ("li" among a million), walking the
    names in order and keeping the matches stops after a few thousand; when few do,
    collecting every match through the trigram index and sorting them is quicker.
    Neither planner can tell which from a trigram index, and matches can cluster in
    name order (a first name late in the alphabet, "zoe"), so a search by name walks at
    most `walk_budget` (WALK_BUDGET) names, in ix_patients_search_key_id alone
    (migration 0010), and only if that kept fewer than `limit` collects and sorts:

    - PostgreSQL in one statement (`_walk_then_sort`), to spare a round trip;
    - SQLite in two (`_walk`, then `_sorted`), as it runs in this process.

    A search with a date of birth or phone digits is collected and sorted at once:
    those conditions find few.
    """
    phones, born, words = shape
    by_key = _search_query(shape, "postgresql")  # LIKE on the name key: both engines
    walks = words > 0 and not phones and not born
    if walks and dialect != "sqlite":
        return (record_columns(_walk_then_sort(by_key, limit, walk_budget)),)
    indexed = by_key if dialect != "sqlite" else _search_query(shape, dialect)
    last = record_columns(_sorted(indexed, limit))
    if walks:
        return record_columns(_walk(by_key, limit, walk_budget)), last
    return (last,)


# A search by name walks at most this many names in order before collecting and
# sorting: a walk that finds nothing there costs a few milliseconds, and one finds
# `limit` (200) when 1% of the names match.
WALK_BUDGET = 20_000


def _sorted(query: Select[tuple[PatientRow]], limit: int) -> Select[tuple[PatientRow]]:
    # `search_key || ''` sorts in the same order but matches no index, so the planner
    # collects the matches (trigram index) and sorts them instead of walking.
    key = PatientRow.search_key + literal_column("''")
    return query.order_by(key, PatientRow.id).limit(limit)


def _walked(
    query: Select[tuple[PatientRow]], limit: int, dialect: str, walk_budget: int
) -> Select[int, str]:
    """The first `limit` matches (id, key) among the first `walk_budget` names in order,
    read from ix_patients_search_key_id alone (PostgreSQL: an index-only scan).

    Each engine is given the form its planner walks in order and stops early:
    - PostgreSQL: the matches among a subquery of the first `walk_budget` names (the
      planner cannot turn that into a trigram-index plan, as it would for a bare
      condition whose matches it underestimates);
    - SQLite: the index read as a range up to the `walk_budget`-th name's key (or the
      last name's in a smaller clinic), computed once (SQLite would sort a subquery's
      rows again before taking the first `limit`).
    """
    where = query.whereclause
    assert where is not None  # a search always has a condition (see _search_query)
    if dialect != "sqlite":
        first = (
            select(PatientRow.id, PatientRow.search_key)
            .order_by(PatientRow.search_key, PatientRow.id)
            .limit(walk_budget)
            .subquery("names")
        )
        return (
            select(first.c.id, first.c.search_key)
            .where(ClauseAdapter(first).traverse(where))
            .order_by(first.c.search_key, first.c.id)
            .limit(limit)
        )
    names = PatientRow.__table__.alias("names")
    budget_end = (
        select(names.c.search_key)
        .with_hint(names, "INDEXED BY ix_patients_search_key_id", "sqlite")
        .order_by(names.c.search_key, names.c.id)
        .offset(max(walk_budget, 1) - 1)
        .limit(1)
        .scalar_subquery()
    )
    last = select(func.max(names.c.search_key)).scalar_subquery()
    bound = select(func.coalesce(budget_end, last)).scalar_subquery()
    walk: Select[int, str] = (
        select(PatientRow.id, PatientRow.search_key)
        .with_hint(PatientRow, "INDEXED BY ix_patients_search_key_id", "sqlite")
        .where(where, PatientRow.search_key <= bound)
        .order_by(PatientRow.search_key, PatientRow.id)
        .limit(limit)
    )
    return walk


def _by_id(ids: Any, limit: int) -> Select[tuple[PatientRow]]:
    """The patients whose ids `ids` (a subquery with an `id` column) holds, in name order."""
    rows = select(PatientRow).join(ids, PatientRow.id == ids.c.id)
    return rows.order_by(PatientRow.search_key, PatientRow.id).limit(limit)  # type: ignore[return-value]


def _walk(
    query: Select[tuple[PatientRow]], limit: int, walk_budget: int
) -> Select[tuple[PatientRow]]:
    """SQLite: the walk alone; fewer than `limit` rows means run `_sorted` instead."""
    return _by_id(_walked(query, limit, "sqlite", walk_budget).subquery("kept"), limit)


def _walk_then_sort(
    query: Select[tuple[PatientRow]], limit: int, walk_budget: int
) -> Select[tuple[PatientRow]]:
    """PostgreSQL: the first `limit` matches in name order, by walk or by sort.

    If the walk kept `limit`, those are the answer; otherwise the second branch, which
    PostgreSQL runs only then (a one-time filter), collects every match through the
    trigram index and sorts them. The rows are then read by id.
    """
    walked = _walked(query, limit, "postgresql", walk_budget).cte("walked")
    walked = walked.prefix_with("MATERIALIZED")  # counted and read once
    kept = select(func.count()).select_from(walked).scalar_subquery()
    by_walk = select(walked.c.id).where(kept >= limit)
    by_sort = _sorted(query.with_only_columns(PatientRow.id), limit).where(kept < limit)
    return _by_id(union_all(by_walk, by_sort).subquery("chosen"), limit)


def _sqlite_from_hint(_compiler: Any, _table: Any, text: str) -> str:
    """SQLite's "INDEXED BY" after a table name: SQLAlchemy renders table hints for the
    engines that have them (MySQL, Oracle, SQL Server) and drops SQLite's by default."""
    return text


SQLiteCompiler.get_from_hint_text = _sqlite_from_hint  # type: ignore[method-assign,assignment]


def _search_query(shape: tuple[int, int, int], dialect: str) -> Select[tuple[PatientRow]]:
    """Every patient a search of this shape finds, its values as bound parameters."""
    phones, born, words = shape
    conditions: list[ColumnElement[bool]] = [
        PatientRow.phone_digits.like(bindparam(f"phone_{n}")) for n in range(phones)
    ]
    conditions += [PatientRow.date_of_birth == bindparam(f"born_{n}") for n in range(born)]
    if words:
        conditions.append(_names_bound(words, dialect))
    return select(PatientRow).where(and_(*conditions))  # type: ignore[return-value]


def _names_bound(words: int, dialect: str) -> ColumnElement[bool]:
    """`names_condition` for `words` words with their values bound (`phrase`, `word_N`)."""
    if dialect == "sqlite":
        return _fts_condition(bindparam("phrase", type_=String))
    return and_(*(_name_like(bindparam(f"word_{n}", type_=String)) for n in range(words)))


def name_words(typed: str) -> list[str]:
    """What was typed as folded words: hyphens separate words, as in the index."""
    return _fold(typed).replace("-", " ").split()


def names_condition(words: list[str], dialect: str) -> ColumnElement[bool]:
    """Patients whose name holds every one of `words` (from `name_words`), in any order.

    On SQLite one FTS5 query for all of them: it intersects inside the index ("maria
    sou": 6 ms among a million, against 48 ms for one subquery per word).
    """
    if dialect == "sqlite":
        return _fts_condition(literal(_fts_phrase(tuple(words)), String))
    return and_(*(name_condition(word, dialect) for word in words))


def name_condition(word: str, dialect: str) -> ColumnElement[bool]:
    """Patients whose name holds `word` (one of `name_words`), through the trigram index.

    Three letters or more: anywhere in the name. One or two: the start of a word. The
    indexed text is the folded name with hyphens as spaces (migration 0006); on SQLite
    each space is doubled there, so a one- or two-letter word start is still a
    three-character pattern the trigram index can serve ("  w", " wu").
    """
    if dialect == "sqlite":
        return names_condition([word], dialect)
    return _name_like(literal(_like_pattern(word), String))


def _like_pattern(word: str) -> str:
    escaped = _escape_like(word)
    return f"%{escaped}%" if len(word) >= SUBSTRING_MIN else f"% {escaped}%"


def _name_like(pattern: ColumnElement[str]) -> ColumnElement[bool]:
    indexed = func.replace(PatientRow.search_key, literal_column("'-'"), literal_column("' '"))
    return indexed.like(pattern, escape="\\")


def _fts_phrase(words: tuple[str, ...]) -> str:
    """SQLite: the FTS5 query for a name holding every word, through the trigram table.

    An FTS5 phrase of trigrams matches where they follow each other: a substring.
    MATCH reads the index alone; LIKE or GLOB would also re-read every candidate's text
    (ten times the work for a common name among a million patients).
    """
    return " AND ".join(
        '"' + (word if len(word) >= SUBSTRING_MIN else f"  {word}").replace('"', '""') + '"'
        for word in words
    )


def _fts_condition(phrase: ColumnElement[str]) -> ColumnElement[bool]:
    matching = select(_SEARCH_TABLE.c.rowid).where(
        literal_column(_SEARCH_TABLE.name).op("MATCH")(phrase)
    )
    return PatientRow.id.in_(matching)


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


# The columns' widths (PostgreSQL refuses a longer value; SQLite would store it).
_LONGEST = {
    "patient.name": column_width(PatientRow.name),
    "patient.email": column_width(PatientRow.email),
    "patient.phone": column_width(PatientRow.phone),
}


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
    longest = _LONGEST[field]
    if len(value) > longest:
        raise InvalidField(field, f"is longer than {longest} characters")
    return check_text(value, field) or None


# --------------------------------------------------------------------------- duplicates


def find_duplicates(
    db: Database, actor: Actor, name: str, date_of_birth: date
) -> list[PatientRecord]:
    """Patients already registered with this name (as folded for search) and birth date.

    Asked before a new record is saved, so reception can open the existing one instead
    of splitting a patient's history in two. Read through the (search_key,
    date_of_birth) index; audited like a search (how many, not who).
    """
    require(actor, "patient.read_contact")
    with db.Session.begin() as session:
        rows = session.scalars(
            select(PatientRow)
            .where(
                PatientRow.search_key == search_key(name),
                PatientRow.date_of_birth == date_of_birth,
            )
            .order_by(PatientRow.id)
        )
        found = [to_record(row) for row in rows]
        audit.record(session, actor, "patient.duplicate_check", detail={"results": len(found)})
    return found


def merge_patients(
    actor: Actor,
    db: Database,
    keep_id: int,
    remove_id: int,
    *,
    keep_version: int,
    remove_version: int,
) -> MergeResult:
    """Merge two records of one person: everything of `remove_id` moves to `keep_id`.

    Every row that names the removed patient (consultations with their histories,
    quotes, signed consents and plans, and whatever else refers to a patient) then
    names the kept one; the removed record is deleted. Signed PDFs are never changed:
    they keep the name they were signed with. Managers only (`patient.merge`); both
    versions must be the ones the manager confirmed, else StaleRecord. Audited on
    both patients' trails, and a refusal is audited too.
    """
    _require_recorded(db, actor, "patient.merge", keep_id)
    if keep_id == remove_id:
        raise ConsultError("a patient record cannot be merged with itself")
    with db.Session.begin() as session:
        kept, removed = load_row(session, keep_id), load_row(session, remove_id)
        check_version(kept.version, keep_version, f"patient {kept.name}")
        check_version(removed.version, remove_version, f"patient {removed.name}")
        moved = _move_references(session, remove_id, keep_id)
        session.delete(removed)
        kept.updated_at = datetime.now(UTC)  # and a new version: the record changed
        flush_or_stale(session, f"patient {kept.name}")
        detail = {"kept": keep_id, "removed": remove_id, "moved": moved}
        audit.record(session, actor, "patient.merge", patient_id=keep_id, detail=detail)
        audit.record(session, actor, "patient.merge", patient_id=remove_id, detail=detail)
        return MergeResult(to_record(kept), remove_id, moved)


def _move_references(session: Session, old_id: int, new_id: int) -> dict[str, int]:
    """Point every foreign key to patients.id from `old_id` to `new_id`; rows per table."""
    moved: dict[str, int] = {}
    load_all()  # every table that may name a patient, not only those loaded so far
    for referring in PatientRow.metadata.sorted_tables:
        for foreign_key in referring.foreign_keys:
            if foreign_key.column is not PatientRow.__table__.c.id:
                continue
            key = foreign_key.parent
            result = session.execute(
                sql_update(referring).where(key == old_id).values({key.name: new_id})
            )
            count = int(getattr(result, "rowcount", 0) or 0)  # a CursorResult's
            if count:
                moved[referring.name] = moved.get(referring.name, 0) + count
    return moved


def _require_recorded(db: Database, actor: Actor, permission: str, patient_id: int) -> None:
    """`require`, with a refusal written to the audit trail before it is raised."""
    try:
        require(actor, permission)
    except PermissionDenied:
        with db.Session.begin() as session:
            audit.record(session, actor, permission, patient_id=patient_id, outcome="denied")
        raise
