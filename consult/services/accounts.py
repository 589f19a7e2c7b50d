"""Accounts: the clinic's first set-up, signing in, and the manager's account admin."""

from __future__ import annotations

from typing import TYPE_CHECKING

from consult.access import Actor, workstation_name
from consult.clinic.settings import ClinicSettings
from consult.errors import ConsultError
from consult.records import UserRecord
from consult.services.acting import SignedIn, use_case
from consult.storage import user_admin, users

if TYPE_CHECKING:
    from consult.storage.db import Database

SIGN_IN_REFUSED = "wrong username or password"
MIN_PASSWORD = users.MIN_PASSWORD


def needs_first_manager(database: Database) -> bool:
    """True on a new clinic database: the first start sets the clinic up."""
    return users.count_users(database) == 0


def set_up_clinic(
    database: Database,
    clinic: ClinicSettings,
    *,
    username: str,
    full_name: str,
    password: str,
    workstation: str | None = None,
) -> SignedIn:
    """The first start: the clinic's details and its first manager, who is then signed in."""
    record = users.create_first_manager(
        database,
        clinic_name=clinic.name,
        username=username,
        full_name=full_name,
        password=password,
        clinic=clinic,
    )
    return _signed_in(database, record, workstation)


def sign_in(
    database: Database, username: str, password: str, *, workstation: str | None = None
) -> SignedIn:
    """The account signed in at this workstation; a wrong name or password is refused."""
    seat = workstation or workstation_name()
    record = users.authenticate(database, username, password, workstation=seat)
    if record is None:
        raise ConsultError(SIGN_IN_REFUSED)
    return _signed_in(database, record, seat)


def _signed_in(database: Database, record: UserRecord, workstation: str | None) -> SignedIn:
    actor = Actor(record.id, record.username, record.role, workstation or workstation_name())
    return SignedIn(database, actor, record.full_name)


@use_case("accounts.list")
def list_accounts(user: SignedIn) -> tuple[UserRecord, ...]:
    return tuple(user_admin.list_accounts(user.database, user.actor))


@use_case("accounts.add")
def add_account(
    user: SignedIn,
    *,
    username: str,
    full_name: str,
    role: str,
    password: str,
    password_repeat: str,
) -> UserRecord:
    return user_admin.add_account(
        user.database,
        user.actor,
        username=username,
        full_name=full_name,
        role=role,
        password=password,
        password_repeat=password_repeat,
    )


@use_case("accounts.set_active")
def set_active(user: SignedIn, user_id: int, active: bool) -> UserRecord:
    return user_admin.set_active(user.database, user.actor, user_id, active)


@use_case("accounts.reset_password")
def reset_password(
    user: SignedIn, user_id: int, *, password: str, password_repeat: str
) -> UserRecord:
    return user_admin.reset_password(
        user.database, user.actor, user_id, password=password, password_repeat=password_repeat
    )


@use_case("accounts.unlock")
def unlock(user: SignedIn, user_id: int) -> UserRecord:
    """Lift a sign-in lock (after too many wrong passwords) before it runs out."""
    return user_admin.unlock(user.database, user.actor, user_id)
