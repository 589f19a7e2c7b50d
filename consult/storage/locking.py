"""Optimistic locking: two workstations saving one record never overwrite each other.

Every versioned row (patients, consultations, quotes, settings, users) carries a
`version` column that SQLAlchemy checks on UPDATE. A repository compares the version the
user opened with the stored one (`check_version`) and flushes through `flush_or_stale`,
so both ways of losing the race end in the same one-line StaleRecord. The repositories
depend on this module, never on each other, for it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from consult.errors import StaleRecord


def check_version(current: int, expected: int, what: str) -> None:
    """Refuse a change made to `what` as it was at `expected` when it is now at `current`."""
    if current != expected:
        raise StaleRecord(
            f"{what} was changed by someone else since you opened it; "
            "reopen it to see their changes, then make yours again"
        )


def flush_or_stale(session: Session, what: str) -> None:
    """Write pending changes now, turning a lost optimistic-lock race into StaleRecord."""
    try:
        session.flush()
    except StaleDataError:
        raise StaleRecord(
            f"{what} was changed by someone else while you were saving; "
            "reopen it to see their changes, then make yours again"
        ) from None
