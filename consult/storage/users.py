"""User accounts: the first manager, new accounts, signing in.

Passwords are stored only as argon2id hashes (argon2-cffi). No account exists until
the clinic creates one: a new database has no users, and the app's first start asks
for the first manager. Every sign-in, failed or not, is written to the audit trail.

Throttling: after MAX_FAILED_SIGN_INS wrong passwords in a row an account refuses to
sign in for LOCK_TIME, whether the password then typed is right or not (`authenticate`
raises AccountLocked, one line for the app and the command line alike). The lock
always expires by itself, so the clinic's only manager can never be shut out for good;
a manager can lift it sooner (consult.storage.user_admin.unlock). Each wrong password
is audited as a refused sign-in, the lock as `user.lock` and each attempt on a locked
account as a sign-in with the outcome "denied".
"""

from __future__ import annotations

import re
from dataclasses import fields
from datetime import UTC, datetime, timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consult.access import ROLES, Actor, require
from consult.clinic.settings import ClinicSettings
from consult.errors import ConsultError, InvalidField
from consult.protection import passwords
from consult.protection.passwords import MAX_PASSWORD, check_new_password
from consult.protection.safe_text import CONTROL_CHARACTERS, check_text
from consult.records import UserRecord
from consult.storage import audit
from consult.storage.db import Database
from consult.storage.models import ClinicSettings as SettingsRow
from consult.storage.models import User

MIN_PASSWORD = passwords.MIN_PASSWORD  # the account screens' hint reads it here
MAX_FAILED_SIGN_INS = 5
LOCK_TIME = timedelta(minutes=5)
_USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,79}$")


class AccountLocked(ConsultError):
    """Sign-in refused: too many wrong passwords in a row, for a few minutes."""

    def __init__(self, username: str, until: datetime, now: datetime) -> None:
        self.username = username
        self.until = until
        minutes = max(1, -(-int((until - now).total_seconds()) // 60))  # rounded up
        wait = f"{minutes} minute{'' if minutes == 1 else 's'}"
        super().__init__(
            f"account {username} is locked after {MAX_FAILED_SIGN_INS} wrong passwords "
            f"in a row: try again in {wait}, or ask a manager to unlock it"
        )


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
    """The policy for a new password (consult.protection.passwords: NIST SP 800-63B)."""
    check_new_password(password)


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
    db: Database,
    *,
    clinic_name: str,
    username: str,
    full_name: str,
    password: str,
    clinic: ClinicSettings | None = None,
) -> UserRecord:
    """The clinic's first account, a manager, and the clinic's details; only on a new database.

    `clinic` is the whole set-up (name, address, phone, currency, time zone, locale);
    without it only the name is set, as before the set-up asked for more.
    """
    from consult.storage.settings import validated_name

    name = validated_name(clinic_name)
    password_hash = hash_password(password)
    with db.Session.begin() as session:
        if session.scalar(select(func.count()).select_from(User)):
            raise ConsultError("this clinic already has accounts; sign in instead")
        user = _add(session, username, full_name, "manager", password_hash)
        settings = session.get(SettingsRow, 1)
        if settings is not None:
            if clinic is not None:
                for key in (f.name for f in fields(ClinicSettings)):
                    setattr(settings, key, getattr(clinic, key))
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


def current_role(db: Database, user_id: int | None) -> str | None:
    """The account's role as stored now; None when it is unknown or deactivated."""
    if user_id is None:
        return None
    with db.Session() as session:
        row = session.execute(select(User.role, User.active).where(User.id == user_id)).first()
    if row is None or not row.active:
        return None
    return str(row.role)


def authenticate(
    db: Database, username: str, password: str, *, workstation: str
) -> UserRecord | None:
    """The signed-in user, or None for a wrong username or password (audited either way).

    Raises AccountLocked, after auditing the refusal, when the account is locked or
    this wrong password is the one that locks it.
    """
    # A control character typed or pasted into the name (no username holds one) is kept
    # visible as U+FFFD in the refused attempt's record: PostgreSQL takes no NUL.
    name = CONTROL_CHARACTERS.sub("\ufffd", username.strip().lower())
    with db.Session.begin() as session:
        answer = _attempt(session, name, password, workstation, datetime.now(UTC))
    # Raised only now, once the audit events of the refusal are committed.
    if isinstance(answer, AccountLocked):
        raise answer
    return answer


def _attempt(
    session: Session, name: str, password: str, workstation: str, now: datetime
) -> UserRecord | AccountLocked | None:
    # FOR UPDATE: two workstations failing at once both count (PostgreSQL; SQLite holds
    # the database's write lock for the whole transaction already).
    user = (
        session.scalar(select(User).where(User.username == name).with_for_update())
        if name
        else None
    )
    if user is not None and user.locked_until is not None and user.locked_until > now:
        # Not even checked: a locked account tells nobody whether a guess was right.
        audit.record(
            session, _record_actor(user, workstation), "user.sign_in", outcome="denied",
            detail={"reason": "account locked", "until": user.locked_until.isoformat()},
        )
        return AccountLocked(user.username, user.locked_until, now)
    ok = _verify(user.password_hash if user else _dummy_hash(), password)
    if ok and user is not None and user.active:
        _clear_failures(user)
        if _hasher().check_needs_rehash(user.password_hash):
            user.password_hash = _hasher().hash(password)
        audit.record(session, _record_actor(user, workstation), "user.sign_in")
        return _to_record(user)
    who = Actor(user.id if user else None, name[:80] or "(blank)", "", workstation)
    reason = "inactive account" if ok and user is not None else "wrong username or password"
    detail: dict[str, object] = {"reason": reason}
    if user is not None and not ok:
        user.failed_sign_ins += 1
        detail["failures_in_a_row"] = user.failed_sign_ins
    audit.record(session, who, "user.sign_in", outcome="refused", detail=detail)
    if user is not None and user.failed_sign_ins >= MAX_FAILED_SIGN_INS:
        return _lock(session, user, who, now)
    return None


def _lock(session: Session, user: User, who: Actor, now: datetime) -> AccountLocked:
    user.locked_until = now + LOCK_TIME
    user.failed_sign_ins = 0  # once the lock runs out, the next lock takes five more
    audit.record(
        session, who, "user.lock", outcome="denied",
        detail={"user": user.username, "failures_in_a_row": MAX_FAILED_SIGN_INS,
                "until": user.locked_until.isoformat()},
    )
    return AccountLocked(user.username, user.locked_until, now)


def _clear_failures(user: User) -> None:
    # Assigned only when they change: an UPDATE on every sign-in would bump the row's
    # version for nothing.
    if user.failed_sign_ins:
        user.failed_sign_ins = 0
    if user.locked_until is not None:
        user.locked_until = None


def verify_password(password_hash: str, password: str) -> bool:
    """Whether `password` matches the Argon2 hash (a backup's account, for a restore)."""
    return _verify(password_hash, password)


def _verify(password_hash: str, password: str) -> bool:
    if not isinstance(password, str) or not password or len(password) > MAX_PASSWORD:
        return False
    try:
        with passwords.checking_clock():
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
        user.id, user.username, user.full_name, user.role, user.active, user.created_at,
        user.locked_until,
    )
