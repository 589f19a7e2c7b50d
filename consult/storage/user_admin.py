"""Managing the clinic's accounts: add, deactivate, reactivate, reset a password, unlock.

Every function needs `users.manage` and writes its audit event in the same
transaction as the change. Accounts are never deleted (the audit trail names them);
a deactivated account simply cannot sign in. Two rules keep the clinic manageable:
nobody deactivates their own account, and the last active manager stays active.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from consult.access import Actor, require
from consult.errors import ConsultError, InvalidField
from consult.records import UserRecord
from consult.storage import audit, users
from consult.storage.db import Database
from consult.storage.locking import flush_or_stale
from consult.storage.models import User


def list_accounts(db: Database, actor: Actor) -> list[UserRecord]:
    """Every account, active or not, by username."""
    return users.list_users(db, actor)


def check_repeated(password: str, repeated: str) -> None:
    """The password typed twice must match; its length rules are users.check_password's."""
    users.check_password(password)
    if password != repeated:
        raise InvalidField("password_repeat", "does not match the password")


def add_account(
    db: Database,
    actor: Actor,
    *,
    username: str,
    full_name: str,
    role: str,
    password: str,
    password_repeat: str,
) -> UserRecord:
    require(actor, "users.manage")
    check_repeated(password, password_repeat)
    return users.create_user(
        db, actor, username=username, full_name=full_name, role=role, password=password
    )


def set_active(db: Database, actor: Actor, user_id: int, active: bool) -> UserRecord:
    """Deactivate or reactivate an account (never your own, never the last manager)."""
    require(actor, "users.manage")
    if user_id == actor.user_id and not active:
        raise ConsultError("you cannot deactivate your own account; ask another manager")
    with db.Session.begin() as session:
        user = _load(session, user_id)
        if user.active == active:
            return _record(user)
        if not active and user.role == "manager":
            _keep_one_manager(session, user)
        user.active = active
        flush_or_stale(session, f"account {user.username}")
        action = "user.reactivate" if active else "user.deactivate"
        audit.record(session, actor, action, detail={"user": user.username})
        return _record(user)


def reset_password(
    db: Database, actor: Actor, user_id: int, *, password: str, password_repeat: str
) -> UserRecord:
    """Give an account a new password, e.g. when its owner has forgotten theirs."""
    require(actor, "users.manage")
    check_repeated(password, password_repeat)
    new_hash = users.hash_password(password)
    with db.Session.begin() as session:
        user = _load(session, user_id)
        user.password_hash = new_hash
        # A new password is a fresh start: the wrong guesses at the old one no longer count.
        user.failed_sign_ins = 0
        user.locked_until = None
        flush_or_stale(session, f"account {user.username}")
        audit.record(session, actor, "user.reset_password", detail={"user": user.username})
        return _record(user)


def unlock(db: Database, actor: Actor, user_id: int) -> UserRecord:
    """Lift a sign-in lock before it runs out (and forget the wrong passwords so far)."""
    require(actor, "users.manage")
    with db.Session.begin() as session:
        user = _load(session, user_id)
        was_locked_until = user.locked_until
        if was_locked_until is None and not user.failed_sign_ins:
            return _record(user)
        user.failed_sign_ins = 0
        user.locked_until = None
        flush_or_stale(session, f"account {user.username}")
        detail = {"user": user.username}
        if was_locked_until is not None:
            detail["was_locked_until"] = was_locked_until.isoformat()
        audit.record(session, actor, "user.unlock", detail=detail)
        return _record(user)


def _keep_one_manager(session: Session, leaving: User) -> None:
    # Row locks on the active managers (PostgreSQL; SQLite already holds the database's
    # write lock) so two managers deactivating each other at once cannot both succeed.
    others = session.scalars(
        select(User.id)
        .where(User.role == "manager", User.active.is_(True), User.id != leaving.id)
        .with_for_update()
    ).all()
    if not others:
        raise ConsultError(
            f"{leaving.username} is the last active manager; "
            "add or reactivate another manager before deactivating this one"
        )


def _load(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise ConsultError(f"account {user_id} does not exist")
    return user


def _record(user: User) -> UserRecord:
    return UserRecord(
        user.id, user.username, user.full_name, user.role, user.active, user.created_at,
        user.locked_until,
    )
