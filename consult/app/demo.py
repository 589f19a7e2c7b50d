"""A realistic demo clinic: accounts, patients, consultations and quotes in every state.

    summary = build_demo(db, patients=200, seed=7)

Everything except the accounts' passwords is deterministic for a seed: the same seed
gives the same patients, histories and quotes. The clinic has a past in its audit trail
too: the searches, views, signatures, approvals and quote decisions its activity would
have written, sealed and chained like any other events, so the audit viewer and
`consult audit verify` have something real to show. Screening verdicts and quote totals are
computed by the real engines (consult.clinical.screening, consult.pricing), so what the
demo shows is what the app would have produced. Rows are written with bulk inserts in
one transaction, BATCH patients (with their consultations and quotes) at a time, so
memory stays flat and the rate steady from 200 patients to a chain's 1,000,000; only
the six accounts are argon2-hashed. The passwords are random, returned once in the
summary and never stored in plain text.
"""

from __future__ import annotations

import random
import secrets
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from consult.access import Actor, workstation_name
from consult.app.demo_course import CandidatePool, CourseSummary, Treatable, add_course
from consult.clinic.settings import ClinicSettings
from consult.clinical import fileformat
from consult.clinical.catalogue import catalogue
from consult.clinical.fileformat import AreaRequest, Consultation, HistoryEntry
from consult.clinical.outcome import left_out
from consult.clinical.screening import screen
from consult.errors import ConsultError
from consult.pricing import lifecycle
from consult.pricing.options import QuoteOptions
from consult.pricing.prices import PriceList
from consult.pricing.quote import Quote, build_quote
from consult.protection.passwords import password_problem
from consult.storage import audit, prices
from consult.storage.db import Database
from consult.storage.models import ClinicSettings as SettingsRow
from consult.storage.models import Patient as PatientRow
from consult.storage.models import User
from consult.storage.models.clinical import Consultation as ConsultationRow
from consult.storage.models.clinical import Quote as QuoteRow
from consult.storage.models.clinical import QuoteLine as QuoteLineRow
from consult.storage.patients import phone_digits, search_key
from consult.storage.users import hash_password

DEFAULT_PATIENTS = 200
MAX_PATIENTS = 1_000_000
# Patients generated, screened, priced and written per step: big enough that each
# executemany is efficient, small enough that memory does not grow with the clinic.
BATCH = 2_000
HASHING_THREADS = 2
CLINIC = {
    "name": "Willow Lane Skin Clinic (demo)",
    "address": "12 Willow Lane, Springfield",
    "phone": "+1 555 0142",
    "email": "hello@willowlane.example",
    # A demo clinic is set up like a real one, so its documents can be sealed.
    "time_zone": "America/Chicago",
}
ACCOUNTS = (
    ("manager", "Helena Marsh", "manager"),
    ("sofia", "Sofia Almeida", "practitioner"),
    ("james", "James Okafor", "practitioner"),
    ("mei", "Mei Tanaka", "practitioner"),
    ("lukas", "Lukas Novák", "practitioner"),
    ("reception", "Priya Raman", "reception"),
)
FIRST_NAMES = (
    "Maria",
    "Ana",
    "Sofia",
    "Emma",
    "Olivia",
    "Chloé",
    "Zoë",
    "Inès",
    "Léa",
    "Noémie",
    "José",
    "João",
    "Ángel",
    "Lucía",
    "Iñaki",
    "Björn",
    "Søren",
    "Åsa",
    "Jürgen",
    "Małgorzata",
    "Łukasz",
    "Zofia",
    "Tomáš",
    "Dávid",
    "Ayşe",
    "Çağla",
    "Nguyễn",
    "Amara",
    "Chidi",
    "Fatima",
    "Aisha",
    "Omar",
    "Priya",
    "Arjun",
    "Mei",
    "Hiroshi",
    "Yuna",
    "Seo-yeon",
    "Liam",
    "Noah",
    "James",
    "Grace",
    "Siobhán",
    "Niamh",
    "Ελένη",
    "Γιώργος",
    "Μαρία",
    "Δημήτρης",
    "Κατερίνα",
    "Дмитрий",
    "Анна",
    "Ольга",
    "Иван",
    "Татьяна",
    "Наталья",
    "Marek",
    "Paulina",
    "Renée",
)
SURNAMES = (
    "Souza",
    "Silva",
    "Pereira",
    "García",
    "Fernández",
    "Muñoz",
    "Rossi",
    "Bianchi",
    "Dubois",
    "Lefèvre",
    "Müller",
    "Schröder",
    "Ångström",
    "Nørgaard",
    "Kowalczyk",
    "Wiśniewska",
    "Dvořák",
    "Horváth",
    "Yılmaz",
    "Öztürk",
    "Okafor",
    "Adeyemi",
    "Haddad",
    "Khan",
    "Patel",
    "Sharma",
    "Tanaka",
    "Watanabe",
    "Kim",
    "Park",
    "Tran",
    "Smith",
    "Johnson",
    "O'Brien",
    "Murphy",
    "MacLeod",
    "Παπαδοπούλου",
    "Νικολάου",
    "Γεωργίου",
    "Иванов",
    "Смирнова",
    "Кузнецова",
    "Попов",
    "Novak",
    "Costa",
    "Lima",
    "Andersson",
    "Jansen",
    "de Vries",
    # Short names a search must find too.
    "Wu",
    "Li",
    "Ng",
)
EMAIL_DOMAINS = ("example.org", "example.com", "mail.example.net")
# Plausible concerns for each area (only ids the catalogue knows are used).
CONCERNS_BY_AREA = {
    "forehead": ("fine_lines", "texture"),
    "periorbital": ("fine_lines",),
    "nose": ("enlarged_pores", "texture"),
    "cheeks": ("acne_scars", "enlarged_pores", "pigmentation", "texture"),
    "perioral": ("fine_lines",),
    "chin": ("acne_scars", "texture"),
    "jawline": ("laxity", "acne_scars"),
    "neck": ("fine_lines", "laxity"),
    "chest": ("texture", "pigmentation", "fine_lines"),
    "scalp": ("hair_loss",),
    "arms": ("scars", "stretch_marks", "laxity"),
    "hands": ("texture", "pigmentation"),
    "abdomen": ("stretch_marks", "scars", "laxity"),
    "back": ("acne_scars", "scars"),
    "hips": ("stretch_marks",),
    "buttocks": ("stretch_marks",),
    "thighs": ("stretch_marks", "laxity"),
    "legs": ("scars", "stretch_marks"),
}
# (quote status, approval) every demo shows at least once (from about ten patients on),
# followed by at least one unfinished draft consultation.
SHOWCASE = (
    ("draft", "not_needed"),
    ("presented", "not_needed"),
    ("accepted", "not_needed"),
    ("declined", "not_needed"),
    ("expired", "not_needed"),
    ("draft", "pending"),
    ("accepted", "approved"),
    ("draft", "rejected"),
)
RANDOM_SCENARIOS = (
    (("accepted", "not_needed"), 34),
    (("declined", "not_needed"), 14),
    (("expired", "not_needed"), 10),
    (("presented", "not_needed"), 8),
    (("draft", "not_needed"), 10),
    (("accepted", "approved"), 6),
    (("draft", "pending"), 3),
    (("draft", "rejected"), 1),
)
HISTORY_DAYS = 540
# The tables the demo fills in bulk (each has an integer `id` the demo assigns).
_DemoRow = User | PatientRow | ConsultationRow | QuoteRow | QuoteLineRow
DRAFT_SHARE = 0.08


@dataclass(frozen=True)
class DemoAccount:
    username: str
    full_name: str
    role: str
    password: str


@dataclass(frozen=True)
class DemoSummary:
    patients: int
    consultations: int
    quotes: int
    accounts: tuple[DemoAccount, ...]
    consultation_statuses: dict[str, int] = field(default_factory=dict)
    quote_statuses: dict[str, int] = field(default_factory=dict)
    approvals: dict[str, int] = field(default_factory=dict)
    course: CourseSummary | None = None


def build_demo(
    db: Database,
    *,
    patients: int = DEFAULT_PATIENTS,
    seed: int = 7,
    today: date | None = None,
    progress: Callable[[int], None] | None = None,
) -> DemoSummary:
    """Fill an empty database with the demo clinic; refuses a database in use.

    `progress`, if given, is called after each batch with the patients written so far.
    """
    if not 1 <= patients <= MAX_PATIENTS:
        raise ConsultError(f"--patients must be from 1 to {MAX_PATIENTS:,}")
    day = today or date.today()
    with db.Session() as session:
        _require_empty(session)  # before the slow hashing; checked again when writing
    accounts = tuple(
        DemoAccount(username, name, role, random_password())
        for username, name, role in ACCOUNTS
    )
    # argon2 is deliberately slow; the hashes run two at a time (it releases the GIL).
    # Not all six at once: each takes 64 MB while it runs.
    with ThreadPoolExecutor(max_workers=HASHING_THREADS) as pool:
        hashes = list(pool.map(hash_password, (account.password for account in accounts)))
    price_list = prices.current_price_list(db)
    with db.Session.begin() as session:
        _require_empty(session)
        user_ids = _add_users(session, accounts, hashes)
        settings = _clinic_settings(session)
        rng = random.Random(seed)  # noqa: S311  (demo data, reproducible on purpose; not secrets)
        generator = _Generator(rng, day, price_list, settings, user_ids)
        summary = generator.fill(session, patients, accounts, progress)
        # The course has its own generator, so a seed's patients and quotes stay as they were.
        course = add_course(
            session,
            random.Random(seed + 1),  # noqa: S311  (demo data, reproducible on purpose)
            day,
            settings,
            generator.course_pool,
            {user_ids[username]: name for username, name, _ in ACCOUNTS},
        )
        summary = replace(summary, course=course)
        manager = Actor(user_ids["manager"], "manager", "manager", workstation_name())
        audit.record(
            session,
            manager,
            "demo.build",
            detail={
                "patients": summary.patients,
                "quotes": summary.quotes,
                "sessions": course.sessions,
                "seed": seed,
            },
        )
    # Thousands of rows arrived at once: without fresh statistics the planner would
    # not use the manager workspace's covering indexes (migration 0003).
    db.refresh_statistics()
    return summary


def _consent_choices(planned: Any) -> dict[str, Any]:
    """A signed demo consultation's photography choices (consult/1 `consent`): clinical
    photos agreed, marketing by every third patient. No random draw: a seed's demo
    stays as it was."""
    if planned.status != "completed":
        return {}
    marketing = planned.patient_index % 3 == 0
    return {"consent": {"photography": True, "marketing": marketing}}


def random_password() -> str:
    """A random password the clinic's password policy accepts (almost always the first)."""
    while True:
        candidate = secrets.token_urlsafe(12)
        if password_problem(candidate) is None:
            return candidate


def bulk_patients(db: Database, count: int, *, seed: int = 7) -> list[int]:
    """Just `count` demo patients (no accounts or consultations), for tests of scale.

    Written BATCH at a time, so a million take no more memory than a thousand (beyond
    the ids returned).
    """
    rng = random.Random(seed)  # noqa: S311  (demo data, reproducible on purpose; not secrets)
    now = datetime.now(UTC)
    ids: list[int] = []
    with db.Session.begin() as session:
        for start in range(0, count, BATCH):
            people = [_patient(rng, date.today()) for _ in range(min(BATCH, count - start))]
            ids.extend(_insert_patients(session, people, now))
    return ids


def _require_empty(session: Session) -> None:
    patients = session.scalar(select(func.count()).select_from(PatientRow)) or 0
    accounts = session.scalar(select(func.count()).select_from(User)) or 0
    if patients or accounts:
        raise ConsultError(
            f"this database is in use ({patients} patients, {accounts} accounts); the demo "
            "fills only an empty database: choose a new one with --database"
        )


def _add_users(
    session: Session, accounts: Sequence[DemoAccount], hashes: Sequence[str]
) -> dict[str, int]:
    now = datetime.now(UTC)
    rows = [
        {
            "username": account.username,
            "full_name": account.full_name,
            "role": account.role,
            "password_hash": password_hash,
            "active": True,
            "created_at": now,
            "version": 1,
        }
        for account, password_hash in zip(accounts, hashes, strict=True)
    ]
    ids = _insert(session, User, rows)
    return {account.username: user_id for account, user_id in zip(accounts, ids, strict=True)}


def _clinic_settings(session: Session) -> ClinicSettings:
    row = session.get(SettingsRow, 1)
    if row is None:
        raise ConsultError("the clinic settings row is missing; open the database with Consult")
    for key, value in CLINIC.items():
        setattr(row, key, value)
    session.flush()
    return ClinicSettings(
        **{
            key: getattr(row, key)
            for key in ClinicSettings.__dataclass_fields__  # the pricing engine's settings
        }
    )


def _insert(session: Session, model: type[_DemoRow], rows: list[dict[str, Any]]) -> list[int]:
    """Bulk insert with ids assigned here, returning them in the order of `rows`.

    One executemany, no RETURNING: the database is empty (checked first) and locked
    for writing by this transaction, so the next ids are known. PostgreSQL's id
    sequence is then moved past them so later inserts continue after the demo.
    """
    if not rows:
        return []
    first = (session.scalar(select(func.max(model.id))) or 0) + 1
    ids = list(range(first, first + len(rows)))
    # Core's INSERT: the ORM's bulk insert leaves a None out of a row's parameters and so
    # sends rows with and without, say, a practitioner in separate small batches.
    rows_table: Any = model.__table__
    session.connection().execute(
        rows_table.insert(), [row | {"id": i} for row, i in zip(rows, ids, strict=True)]
    )
    if session.get_bind().dialect.name == "postgresql":
        session.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :last)"),
            {"table": model.__tablename__, "last": ids[-1]},
        )
    return ids


def _insert_patients(
    session: Session, people: Sequence[fileformat.Patient], now: datetime
) -> list[int]:
    rows = [
        {
            "name": person.name,
            "date_of_birth": person.date_of_birth,
            "fitzpatrick": person.fitzpatrick,
            "email": person.email,
            "phone": person.phone,
            "search_key": search_key(person.name),
            "phone_digits": phone_digits(person.phone),
            "created_at": now,
            "updated_at": now,
            "version": 1,
        }
        for person in people
    ]
    return _insert(session, PatientRow, rows)


# --------------------------------------------------------------------------- people


def _patient(rng: random.Random, today: date) -> fileformat.Patient:
    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    if rng.random() < 0.12:
        last = f"{last}-{rng.choice(SURNAMES)}"
    age_days = rng.randint(18 * 365 + 5, 72 * 365)
    born = today - timedelta(days=age_days)
    email = None
    if rng.random() < 0.75:
        # An address has no spaces and only ASCII letters: "de Vries" -> "devries".
        folded = search_key(f"{first}.{last}").strip()
        local = "".join(ch for ch in folded if ch.isascii() and (ch.isalnum() or ch in ".-"))
        email = (
            f"{(local.strip('.-') or 'patient')}{rng.randint(1, 99)}@{rng.choice(EMAIL_DOMAINS)}"
        )
    phone = None
    if rng.random() < 0.9:
        phone = f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}"
    fitzpatrick = rng.choices((1, 2, 3, 4, 5, 6), weights=(8, 25, 30, 18, 11, 8))[0]
    return fileformat.Patient(f"{first} {last}", born, fitzpatrick, email, phone)


def _areas(rng: random.Random) -> tuple[AreaRequest, ...]:
    known = catalogue()
    face = [a for a in known.face_areas() if a in CONCERNS_BY_AREA]
    body = [a for a in known.areas if a in CONCERNS_BY_AREA and a not in face]
    if rng.random() < 0.7:
        chosen = rng.sample(face, rng.randint(1, 3))
        if rng.random() < 0.3:
            chosen.append(rng.choice(["neck", "chest"]))
    else:
        chosen = rng.sample(body, rng.randint(1, 2))
    requests = []
    for area in dict.fromkeys(chosen):
        options = [c for c in CONCERNS_BY_AREA[area] if c in known.concerns]
        concerns = rng.sample(options, min(len(options), rng.randint(1, 2)))
        requests.append(AreaRequest(area, tuple(concerns)))
    return tuple(requests)


def _history(rng: random.Random, day: date, areas: Sequence[str]) -> dict[str, HistoryEntry]:
    """A medical history in consult/1 terms: mostly little, sometimes something that matters."""
    face = [a for a in areas if catalogue().area(a).is_face] or list(areas)

    def ago(low: int, high: int) -> date:
        return day - timedelta(days=rng.randint(low, high))

    # (chance, condition, how to make its answer): only the drawn answers are made.
    candidates: list[tuple[float, str, Callable[[], HistoryEntry]]] = [
        (0.10, "smoker", lambda: HistoryEntry(as_flag=True)),
        (0.12, "cold_sores", lambda: HistoryEntry(status="history")),
        (0.01, "cold_sores", lambda: HistoryEntry(status="active")),
        (0.04, "isotretinoin", lambda: HistoryEntry(status="past", date=ago(120, 900))),
        (
            0.15,
            "topical_retinoids",
            lambda: HistoryEntry(date=ago(1, 40), areas=(rng.choice(face),)),
        ),
        (0.01, "pregnant", lambda: HistoryEntry(as_flag=True)),
        (0.01, "breastfeeding", lambda: HistoryEntry(as_flag=True)),
        (0.02, "anticoagulants", lambda: HistoryEntry(as_flag=True)),
        (0.03, "diabetes", lambda: HistoryEntry(status="history")),
        (0.05, "eczema_psoriasis", lambda: HistoryEntry(status="history")),
        (0.04, "rosacea", lambda: HistoryEntry(status="history")),
        (0.02, "keloid_scarring", lambda: HistoryEntry(as_flag=True)),
        (0.10, "botox", lambda: HistoryEntry(date=ago(5, 200), areas=("forehead",))),
        (0.06, "dermal_filler", lambda: HistoryEntry(date=ago(10, 400), areas=("perioral",))),
        (
            0.06,
            "laser_or_peel",
            lambda: HistoryEntry(date=ago(7, 300), areas=(rng.choice(face),), note="chemical peel"),
        ),
        (0.08, "tattoo", lambda: HistoryEntry(areas=("arms",))),
        (0.02, "allergy_metal", lambda: HistoryEntry(as_flag=True)),
        (0.01, "sunburn", lambda: HistoryEntry(date=ago(1, 6), areas=(rng.choice(list(areas)),))),
        (0.04, "active_acne", lambda: HistoryEntry(areas=(rng.choice(face),))),
    ]
    history: dict[str, HistoryEntry] = {}
    for chance, key, answer in candidates:
        if key not in history and rng.random() < chance:
            history[key] = answer()
    if "pregnant" not in history and rng.random() < 0.3:
        history["pregnant"] = HistoryEntry(present=False, as_flag=True)
    return history


# --------------------------------------------------------------------------- generator


@dataclass
class _Tally:
    """What the summary reports, counted batch by batch."""

    patients: int = 0
    consultations: int = 0
    quotes: int = 0
    consultation_statuses: Counter[str] = field(default_factory=Counter)
    quote_statuses: Counter[str] = field(default_factory=Counter)
    approvals: Counter[str] = field(default_factory=Counter)


@dataclass
class _Planned:
    consultation: Consultation
    patient_index: int
    practitioner: int
    status: str
    step: int
    verdict: str
    screening: dict[str, Any]
    scenario: tuple[str, str] | None
    quote: Quote | None = None


class _Generator:
    def __init__(
        self,
        rng: random.Random,
        today: date,
        price_list: PriceList,
        settings: ClinicSettings,
        user_ids: dict[str, int],
    ) -> None:
        self.rng = rng
        self.today = today
        self.price_list = price_list
        self.settings = settings
        self.user_ids = user_ids
        self.practitioners = [user_ids[u] for u, _, role in ACCOUNTS if role != "reception"]
        # Showcase scenarios not yet shown; one whose quote came out empty is retried.
        self.showcase = list(SHOWCASE)
        self.shown: set[tuple[str, str]] = set()
        self.drafts = 0
        self.course_pool = CandidatePool()  # completed consultations a course may follow

    def fill(
        self,
        session: Session,
        count: int,
        accounts: tuple[DemoAccount, ...],
        progress: Callable[[int], None] | None = None,
    ) -> DemoSummary:
        """Write `count` patients BATCH at a time; only the tallies outlive a batch."""
        now = datetime.now(UTC)
        tally = _Tally()
        history = _History(self.rng, accounts, self.user_ids)
        history.accounts_created(self.today - timedelta(days=HISTORY_DAYS + 1))
        for start in range(0, count, BATCH):
            people = [_patient(self.rng, self.today) for _ in range(min(BATCH, count - start))]
            self._write_batch(session, people, now, tally, history)
            session.expunge_all()
            if progress is not None:
                progress(tally.patients)
        return DemoSummary(
            patients=tally.patients,
            consultations=tally.consultations,
            quotes=tally.quotes,
            accounts=accounts,
            consultation_statuses=dict(tally.consultation_statuses),
            quote_statuses=dict(tally.quote_statuses),
            approvals=dict(tally.approvals),
        )

    def _write_batch(
        self,
        session: Session,
        people: Sequence[fileformat.Patient],
        now: datetime,
        tally: _Tally,
        history: _History,
    ) -> None:
        patient_ids = _insert_patients(session, people, now)
        planned = list(self._plan(people))
        consultation_rows = [self._consultation_row(p, patient_ids) for p in planned]
        consultation_ids = _insert(session, ConsultationRow, consultation_rows)
        quoted = [
            (p, p.quote, cid)
            for p, cid in zip(planned, consultation_ids, strict=True)
            if p.quote is not None
        ]
        quote_rows = [self._quote_row(p, cid, patient_ids) for p, _, cid in quoted]
        quote_ids = _insert(session, QuoteRow, quote_rows)
        lines = [
            _line_row(quote_id, position, line)
            for (_, quote, _), quote_id in zip(quoted, quote_ids, strict=True)
            for position, line in enumerate(quote.lines, start=1)
        ]
        _insert(session, QuoteLineRow, lines)
        quote_of = {
            cid: (qid, row)
            for (_, _, cid), qid, row in zip(quoted, quote_ids, quote_rows, strict=True)
        }
        for planned_visit, cid, row in zip(
            planned, consultation_ids, consultation_rows, strict=True
        ):
            history.visit(planned_visit, cid, row, quote_of.get(cid))
        history.booked_only(patient_ids, self.today)
        # The batch's audit events go in with it; only the tallies outlive a batch.
        audit.append_many(session, audit.drafts_in_order(history.events))
        history.events.clear()
        tally.patients += len(patient_ids)
        tally.consultations += len(planned)
        tally.quotes += len(quote_ids)
        tally.consultation_statuses.update(p.status for p in planned)
        tally.quote_statuses.update(p.scenario[0] for p, _, _ in quoted if p.scenario)
        tally.approvals.update(p.scenario[1] for p, _, _ in quoted if p.scenario)
        for p, cid in zip(planned, consultation_ids, strict=True):
            if p.status == "completed":
                self.course_pool.offer(
                    Treatable(
                        cid, patient_ids[p.patient_index], people[p.patient_index].name,
                        p.practitioner, p.consultation, p.verdict,
                    )
                )

    # ---------------------------------------------------------------- planning

    def _plan(self, people: Sequence[fileformat.Patient]) -> Iterator[_Planned]:
        for index, person in enumerate(people):
            visits = self.rng.choices((0, 1, 2, 3), weights=(10, 55, 25, 10))[0]
            if self.showcase and visits == 0:
                visits = 1
            for _ in range(visits):
                yield self._visit(index, person)

    def _visit(self, index: int, person: fileformat.Patient) -> _Planned:
        forced = bool(self.showcase)
        # Once the showcase is done, the next visit is an unfinished draft, then by chance.
        draft = not forced and (self.drafts == 0 or self.rng.random() < DRAFT_SHARE)
        self.drafts += draft
        scenario = None if draft else self._scenario()
        day = self._day(scenario, draft)
        areas = _areas(self.rng)
        # A showcase quote gets a clean history so screening cannot block it.
        history = {} if forced else _history(self.rng, day, [a.area for a in areas])
        treatment = self.rng.choices(("microneedling", "rf_microneedling"), weights=(7, 3))[0]
        consultation = Consultation(day, person, treatment, areas, history)
        result = screen(consultation)
        planned = _Planned(
            consultation=consultation,
            patient_index=index,
            practitioner=self.rng.choice(self.practitioners),
            status="draft" if draft else "completed",
            step=self.rng.randint(1, 5) if draft else 0,
            verdict=result.verdict,
            screening=result.to_json(),
            scenario=scenario,
        )
        if scenario is not None and result.verdict not in ("defer", "decline"):
            planned.quote = self._quote(consultation, scenario, left_out(consultation, result))
        if planned.quote is not None and scenario is not None:
            self.shown.add(scenario)
        elif scenario in SHOWCASE and scenario not in self.shown | set(self.showcase):
            self.showcase.insert(0, scenario)  # try again with the next consultation
        if planned.quote is None:
            planned.scenario = None
        return planned

    def _scenario(self) -> tuple[str, str]:
        if self.showcase:
            return self.showcase.pop(0)
        choices, weights = zip(*RANDOM_SCENARIOS, strict=True)
        scenario: tuple[str, str] = self.rng.choices(choices, weights=weights)[0]
        return scenario

    def _day(self, scenario: tuple[str, str] | None, draft: bool) -> date:
        validity = self.settings.quote_validity_days
        if draft or (scenario is not None and scenario[0] == "presented"):
            low, high = 0, min(14, validity - 1)
        elif scenario is not None and scenario in (("draft", "pending"), ("draft", "rejected")):
            low, high = 0, min(20, validity - 1)
        elif scenario is not None and scenario[0] == "expired":
            low, high = validity + 5, HISTORY_DAYS
        else:
            low, high = 1, HISTORY_DAYS
        return self.today - timedelta(days=self.rng.randint(low, high))

    def _quote(
        self, consultation: Consultation, scenario: tuple[str, str], blocked: Sequence[str]
    ) -> Quote | None:
        approval = scenario[1]
        limit = self.settings.manual_discount_limit_percent
        if approval == "not_needed":
            manual = self.rng.choice((Decimal(0), Decimal(0), Decimal(5), limit))
        else:
            manual = limit + self.rng.choice((Decimal(5), Decimal(10)))
        add_ons = self.price_list.add_ons(consultation.treatment)
        options = QuoteOptions(
            add_ons=tuple(a for a in add_ons if self.rng.random() < 0.3),
            pay_upfront=self.rng.random() < 0.4,
            manual_discount_percent=min(manual, Decimal(100)),
        )
        quote = build_quote(consultation, self.price_list, self.settings, options, blocked)
        return quote if quote.lines else None

    # ---------------------------------------------------------------- rows

    def _consultation_row(self, planned: _Planned, patient_ids: Sequence[int]) -> dict[str, Any]:
        document = fileformat.to_dict(planned.consultation)
        created = _at(planned.consultation.consultation_date, self.rng)
        return {
            "patient_id": patient_ids[planned.patient_index],
            "practitioner_id": planned.practitioner,
            "consultation_date": planned.consultation.consultation_date,
            "treatment": planned.consultation.treatment,
            "status": planned.status,
            "areas": document["areas"],
            "history": document["history"],
            "extra": {"document": _consent_choices(planned), "patient": {}},
            "screening_verdict": planned.verdict,
            "screening": planned.screening,
            "override_reason": None,
            "draft_step": planned.step,
            "created_at": created,
            "updated_at": created,
            "version": 1,
        }

    def _quote_row(
        self, planned: _Planned, consultation_id: int, patient_ids: Sequence[int]
    ) -> dict[str, Any]:
        quote = planned.quote
        assert quote is not None and planned.scenario is not None
        status, approval = planned.scenario
        created = _at(planned.consultation.consultation_date, self.rng)
        decided = approval in (lifecycle.APPROVED, lifecycle.REJECTED)
        return {
            "consultation_id": consultation_id,
            "patient_id": patient_ids[planned.patient_index],
            "practitioner_id": planned.practitioner,
            "price_list_version_id": quote.price_list_version,
            "status": status,
            "approval": approval,
            "approval_comment": _approval_comment(approval),
            "approved_by": self.practitioners[0] if decided else None,
            "currency": quote.currency,
            "sessions": quote.sessions,
            "interval_weeks": quote.interval_weeks,
            "tax_rate": quote.tax_rate,
            "course_discount_percent": quote.course_discount_percent,
            "manual_discount_percent": quote.manual_discount_percent,
            "subtotal": quote.subtotal,
            "discount": quote.discount,
            "tax": quote.tax,
            "total": quote.total,
            "valid_until": quote.valid_until,
            "created_at": created,
            "updated_at": created,
            "version": 1,
        }


class _History:
    """The audit events the demo clinic's activity would have written, as it happened.

    Per visit: the practitioner finds the patient (search, view; a first visit
    registers them), opens the consultation, saves a draft or completes it with the
    signatures, and prices it; the manager approves or rejects the discounts that
    needed it; presented quotes are later accepted, declined or expired. Details
    mirror what consult.storage records for the same actions.
    """

    def __init__(
        self, rng: random.Random, accounts: Sequence[DemoAccount], user_ids: dict[str, int]
    ) -> None:
        self.rng = rng
        self.events: list[audit.EventDraft] = []
        self.accounts = accounts
        self.actors = {
            user_ids[account.username]: Actor(
                user_ids[account.username], account.username, account.role, f"room-{n}"
            )
            for n, account in enumerate(accounts, start=1)
        }
        self.manager = self.actors[user_ids["manager"]]
        self.registered: set[int] = set()

    def add(
        self, actor: Actor, action: str, at: datetime, patient: int | None, **detail: Any
    ) -> None:
        self.events.append(audit.EventDraft(actor, action, patient, detail=detail or None, at=at))

    def accounts_created(self, day: date) -> None:
        at = datetime.combine(day, time(8, 30), UTC)
        for offset, account in enumerate(self.accounts[1:], start=1):
            self.add(
                self.manager,
                "user.create",
                at + timedelta(minutes=offset),
                None,
                user=account.username,
            )

    def booked_only(self, patient_ids: Sequence[int], today: date) -> None:
        """Patients registered by reception who have not been seen yet."""
        reception = next(a for a in self.actors.values() if a.role == "reception")
        for patient in patient_ids:
            if patient not in self.registered:
                day = today - timedelta(days=self.rng.randint(0, 30))
                at = datetime.combine(day, time(self.rng.randint(9, 17)), UTC)
                self.add(reception, "patient.create", at, patient)

    def visit(
        self,
        planned: _Planned,
        consultation_id: int,
        row: dict[str, Any],
        quote: tuple[int, dict[str, Any]] | None,
    ) -> None:
        actor = self.actors[planned.practitioner]
        patient = row["patient_id"]
        at: datetime = row["created_at"]
        step = timedelta(minutes=1)
        self.add(actor, "patient.search", at - 9 * step, None, results=self.rng.randint(1, 4))
        if patient not in self.registered:
            self.registered.add(patient)
            self.add(actor, "patient.create", at - 8 * step, patient)
        self.add(actor, "patient.view", at - 7 * step, patient)
        self.add(actor, "consultation.create", at - 6 * step, patient, consultation=consultation_id)
        if planned.status == "draft":
            self.add(
                actor,
                "consultation.save_draft",
                at,
                patient,
                consultation=consultation_id,
                version=1,
            )
            return
        self.add(
            actor,
            "consultation.complete",
            at,
            patient,
            consultation=consultation_id,
            verdict=planned.verdict,
        )
        if quote is not None:
            self._quote(actor, patient, *quote)

    def _quote(self, actor: Actor, patient: int, quote_id: int, row: dict[str, Any]) -> None:
        at: datetime = row["created_at"] + timedelta(minutes=2)
        self.add(
            actor,
            "quote.create",
            at,
            patient,
            quote=quote_id,
            total=str(row["total"]),
            approval=row["approval"],
        )
        if row["approval"] in (lifecycle.APPROVED, lifecycle.REJECTED):
            verb = "approve" if row["approval"] == lifecycle.APPROVED else "reject"
            self.add(
                self.manager,
                f"quote.{verb}",
                at + timedelta(hours=3),
                patient,
                quote=quote_id,
                comment=row["approval_comment"],
            )
        status = row["status"]
        if status == "draft":
            return
        presented = at + timedelta(hours=4)
        self.add(
            actor,
            "quote.present",
            presented,
            patient,
            quote=quote_id,
            **{"from": "draft", "to": "presented"},
        )
        if status in ("accepted", "declined"):
            event = "accept" if status == "accepted" else "decline"
            self.add(
                actor,
                f"quote.{event}",
                presented + timedelta(days=self.rng.randint(1, 9)),
                patient,
                quote=quote_id,
                **{"from": "presented", "to": status},
            )
        elif status == "expired":
            expired = datetime.combine(row["valid_until"] + timedelta(days=1), time(7), UTC)
            self.add(self.manager, "quote.expire", expired, patient, quote=quote_id)


def _approval_comment(approval: str) -> str | None:
    if approval == lifecycle.APPROVED:
        return "Returning patient; discount agreed."
    if approval == lifecycle.REJECTED:
        return "Above what we can offer; please requote at the standard limit."
    return None


def _line_row(quote_id: int, position: int, line: Any) -> dict[str, Any]:
    return {
        "quote_id": quote_id,
        "position": position,
        "kind": line.kind,
        "item": line.item,
        "description": line.description,
        "unit_price": line.unit_price,
        "quantity": line.quantity,
        "amount": line.amount,
    }


def _at(day: date, rng: random.Random) -> datetime:
    """A time during opening hours on `day`, in UTC."""
    return datetime.combine(day, time(rng.randint(9, 17), rng.choice((0, 15, 30, 45))), UTC)
