"""What every screen needs to reach the core: who is signed in, and to which clinic."""

from __future__ import annotations

from dataclasses import dataclass

from consult.access import Actor
from consult.services.acting import SignedIn


@dataclass(frozen=True)
class AppContext:
    user: SignedIn
    database_label: str  # shown in the status bar; never contains a password

    @property
    def actor(self) -> Actor:
        return self.user.actor

    @property
    def full_name(self) -> str:
        return self.user.full_name

    @property
    def is_manager(self) -> bool:
        return self.actor.role == "manager"
