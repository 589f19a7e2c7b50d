"""Optimistic locking: two workstations saving one record never overwrite each other.

Every versioned row (patients, consultations, quotes, settings, users) carries a
`version` column that SQLAlchemy checks on UPDATE. A repository compares the version the
user opened with the stored one (`check_version`) and flushes through `flush_or_stale`,
so both ways of losing the race end in the same one-line StaleRecord. The repositories
depend on this module, never on each other, for it.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from consult.errors import StaleRecord


def check_version(
    current: int, expected: int, what: str, author: Callable[[], str] | None = None
) -> None:
    """StaleRecord if the record moved on; `author` names who moved it (see audit.last_author).

    Without a name the message says only that it changed: "someone else" would be wrong
    when it was the same user in another window.
    """
    if current != expected:
        who = author() if author is not None else ""
        by = f" by {who}" if who else ""
        raise StaleRecord(
            f"{what} was changed{by} since this copy was opened; "
            "reopen it to see that change, then make yours again",
            author=who,
        )


def flush_or_stale(session: Session, what: str) -> None:
    """Write pending changes now, turning a lost optimistic-lock race into StaleRecord."""
    try:
        session.flush()
    except StaleDataError:
        raise StaleRecord(
            f"{what} was changed by another save while you were saving; "
            "reopen it to see that change, then make yours again"
        ) from None
