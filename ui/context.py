"""What every screen needs to reach the core: the open database and who is signed in."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from consult.access import Actor

if TYPE_CHECKING:  # a type only: the database module loads on the start-up thread
    from consult.storage.db import Database


@dataclass(frozen=True)
class AppContext:
    db: Database
    actor: Actor
    full_name: str
    database_label: str  # shown in the status bar; never contains a password

    @property
    def is_manager(self) -> bool:
        return self.actor.role == "manager"
