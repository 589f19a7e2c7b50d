"""A set-up clinic and a signed-in practitioner for the signing tests."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from consult.access import Actor
from consult.clinic.settings import ClinicSettings
from consult.records import UserRecord
from consult.services.acting import SignedIn
from consult.storage import settings as settings_repo
from consult.storage.db import Database
from tests.helpers.templates import copy_of_new_database


def set_up_clinic(db: Database, manager: Actor) -> None:
    """Give the clinic the real details sealing needs (name, address, phone, time zone)."""
    stored = settings_repo.get_settings(db)
    real = replace(
        stored.pricing,
        name="Clínica Aurora",
        address="12 Rua das Flores, Lisboa",
        phone="+351 21 000 0000",
        time_zone="Europe/Lisbon",
    )
    settings_repo.update_settings(db, manager, real, stored.version)


@pytest.fixture
def clinic(db: Database, manager: Actor) -> Database:
    """The test's clinic database, set up (so documents can be sealed)."""
    set_up_clinic(db, manager)
    return db


@pytest.fixture
def pia(clinic: Database, practitioner: Actor) -> SignedIn:
    """The set-up clinic's practitioner, signed in."""
    return signed_in(clinic, practitioner, "Pia")


def signed_in(db: Database, actor: Actor, full_name: str) -> SignedIn:
    return SignedIn(db, actor, full_name)


def signed(db: Database, who: Actor | UserRecord, full_name: str | None = None) -> SignedIn:
    """The acting user for a service call, from an account record or an actor."""
    if isinstance(who, UserRecord):
        return SignedIn(db, who.actor("test-workstation"), full_name or who.full_name)
    return SignedIn(db, who, full_name or who.username.title())


# A clinic as the first start sets it up: real details, so documents can be sealed.
SET_UP_CLINIC = ClinicSettings(
    name="Harbour Skin Clinic",
    address="4 Quay Street, Portsmouth PO1 2AB",
    phone="+44 23 9200 0000",
    email="hello@harbourskin.example",
    currency="USD",
    locale="en_US",
    time_zone="Europe/London",
)


PRACTITIONER_PASSWORD = "a long practitioner phrase"


def clinic_for_the_command_line(
    monkeypatch: pytest.MonkeyPatch, role: str = "practitioner"
) -> Database:
    """The default clinic database set up, with an account signed in through the env.

    The command line then finds it (CONSULT_DATA_DIR is the test's data folder) and signs
    in as `pia` with CONSULT_USER / CONSULT_PASSWORD, as a clinic's script would.
    """
    from consult.app import paths
    from consult.storage import users

    copy_of_new_database(paths.default_database_url())
    db = Database.open(None)
    manager = users.create_first_manager(
        db,
        clinic_name=SET_UP_CLINIC.name,
        username="mara",
        full_name="Mara Quinn",
        password="a long manager phrase",
        clinic=SET_UP_CLINIC,
    )
    users.create_user(
        db,
        manager.actor("test"),
        username="pia",
        full_name="Pia Lindqvist",
        role=role,
        password=PRACTITIONER_PASSWORD,
    )
    monkeypatch.setenv("CONSULT_USER", "pia")
    monkeypatch.setenv("CONSULT_PASSWORD", PRACTITIONER_PASSWORD)
    return db


def with_consent(example: Path, folder: Path, **extra: object) -> Path:
    """A copy of a spec example with the patient's consent answers (and `extra` keys)."""
    document = json.loads(example.read_text(encoding="utf-8"))
    document["consent"] = {"photography": True, "marketing": False}
    document.update(extra)
    target = folder / example.name
    target.write_text(json.dumps(document), encoding="utf-8")
    return target
