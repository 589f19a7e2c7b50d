"""A quote's life: draft → presented → accepted | declined | expired, and its approval.

Pure rules only; the storage layer persists each transition and audits it.

- A draft is presented to the patient; a presented quote is accepted or declined.
- A presented quote past its `valid_until` date is expired (`expire_if_due`), and an
  expired quote can no longer be accepted or declined; it can be reopened as a new
  draft, priced again with today's price list.
- A quote whose manual discount is over the clinic's limit needs a manager's approval
  (`approval_for`): until it is approved it can be neither presented nor accepted.
- Accepted and declined are final.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from consult.errors import ConsultError

DRAFT, PRESENTED, ACCEPTED, DECLINED, EXPIRED = STATUSES = (
    "draft",
    "presented",
    "accepted",
    "declined",
    "expired",
)
NOT_NEEDED, PENDING, APPROVED, REJECTED = APPROVALS = (
    "not_needed",
    "pending",
    "approved",
    "rejected",
)
PRESENT, ACCEPT, DECLINE, EXPIRE, REOPEN = EVENTS = (
    "present",
    "accept",
    "decline",
    "expire",
    "reopen",
)

# event -> (the status it applies to, the status it leads to)
_MOVES = {
    PRESENT: (DRAFT, PRESENTED),
    ACCEPT: (PRESENTED, ACCEPTED),
    DECLINE: (PRESENTED, DECLINED),
    EXPIRE: (PRESENTED, EXPIRED),
    REOPEN: (EXPIRED, DRAFT),
}
_PAST_TENSE = {
    PRESENT: "presented",
    ACCEPT: "accepted",
    DECLINE: "declined",
    EXPIRE: "expired",
    REOPEN: "reopened",
}


@dataclass(frozen=True)
class ReopenedDraft:
    """What the new draft made from an expired quote starts with."""

    status: str
    approval: str
    valid_until: date


def approval_for(needs_approval: bool) -> str:
    """The approval state a newly priced quote starts in."""
    return PENDING if needs_approval else NOT_NEEDED


def is_due(status: str, *, today: date, valid_until: date) -> bool:
    """True when a presented quote has passed its last valid day."""
    _check_status(status)
    return status == PRESENTED and today > valid_until


def expire_if_due(status: str, *, today: date, valid_until: date) -> str:
    """`expired` for a presented quote past `valid_until`; otherwise `status` unchanged."""
    return EXPIRED if is_due(status, today=today, valid_until=valid_until) else status


def transition(
    current_status: str, event: str, *, today: date, valid_until: date, approval: str
) -> str:
    """The status after `event`, or a `ConsultError` naming why it is not allowed."""
    _check_status(current_status)
    _check_approval(approval)
    if event not in _MOVES:
        raise ConsultError(f'"{event}" is not a quote event (use {", ".join(EVENTS)})')
    if event == EXPIRE:
        return _expire(current_status, today=today, valid_until=valid_until)
    status = expire_if_due(current_status, today=today, valid_until=valid_until)
    source, target = _MOVES[event]
    if status != source:
        raise ConsultError(f"{_a(status)} quote cannot be {_PAST_TENSE[event]}")
    if event in (PRESENT, ACCEPT):
        _check_approved(approval, event)
    if event == PRESENT and today > valid_until:
        raise ConsultError(
            f"a quote valid until {valid_until.isoformat()} cannot be presented on "
            f"{today.isoformat()}: price it again"
        )
    return target


def reopen(
    current_status: str, *, today: date, validity_days: int, needs_approval: bool
) -> ReopenedDraft:
    """Reopen an expired quote: a new draft, valid from today, approval asked again."""
    status = transition(current_status, REOPEN, today=today, valid_until=today, approval=NOT_NEEDED)
    return ReopenedDraft(
        status, approval_for(needs_approval), today + timedelta(days=validity_days)
    )


def decide_approval(approval: str, approve: bool) -> str:
    """A manager's decision on a quote waiting for approval."""
    _check_approval(approval)
    if approval != PENDING:
        verb = "approved" if approve else "rejected"
        raise ConsultError(
            f"only a quote waiting for approval can be {verb} (this one is {_label(approval)})"
        )
    return APPROVED if approve else REJECTED


def _expire(status: str, *, today: date, valid_until: date) -> str:
    if status != PRESENTED:
        raise ConsultError(f"{_a(status)} quote cannot expire")
    if today <= valid_until:
        raise ConsultError(
            f"the quote is valid until {valid_until.isoformat()}; it cannot expire before then"
        )
    return EXPIRED


def _check_approved(approval: str, event: str) -> None:
    if approval == PENDING:
        raise ConsultError(f"a quote waiting for manager approval cannot be {_PAST_TENSE[event]}")
    if approval == REJECTED:
        raise ConsultError(
            f"a quote whose discount a manager rejected cannot be {_PAST_TENSE[event]}"
        )


def _check_status(status: str) -> None:
    if status not in STATUSES:
        raise ConsultError(f'"{status}" is not a quote status (use {", ".join(STATUSES)})')


def _check_approval(approval: str) -> None:
    if approval not in APPROVALS:
        raise ConsultError(f'"{approval}" is not an approval state (use {", ".join(APPROVALS)})')


def _a(status: str) -> str:
    return f"{'an' if status[0] in 'aeiou' else 'a'} {status}"


def _label(approval: str) -> str:
    return approval.replace("_", " ")
