"""The demo generator on every engine: states covered, ids continue after it."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from consult.access import Actor
from consult.app.demo import SHOWCASE, build_demo
from consult.clinical.fileformat import Patient as FilePatient
from consult.storage import Database, audit, patients, users
from consult.storage.audit_queries import AuditFilter, AuditQueries
from consult.storage.models import AuditEvent, Patient
from consult.storage.models.clinical import Consultation, Quote


def test_the_demo_covers_every_quote_state_on_this_engine(db: Database):
    summary = build_demo(db, patients=20, seed=3, today=date(2026, 11, 20))

    with db.Session() as session:
        pairs = set(session.execute(select(Quote.status, Quote.approval).distinct()).all())
        stored = session.scalar(select(func.count()).select_from(Patient))
    assert set(SHOWCASE) <= pairs
    assert stored == summary.patients == 20
    assert audit.verify_chain(db) == []


def test_new_rows_after_the_demo_get_fresh_ids(db: Database):
    summary = build_demo(db, patients=5, seed=3)
    manager = next(a for a in summary.accounts if a.role == "manager")
    signed_in = users.authenticate(db, manager.username, manager.password, workstation="t")
    assert signed_in is not None
    actor: Actor = signed_in.actor("t")

    added = patients.create_patient(db, actor, FilePatient("New Patient", date(1990, 1, 1)))

    assert added.id == 6


def test_demo_email_addresses_are_well_formed(db: Database):
    build_demo(db, patients=300, seed=7)
    with db.Session() as session:
        emails = session.scalars(select(Patient.email).where(Patient.email.is_not(None))).all()
    assert emails
    malformed = [e for e in emails if " " in e or not e.isascii() or e.count("@") != 1]
    assert malformed == []


def test_the_demo_clinic_has_a_sealed_history_in_its_audit_trail(db: Database):
    summary = build_demo(db, patients=40, seed=3, today=date(2026, 11, 20))

    with db.Session() as session:
        events = session.execute(
            select(AuditEvent.action, AuditEvent.username, AuditEvent.patient_id, AuditEvent.at)
        ).all()
        patient_ids = set(session.scalars(select(Patient.id)))
        completed = session.scalar(
            select(func.count()).select_from(Consultation).where(Consultation.status == "completed")
        )
    actions = Counter(action for action, *_ in events)
    # What a practitioner's day writes: finding, opening, signing and pricing.
    for action in ("patient.search", "patient.view", "patient.create", "consultation.create",
                   "consultation.save_draft", "consultation.complete", "quote.create",
                   "quote.present", "quote.accept", "quote.decline", "quote.expire",
                   "quote.approve", "quote.reject", "user.create"):  # fmt: skip
        assert actions[action] >= 1, action
    assert actions["patient.create"] == summary.patients
    assert actions["consultation.complete"] == completed
    assert {name for _, name, _, _ in events} >= {a.username for a in summary.accounts}
    assert {patient for *_, patient, _ in events if patient is not None} == patient_ids
    assert min(at for *_, at in events).date() < date(2026, 1, 1)  # a past, not one moment
    report = audit.verify_trail(db)
    assert report.intact and report.events == len(events)


def test_the_demo_history_shows_in_the_managers_audit_viewer(db: Database):
    summary = build_demo(db, patients=20, seed=3, today=date(2026, 11, 20))
    manager = next(a for a in summary.accounts if a.role == "manager")
    signed_in = users.authenticate(db, manager.username, manager.password, workstation="t")
    assert signed_in is not None

    listing = AuditQueries(db, signed_in.actor("t")).listing(AuditFilter(action="quote.approve"))

    assert listing.total >= 1
    assert all(row.username == "manager" and row.patient_name for row in listing.rows)
