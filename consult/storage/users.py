"""User accounts: the first manager, new accounts, signing in.

Passwords are stored only as argon2id hashes (argon2-cffi). No account exists until
the clinic creates one: a new database has no users, and the app's first start asks
for the first manager. Every sign-in, failed or not, is written to the audit trail.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.access import ROLES, Actor, require
from consult.errors import ConsultError, InvalidField
from consult.safe_text import check_text
from consult.storage import audit
from consult.storage.db import Database
from consult.storage.models import ClinicSettings as SettingsRow
from consult.storage.models import User

MIN_PASSWORD = 10
MAX_PASSWORD = 1024
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


@dataclass(frozen=True)
class UserRecord:
    id: int
    username: str
    full_name: str
    role: str
    active: bool
    created_at: datetime

    def actor(self, workstation: str) -> Actor:
        return Actor(self.id, self.username, self.role, workstation)


@cache
def _hasher() -> PasswordHasher:
    return PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the username is unknown, so a wrong name takes as long."""
    return _hasher().hash("not a real password, only for timing")


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher().hash(password)


def check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise InvalidField("password", f"must be at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise InvalidField("password", f"must be at most {MAX_PASSWORD} characters")


def normal_username(username: str) -> str:
    name = username.strip().lower()
    if not _USERNAME.match(name):
        raise InvalidField(
            "username",
            f'"{username}" must be 2 to 80 letters, digits, dots, dashes or underscores',
        )
    return name


def count_users(db: Database) -> int:
    """How many accounts exist; 0 means the app's first start."""
    with db.Session() as session:
        return session.scalar(select(func.count()).select_from(User)) or 0


def create_first_manager(
    db: Database, *, clinic_name: str, username: str, full_name: str, password: str
) -> UserRecord:
    """The clinic's first account, a manager, and the clinic's name; only on a new database."""
    from consult.storage.settings import validated_name

    name = validated_name(clinic_name)
    password_hash = hash_password(password)
    with db.Session.begin() as session:
        if session.scalar(select(func.count()).select_from(User)):
            raise ConsultError("this clinic already has accounts; sign in instead")
        user = _add(session, username, full_name, "manager", password_hash)
        settings = session.get(SettingsRow, 1)
        if settings is not None:
            settings.name = name
        actor = Actor(user.id, user.username, user.role, "setup")
        audit.record(session, actor, "user.create_first_manager", detail={"user": user.username})
        return _to_record(user)


def create_user(
    db: Database, actor: Actor, *, username: str, full_name: str, role: str, password: str
) -> UserRecord:
    require(actor, "users.manage")
    password_hash = hash_password(password)
    with db.Session.begin() as session:
        user = _add(session, username, full_name, role, password_hash)
        audit.record(
            session, actor, "user.create", detail={"user": user.username, "role": user.role}
        )
        return _to_record(user)


def list_users(db: Database, actor: Actor) -> list[UserRecord]:
    require(actor, "users.manage")
    with db.Session() as session:
        return [_to_record(user) for user in session.scalars(select(User).order_by(User.username))]


def practitioners(db: Database) -> list[UserRecord]:
    """Active practitioners and managers, for choosing who runs a consultation."""
    with db.Session() as session:
        users = session.scalars(
            select(User)
            .where(User.active.is_(True), User.role.in_(("practitioner", "manager")))
            .order_by(User.full_name)
        )
        return [_to_record(user) for user in users]


def authenticate(
    db: Database, username: str, password: str, *, workstation: str
) -> UserRecord | None:
    """The signed-in user, or None for a wrong username or password (audited either way)."""
    name = username.strip().lower()
    with db.Session.begin() as session:
        user = session.scalar(select(User).where(User.username == name)) if name else None
        ok = _verify(user.password_hash if user else _dummy_hash(), password)
        if ok and user is not None and user.active:
            if _hasher().check_needs_rehash(user.password_hash):
                user.password_hash = _hasher().hash(password)
            audit.record(session, _record_actor(user, workstation), "user.sign_in")
            return _to_record(user)
        who = Actor(user.id if user else None, name[:80] or "(blank)", "", workstation)
        reason = "inactive account" if ok and user is not None else "wrong username or password"
        audit.record(session, who, "user.sign_in", outcome="refused", detail={"reason": reason})
        return None


def _verify(password_hash: str, password: str) -> bool:
    if not isinstance(password, str) or not password or len(password) > MAX_PASSWORD:
        return False
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _record_actor(user: User, workstation: str) -> Actor:
    return Actor(user.id, user.username, user.role, workstation)


def _add(session: Session, username: str, full_name: str, role: str, password_hash: str) -> User:
    name = normal_username(username)
    full = " ".join(check_text(full_name, "full_name").split())
    if not full:
        raise InvalidField("full_name", "must not be empty")
    if len(full) > 200:
        raise InvalidField("full_name", "is longer than 200 characters")
    if role not in ROLES:
        raise InvalidField("role", f'"{role}" is not one of {", ".join(ROLES)}')
    if session.scalar(select(User.id).where(User.username == name)) is not None:
        raise InvalidField("username", f'"{name}" is already taken')
    user = User(
        username=name,
        full_name=full,
        role=role,
        password_hash=password_hash,
        active=True,
        created_at=datetime.now(UTC),
    )
    session.add(user)
    session.flush()
    return user


def _to_record(user: User) -> UserRecord:
    return UserRecord(
        user.id, user.username, user.full_name, user.role, user.active, user.created_at
    )
