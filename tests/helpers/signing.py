"""A set-up clinic and a signed-in practitioner for the signing tests."""

from __future__ import annotations

from dataclasses import replace

from consult.access import Actor
from consult.services.acting import SignedIn
from consult.storage import settings as settings_repo
from consult.storage.db import Database


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


def signed_in(db: Database, actor: Actor, full_name: str) -> SignedIn:
    return SignedIn(db, actor, full_name)
