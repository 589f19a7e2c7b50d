"""Who is acting, and what their role allows.

Every core function that touches a patient's record takes an `Actor`, checks the
permission with `require` and writes an audit event naming that actor, so each
access is attributable and a role is enforced even if a screen forgets to hide a
button. Roles and their permissions are data: resources/roles.toml.
"""

from __future__ import annotations

import getpass
import socket
from dataclasses import dataclass
from functools import cache

from consult import data
from consult.errors import PermissionDenied

ROLES = ("practitioner", "manager", "reception")


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: str
    workstation: str

    def may(self, permission: str) -> bool:
        return permission in permissions_of(self.role)


@cache
def permissions_of(role: str) -> frozenset[str]:
    roles = data.read_toml("roles.toml")["roles"]
    if role not in roles:
        return frozenset()
    return frozenset(roles[role]["permissions"])


def role_label(role: str) -> str:
    label: str = data.read_toml("roles.toml")["roles"].get(role, {}).get("label", role)
    return label


def require(actor: Actor, permission: str) -> None:
    if not actor.may(permission):
        action = permission.replace(".", ": ").replace("_", " ")
        raise PermissionDenied(
            f"{actor.username} ({role_label(actor.role)}) is not allowed to {action}"
        )


def workstation_name() -> str:
    return socket.gethostname() or "unknown-workstation"


def command_line_actor(role: str = "manager") -> Actor:
    """The actor for command-line work run by the operating-system user at this seat.

    The command line runs under the account of whoever is logged in to the machine;
    its audit events name that account and the workstation.
    """
    return Actor(None, f"os:{getpass.getuser()}", role, workstation_name())
