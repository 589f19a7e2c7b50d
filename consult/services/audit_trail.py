"""The audit trail as a manager reads it: listing, filter choices and the chain check."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from consult.records.audit import AuditFilter, AuditRow, ChainCheck, FilterChoices, Listing
from consult.services.acting import SignedIn, use_case
from consult.storage.audit_queries import PAGE_SIZE, AuditQueries


def _queries(user: SignedIn) -> AuditQueries:
    return AuditQueries(user.database, user.actor)


@use_case("audit.list")
def listing(user: SignedIn, flt: AuditFilter, *, limit: int = PAGE_SIZE) -> Listing:
    """The newest events matching `flt` and how many match in all (the listing is audited)."""
    return _queries(user).listing(flt, limit=limit)


@use_case("audit.page")
def page(
    user: SignedIn, flt: AuditFilter, *, before_id: int, limit: int = PAGE_SIZE
) -> tuple[AuditRow, ...]:
    return tuple(_queries(user).page(flt, before_id=before_id, limit=limit))


@use_case("audit.choices")
def choices(user: SignedIn) -> FilterChoices:
    return _queries(user).choices()


@use_case("audit.verify")
def verify(user: SignedIn) -> ChainCheck:
    return _queries(user).verify()


@dataclass(frozen=True)
class InstalledKey:
    key_id: str
    path: Path


def install_key(file: Path) -> InstalledKey:
    """Install the clinic's audit key at this workstation (a copied key or a backup's).

    A file operation on this workstation alone, done before anyone signs in here: a seat
    without the key would add unsealed events to the trail by signing in first.
    """
    from consult.storage import anchor

    key = anchor.import_key_file(file)
    return InstalledKey(key.id, anchor.key_path(key.id))
