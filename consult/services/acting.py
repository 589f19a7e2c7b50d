"""Who acts, and the gate every use case passes through.

A service function is one user action. Its first argument is the `SignedIn` user: the
account that signed in at this workstation and the clinic database it signed in to.
`@use_case` puts the permission check in front of the action:

- the permission comes from the one declared table, resources/roles.toml `[actions]`
  (action name → permission), never from the caller;
- the role is read again from the database, so an account deactivated or changed by a
  manager on another workstation stops at its next action instead of acting on a role
  it was handed at sign-in ("stale session");
- every refusal, by role, by a deactivated account or by a permission check deeper in
  the core, is written to the audit trail with the outcome "denied" in a transaction
  of its own (the refused action's own transaction has rolled back), then raised.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Concatenate, ParamSpec, TypeVar

from consult import data
from consult.access import Actor, role_label
from consult.errors import PermissionDenied

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from consult.storage.db import Database

P = ParamSpec("P")
R = TypeVar("R")

# Every use case registered by @use_case: "module.function" -> the gated function.
USE_CASES: dict[str, Callable[..., object]] = {}
# Service functions that run before anyone is signed in (they take no acting user).
ENTRY_POINTS = frozenset(
    {
        "consult.services.accounts.sign_in",
        "consult.services.accounts.needs_first_manager",
        "consult.services.accounts.set_up_clinic",
        "consult.services.opening.open_clinic",
        "consult.services.protection.restore_as_backup_account",
        "consult.services.opening.open_existing_clinic",
        "consult.services.opening.audit_key_missing",
        "consult.services.opening.clinic_pricing",
        "consult.services.opening.build_demo_clinic",
        "consult.services.opening.migrate_database",
        "consult.services.audit_trail.install_key",
        "consult.services.opening.database_label",
        "consult.services.opening.database_file_label",
        "consult.services.opening.needs_passphrase",
        "consult.services.opening.clinic_on_start",
    }
)


@dataclass(frozen=True, eq=False)
class SignedIn:
    """The acting user: a signed-in account of one clinic database."""

    database: Database
    actor: Actor
    full_name: str

    @property
    def role(self) -> str:
        return self.actor.role

    @property
    def username(self) -> str:
        return self.actor.username


@functools.cache
def action_permissions() -> dict[str, str | None]:
    """The declared table: action name → the permission it needs (None: any account)."""
    table = data.read_toml("roles.toml").get("actions", {})
    return {name: (permission or None) for name, permission in table.items()}


def permission_for(action: str) -> str | None:
    try:
        return action_permissions()[action]
    except KeyError:
        raise LookupError(f"action {action!r} is not declared in resources/roles.toml") from None


def use_case(
    action: str,
) -> Callable[[Callable[Concatenate[SignedIn, P], R]], Callable[Concatenate[SignedIn, P], R]]:
    """Register `action` and check its permission (from the table) before it runs."""

    def register(
        function: Callable[Concatenate[SignedIn, P], R],
    ) -> Callable[Concatenate[SignedIn, P], R]:
        permission = permission_for(action)

        @functools.wraps(function)
        def gated(user: SignedIn, /, *args: P.args, **kwargs: P.kwargs) -> R:
            check_allowed(user, action, permission)
            try:
                return function(user, *args, **kwargs)
            except PermissionDenied as refusal:
                record_denial(user, action, str(refusal))
                raise

        gated.action = action  # type: ignore[attr-defined]
        gated.permission = permission  # type: ignore[attr-defined]
        USE_CASES[f"{function.__module__}.{function.__name__}"] = gated
        return gated

    return register


def check_allowed(user: SignedIn, action: str, permission: str | None) -> None:
    """Refuse (and audit) an action the account's current role does not allow."""
    from consult.storage import users

    current = users.current_role(user.database, user.actor.user_id)
    if current is None:
        _deny(user, action, f"{user.username}'s account is no longer active; sign in again")
    if current != user.actor.role:
        _deny(
            user,
            action,
            f"{user.username}'s role changed to {role_label(current or '')} since signing in; "
            "sign in again",
        )
    if permission is not None and not user.actor.may(permission):
        what = permission.replace(".", ": ").replace("_", " ")
        _deny(user, action, f"{user.username} ({role_label(user.role)}) is not allowed to {what}")


def _deny(user: SignedIn, action: str, message: str) -> None:
    record_denial(user, action, message)
    raise PermissionDenied(message)


def record_denial(user: SignedIn, action: str, reason: str) -> None:
    """Write the refusal to the audit trail in a transaction of its own."""
    from consult.storage import audit

    with user.database.Session.begin() as session:
        audit.record(session, user.actor, action, outcome="denied", detail={"reason": reason})


@contextmanager
def transaction(user: SignedIn) -> Iterator[Session]:
    """The one transaction of a use case: committed whole, or rolled back whole."""
    with user.database.Session.begin() as session:
        yield session
