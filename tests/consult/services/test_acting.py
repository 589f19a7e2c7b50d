"""Every service function: acting user first, frozen values out, the table's permission.

Walks every public function of every module in consult.services, so a new use case is
checked the day it is written: it must be registered with @use_case (or be one of the
few entry points that run before anyone is signed in), take the SignedIn user first,
return frozen values, and be refused, with a "denied" audit event, to exactly the
roles resources/roles.toml says may not do it, and to a deactivated account.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
import types
import typing
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

import consult.services
from consult.access import ROLES, permissions_of
from consult.errors import PermissionDenied
from consult.services.acting import ENTRY_POINTS, USE_CASES, SignedIn, action_permissions
from consult.storage import users
from consult.storage.models import AuditEvent

PLAIN = (int, str, bytes, bool, float, Decimal, date, datetime, Path, type(None))


def service_modules() -> list[types.ModuleType]:
    return [
        importlib.import_module(f"consult.services.{info.name}")
        for info in pkgutil.iter_modules(consult.services.__path__)
        if info.name != "acting"  # the gate itself
    ]


def public_functions() -> dict[str, typing.Callable[..., object]]:
    found = {}
    for module in service_modules():
        for name, value in vars(module).items():
            if name.startswith("_") or not inspect.isfunction(value):
                continue
            if getattr(value, "__module__", None) == module.__name__:
                found[f"{module.__name__}.{name}"] = value
    return found


def test_every_public_service_function_is_a_use_case_or_an_entry_point():
    functions = public_functions()
    assert set(USE_CASES) | ENTRY_POINTS >= set(functions)
    assert set(functions) - ENTRY_POINTS == set(USE_CASES)


def test_every_action_in_the_table_has_a_use_case_and_the_reverse():
    declared = set(action_permissions())
    used = {function.action for function in USE_CASES.values()}  # type: ignore[attr-defined]
    assert used == declared


def _is_frozen(annotation: object) -> bool:
    origin = typing.get_origin(annotation)
    if origin is tuple:
        return all(_is_frozen(arg) for arg in typing.get_args(annotation) if arg is not Ellipsis)
    if origin in (types.UnionType, typing.Union):
        return all(_is_frozen(arg) for arg in typing.get_args(annotation))
    if annotation in PLAIN:
        return True
    if dataclasses.is_dataclass(annotation):
        return annotation.__dataclass_params__.frozen  # type: ignore[union-attr]
    return False


@pytest.mark.parametrize("name", sorted(set(public_functions()) - ENTRY_POINTS))
def test_acting_user_first_and_frozen_values_out(name):
    function = inspect.unwrap(USE_CASES[name])
    hints = typing.get_type_hints(function)
    first = next(iter(inspect.signature(function).parameters))
    assert hints[first] is SignedIn, f"{name}: the acting user must come first"
    assert _is_frozen(hints["return"]), f"{name} returns {hints['return']}, not frozen values"


def _dummy_arguments(function: typing.Callable[..., object]) -> tuple[list[object], dict]:
    """None for every argument: a refused call never gets as far as using them."""
    positional, keywords = [], {}
    for parameter in list(inspect.signature(inspect.unwrap(function)).parameters.values())[1:]:
        if parameter.default is not inspect.Parameter.empty:
            continue
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
            keywords[parameter.name] = None
        else:
            positional.append(None)
    return positional, keywords


def _denials(db) -> list[tuple[str, str]]:
    with db.Session() as session:
        rows = session.execute(
            select(AuditEvent.action, AuditEvent.username).where(AuditEvent.outcome == "denied")
        )
        return [tuple(row) for row in rows]


@pytest.fixture
def accounts(db, manager):
    signed = {"manager": SignedIn(db, manager, "Mara")}
    for role in ROLES:
        if role != "manager":
            record = users.create_user(
                db, manager, username=f"{role[:4]}x", full_name=role, role=role,
                password="correct horse battery",
            )
            signed[role] = SignedIn(db, record.actor("test"), role)
    return signed


def test_each_role_is_refused_exactly_what_the_table_refuses(db, accounts):
    from consult.services.acting import check_allowed

    for name, function in sorted(USE_CASES.items()):
        action, permission = function.action, function.permission  # type: ignore[attr-defined]
        for role, user in accounts.items():
            allowed = permission is None or permission in permissions_of(role)
            if allowed:
                check_allowed(user, action, permission)  # raises if the gate refused
                continue
            before = len(_denials(db))
            args, kwargs = _dummy_arguments(function)
            with pytest.raises(PermissionDenied):
                function(user, *args, **kwargs)
            assert _denials(db)[before:] == [(action, user.username)], f"{name} as {role}"


def test_a_deactivated_account_is_refused_everything(db, accounts, manager):
    from consult.storage import user_admin

    practitioner = accounts["practitioner"]
    user_admin.set_active(db, manager, practitioner.actor.user_id, False)
    for _name, function in sorted(USE_CASES.items()):
        args, kwargs = _dummy_arguments(function)
        with pytest.raises(PermissionDenied, match="no longer active"):
            function(practitioner, *args, **kwargs)
    denied = [action for action, who in _denials(db) if who == practitioner.username]
    assert len(denied) == len(USE_CASES)


def test_a_changed_role_is_refused_until_signing_in_again(db, accounts):
    from dataclasses import replace

    from consult.services import patients

    reception = accounts["reception"]
    claims_more = SignedIn(db, replace(reception.actor, role="manager"), "Rita")
    with pytest.raises(PermissionDenied, match="role changed"):
        patients.search(claims_more, "souza")
