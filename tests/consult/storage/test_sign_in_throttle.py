"""Throttled sign-in and the password policy, on each engine under test.

Five wrong passwords in a row lock an account for five minutes; the lock runs out by
itself (moved into the past here, no waiting) or a manager lifts it sooner. Every
wrong password, the lock and each refusal while locked are in the audit trail.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from consult.access import Actor
from consult.app.demo import random_password
from consult.errors import InvalidField, PermissionDenied
from consult.protection import passwords
from consult.storage import Database, user_admin, users
from consult.storage.models import AuditEvent, User

PASSWORD = "correct horse battery"  # the fixtures' accounts' password
MIGRATION = "0004"  # migrations/versions/0004_sign_in_throttle.py's revision
LOCKED = (
    "account pia is locked after 5 wrong passwords in a row: "
    "try again in 5 minutes, or ask a manager to unlock it"
)


def sign_in(db: Database, password: str, username: str = "pia") -> users.UserRecord | None:
    return users.authenticate(db, username, password, workstation="seat 4")


def fail(db: Database, times: int, username: str = "pia") -> None:
    for _ in range(times):
        assert sign_in(db, "not the password", username) is None


def events(db: Database, *actions: str) -> list[tuple[str, str, str]]:
    with db.Session() as session:
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.outcome, AuditEvent.detail)
            .where(AuditEvent.action.in_(actions))
            .order_by(AuditEvent.id)
        )
        return [
            (action, outcome, json.loads(detail).get("reason", ""))
            for action, outcome, detail in rows
        ]


def run_out_the_lock(db: Database, username: str = "pia") -> None:
    """The lock's five minutes have passed (as if the clock had moved on)."""
    with db.Session.begin() as session:
        session.execute(
            update(User)
            .where(User.username == username)
            .values(locked_until=datetime.now(UTC) - timedelta(seconds=1))
        )


def test_the_fifth_wrong_password_locks_the_account_even_against_the_right_one(
    db: Database, practitioner: Actor
):
    fail(db, 4)
    with pytest.raises(users.AccountLocked) as fifth:
        sign_in(db, "still not the password")
    assert str(fifth.value) == LOCKED
    with pytest.raises(users.AccountLocked) as right:
        sign_in(db, PASSWORD)
    assert str(right.value) == LOCKED
    assert events(db, "user.sign_in", "user.lock")[-7:] == [
        *[("user.sign_in", "refused", "wrong username or password")] * 5,
        ("user.lock", "denied", ""),
        ("user.sign_in", "denied", "account locked"),
    ]


def test_the_lock_always_runs_out_and_the_account_signs_in_again(
    db: Database, practitioner: Actor
):
    fail(db, 4)
    with pytest.raises(users.AccountLocked):
        sign_in(db, "wrong again")
    run_out_the_lock(db)
    signed_in = sign_in(db, PASSWORD)
    assert signed_in is not None and signed_in.locked_until is None
    fail(db, 4)  # the count started again: four more do not lock it
    assert sign_in(db, PASSWORD) is not None


def test_the_only_manager_is_locked_for_minutes_never_for_good(db: Database, manager: Actor):
    fail(db, 4, "mara")
    with pytest.raises(users.AccountLocked) as locked:
        sign_in(db, "wrong", "mara")
    assert timedelta(minutes=4) < locked.value.until - datetime.now(UTC) <= users.LOCK_TIME
    run_out_the_lock(db, "mara")
    assert sign_in(db, PASSWORD, "mara") is not None


def test_a_right_password_clears_the_wrong_ones_before_it(db: Database, practitioner: Actor):
    fail(db, 4)
    assert sign_in(db, PASSWORD) is not None
    fail(db, 4)
    assert sign_in(db, PASSWORD) is not None


def test_a_manager_unlocks_sooner_and_it_is_audited(
    db: Database, manager: Actor, practitioner: Actor, reception: Actor
):
    fail(db, 5 - 1)
    with pytest.raises(users.AccountLocked):
        sign_in(db, "wrong")
    with pytest.raises(PermissionDenied):
        user_admin.unlock(db, reception, practitioner.user_id)
    record = user_admin.unlock(db, manager, practitioner.user_id)
    assert record.locked_until is None
    assert sign_in(db, PASSWORD) is not None
    assert events(db, "user.unlock") == [("user.unlock", "ok", "")]


def test_a_password_reset_lifts_the_lock(db: Database, manager: Actor, practitioner: Actor):
    fail(db, 4)
    with pytest.raises(users.AccountLocked):
        sign_in(db, "wrong")
    new = "a brand new passphrase"
    user_admin.reset_password(
        db, manager, practitioner.user_id, password=new, password_repeat=new
    )
    assert sign_in(db, new) is not None


def test_unknown_usernames_lock_nothing(db: Database, practitioner: Actor):
    fail(db, 7, "nobody")
    assert sign_in(db, PASSWORD) is not None


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("password12", "is one of the most common passwords"),
        ("Dragon2024!!", "is one of the most common passwords"),
        ("qwertyuiop", "is one of the most common passwords"),
        (" " * 10, "must not be only spaces"),
        ("x" * 12, "must not be one character repeated"),
        ("nine char", "must be at least 10 characters"),
    ],
)
def test_a_weak_password_is_refused_wherever_one_is_set(
    db: Database, manager: Actor, practitioner: Actor, password: str, problem: str
):
    attempts = [
        lambda: users.create_user(
            db, manager, username="otto", full_name="Otto", role="practitioner",
            password=password,
        ),
        lambda: user_admin.add_account(
            db, manager, username="otto", full_name="Otto", role="practitioner",
            password=password, password_repeat=password,
        ),
        lambda: user_admin.reset_password(
            db, manager, practitioner.user_id, password=password, password_repeat=password
        ),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidField) as caught:
            attempt()
        assert caught.value.field == "password"
        assert caught.value.problem.startswith(problem)
    assert [user.username for user in users.list_users(db, manager)] == ["mara", "pia"]
    assert sign_in(db, PASSWORD) is not None


def test_the_first_manager_needs_a_good_password_too(db: Database):
    with pytest.raises(InvalidField, match=r"^password: is one of the most common passwords"):
        users.create_first_manager(
            db, clinic_name="C", username="mara", full_name="Mara", password="password12"
        )
    assert users.count_users(db) == 0


def test_no_composition_rules_any_long_uncommon_phrase_will_do():
    for password in ("correct horse battery", "zq7!kx9$@2", "мой пароль длинный", "١٢٣٤٥ كلمة سر"):
        assert passwords.password_problem(password) is None


def test_the_shipped_list_is_large_and_the_demo_passwords_pass_it():
    assert len(passwords.common_passwords()) >= 10_000
    assert {"password", "123456", "qwerty", "dragon"} <= passwords.common_passwords()
    assert all(passwords.password_problem(random_password()) is None for _ in range(50))


def test_migration_0004_adds_the_columns_to_existing_accounts_and_comes_back_off(
    db: Database, practitioner: Actor
):
    from alembic import command
    from alembic.script import ScriptDirectory
    from sqlalchemy import inspect

    from consult.storage import db as dbmod

    def columns() -> set[str]:
        with db.engine.connect() as connection:
            return {column["name"] for column in inspect(connection).get_columns("users")}

    config = dbmod.alembic_config()
    before = ScriptDirectory.from_config(config).get_revision(MIGRATION).down_revision
    with db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, before)
    assert {"failed_sign_ins", "locked_until"}.isdisjoint(columns())

    dbmod.upgrade(db.engine, target=MIGRATION, administrator=True)

    assert {"failed_sign_ins", "locked_until"} <= columns()
    with db.Session() as session:
        assert session.execute(select(User.failed_sign_ins, User.locked_until)).all() == [
            (0, None), (0, None)
        ]
    dbmod.upgrade(db.engine, administrator=True)  # the later revisions, then sign in
    assert sign_in(db, PASSWORD) is not None
