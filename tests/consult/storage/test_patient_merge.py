"""Duplicate patients: found before a second record is made; merged by a manager."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from consult.access import Actor
from consult.clinical.fileformat import AreaRequest, Consultation, Patient
from consult.errors import ConsultError, PermissionDenied, StaleRecord
from consult.pricing.options import QuoteOptions
from consult.pricing.quote import build_quote
from consult.storage import Database, consents, consultations, patients, prices, quotes
from consult.storage.models import AuditEvent
from consult.storage.settings import get_settings

PDF = b"%PDF-1.7\n% signed by Ana Souza\n%%EOF\n"
DAY = date(2026, 11, 20)


def test_a_same_name_and_birth_date_is_found_whatever_the_accents(
    db: Database, reception: Actor, ana: Patient
):
    first = patients.create_patient(db, reception, ana)
    patients.create_patient(db, reception, replace(ana, date_of_birth=date(1990, 1, 1)))
    found = patients.find_duplicates(db, reception, "  ANA   SÓUZA ", ana.date_of_birth)
    assert [record.id for record in found] == [first.id]
    assert patients.find_duplicates(db, reception, "Ana Souza-Lima", ana.date_of_birth) == []


def _records_of(db: Database, practitioner: Actor, patient: Patient, patient_id: int) -> int:
    """A consultation with a history, a quote and a signed consent for the patient."""
    visit = Consultation(DAY, patient, "microneedling", (AreaRequest("cheeks", ("acne_scars",)),))
    consultation = consultations.create_draft(db, practitioner, patient_id, visit)
    priced = build_quote(visit, prices.current_price_list(db), get_settings(db).pricing,
                         QuoteOptions())
    quotes.save_quote(db, practitioner, consultation.id, priced)
    consents.store(db, practitioner, consultation.id, "consent", PDF,
                   signed_at=datetime(2026, 11, 20, 15, 0, tzinfo=UTC),
                   patient_signed_name=patient.name)
    return consultation.id


def test_a_manager_merges_two_records_and_everything_moves(
    db: Database, manager: Actor, practitioner: Actor, ana: Patient
):
    keep = patients.create_patient(db, practitioner, ana)
    typo = replace(ana, name="Ana Sousa")
    extra = patients.create_patient(db, practitioner, typo)
    _records_of(db, practitioner, ana, keep.id)
    _records_of(db, practitioner, typo, extra.id)

    result = patients.merge_patients(manager, db, keep.id, extra.id,
                                     keep_version=keep.version, remove_version=extra.version)

    assert result.moved == {"consultations": 1, "quotes": 1, "consent_records": 1}
    assert result.kept.version == keep.version + 1
    assert len(consultations.list_for_patient(db, manager, keep.id)) == 2
    assert len(quotes.list_for_patient(db, manager, keep.id)) == 2
    signed = consents.list_for_patient(db, manager, keep.id)
    assert len(signed) == 2
    # The signed PDF keeps the name it was signed with, byte for byte.
    assert all(consents.get_pdf(db, manager, record.id) == PDF for record in signed)
    assert sorted(record.patient_signed_name for record in signed) == ["Ana Sousa", "Ana Souza"]
    with pytest.raises(ConsultError, match=r"does not exist"):
        patients.get_patient(db, manager, extra.id)
    assert [p.id for p in patients.search_patients(db, manager, "sousa")] == []
    with db.Session() as session:
        merges = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "patient.merge")
        ).all()
    assert sorted(event.patient_id for event in merges) == sorted([keep.id, extra.id])
    assert all(event.username == "mara" for event in merges)


def test_only_a_manager_may_merge_and_a_refusal_is_audited(
    db: Database, practitioner: Actor, reception: Actor, ana: Patient
):
    one = patients.create_patient(db, reception, ana)
    two = patients.create_patient(db, reception, ana)
    for actor in (practitioner, reception):
        with pytest.raises(PermissionDenied):
            patients.merge_patients(actor, db, one.id, two.id, keep_version=1, remove_version=1)
    with db.Session() as session:
        denied = session.scalars(
            select(AuditEvent).where(AuditEvent.outcome == "denied")
        ).all()
    assert [(e.username, e.action) for e in denied] == [
        ("pia", "patient.merge"), ("rita", "patient.merge")]
    assert len(patients.find_duplicates(db, reception, ana.name, ana.date_of_birth)) == 2


def test_a_merge_of_a_record_changed_since_it_was_shown_is_refused(
    db: Database, manager: Actor, ana: Patient
):
    one = patients.create_patient(db, manager, ana)
    two = patients.create_patient(db, manager, ana)
    patients.update_patient(db, manager, two.id, two.version, replace(ana, phone="+1 555 0199"))
    with pytest.raises(StaleRecord):
        patients.merge_patients(manager, db, one.id, two.id,
                                keep_version=one.version, remove_version=two.version)
    with pytest.raises(ConsultError, match=r"itself"):
        patients.merge_patients(manager, db, one.id, one.id,
                                keep_version=one.version, remove_version=one.version)
    assert patients.get_patient(db, manager, two.id).phone == "+1 555 0199"


def test_0006_indexes_the_patients_already_registered(
    db: Database, reception: Actor, ana: Patient
):
    """An existing clinic upgraded to 0006 finds its patients by any part of a name."""
    from alembic import command

    from consult.storage import db as dbmod

    def migrate(step) -> None:
        config = dbmod.alembic_config()
        with db.engine.begin() as connection:
            config.attributes["connection"] = connection
            step(config)

    migrate(lambda config: command.downgrade(config, "0003"))
    with db.engine.begin() as connection:  # a patient registered before 0006
        connection.exec_driver_sql(
            "INSERT INTO patients (name, date_of_birth, search_key, created_at, updated_at,"
            " version) VALUES ('Grace Thompson-Okafor', '1984-03-03',"
            " ' grace thompson-okafor', '2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"
        )
    dbmod.upgrade(db.engine, administrator=True)  # as a workstation's start would
    assert [p.name for p in patients.search_patients(db, reception, "okafor")] == [
        "Grace Thompson-Okafor"
    ]
    assert [p.name for p in patients.search_patients(db, reception, "ok")] == [
        "Grace Thompson-Okafor"
    ]
