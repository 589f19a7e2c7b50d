"""A quote's statuses and approval: legal and illegal transitions, expiry."""

from datetime import date, timedelta

import pytest

from consult.errors import ConsultError
from consult.pricing import lifecycle
from consult.pricing.lifecycle import (
    ACCEPT,
    DECLINE,
    EXPIRE,
    PRESENT,
    REOPEN,
    approval_for,
    decide_approval,
    expire_if_due,
    reopen,
    transition,
)

VALID_UNTIL = date(2026, 12, 20)
DAY_BEFORE = VALID_UNTIL - timedelta(days=1)
DAY_AFTER = VALID_UNTIL + timedelta(days=1)


def move(status, event, today=DAY_BEFORE, approval="not_needed"):
    return transition(status, event, today=today, valid_until=VALID_UNTIL, approval=approval)


@pytest.mark.parametrize(
    ("status", "event", "result"),
    [
        ("draft", PRESENT, "presented"),
        ("presented", ACCEPT, "accepted"),
        ("presented", DECLINE, "declined"),
        ("expired", REOPEN, "draft"),
    ],
)
def test_legal_transitions(status, event, result):
    assert move(status, event) == result


@pytest.mark.parametrize(
    ("status", "event", "message"),
    [
        ("declined", ACCEPT, "a declined quote cannot be accepted"),
        ("accepted", DECLINE, "an accepted quote cannot be declined"),
        ("accepted", PRESENT, "an accepted quote cannot be presented"),
        ("draft", ACCEPT, "a draft quote cannot be accepted"),
        ("draft", DECLINE, "a draft quote cannot be declined"),
        ("presented", PRESENT, "a presented quote cannot be presented"),
        ("presented", REOPEN, "a presented quote cannot be reopened"),
        ("declined", REOPEN, "a declined quote cannot be reopened"),
        ("expired", ACCEPT, "an expired quote cannot be accepted"),
        ("draft", EXPIRE, "a draft quote cannot expire"),
        ("accepted", EXPIRE, "an accepted quote cannot expire"),
    ],
)
def test_illegal_transitions_say_why(status, event, message):
    with pytest.raises(ConsultError, match=f"^{message}$"):
        move(status, event)


@pytest.mark.parametrize(
    ("today", "status"),
    [(DAY_BEFORE, "presented"), (VALID_UNTIL, "presented"), (DAY_AFTER, "expired")],
)
def test_a_presented_quote_expires_the_day_after_valid_until(today, status):
    assert expire_if_due("presented", today=today, valid_until=VALID_UNTIL) == status


@pytest.mark.parametrize("status", ["draft", "accepted", "declined", "expired"])
def test_only_presented_quotes_expire(status):
    assert expire_if_due(status, today=DAY_AFTER, valid_until=VALID_UNTIL) == status


def test_accepting_on_the_last_valid_day_works():
    assert move("presented", ACCEPT, today=VALID_UNTIL) == "accepted"


@pytest.mark.parametrize("event", [ACCEPT, DECLINE])
def test_an_overdue_presented_quote_is_treated_as_expired(event):
    with pytest.raises(ConsultError, match=r"^an expired quote cannot be"):
        move("presented", event, today=DAY_AFTER)


def test_the_expire_event():
    assert move("presented", EXPIRE, today=DAY_AFTER) == "expired"
    with pytest.raises(ConsultError, match="cannot expire before then"):
        move("presented", EXPIRE, today=VALID_UNTIL)


def test_an_out_of_date_draft_cannot_be_presented():
    with pytest.raises(ConsultError, match="cannot be presented on 2026-12-21: price it again"):
        move("draft", PRESENT, today=DAY_AFTER)


def test_approval_starts_pending_only_when_needed():
    assert approval_for(True) == "pending"
    assert approval_for(False) == "not_needed"


@pytest.mark.parametrize(
    ("approval", "event", "status", "message"),
    [
        ("pending", PRESENT, "draft", "a quote waiting for manager approval cannot be presented"),
        (
            "rejected",
            PRESENT,
            "draft",
            "a quote whose discount a manager rejected cannot be presented",
        ),
        ("pending", ACCEPT, "presented", "a quote waiting for manager approval cannot be accepted"),
        ("rejected", ACCEPT, "presented", "rejected cannot be accepted"),
    ],
)
def test_a_quote_needing_approval_waits_for_it(approval, event, status, message):
    with pytest.raises(ConsultError, match=message):
        move(status, event, approval=approval)


def test_an_approved_quote_can_be_presented_and_accepted():
    assert move("draft", PRESENT, approval="approved") == "presented"
    assert move("presented", ACCEPT, approval="approved") == "accepted"


def test_a_patient_may_decline_a_quote_whatever_its_approval():
    assert move("presented", DECLINE, approval="pending") == "declined"


def test_manager_decisions():
    assert decide_approval("pending", approve=True) == "approved"
    assert decide_approval("pending", approve=False) == "rejected"
    with pytest.raises(ConsultError, match="only a quote waiting for approval can be approved"):
        decide_approval("not_needed", approve=True)
    with pytest.raises(ConsultError, match=r"can be rejected \(this one is approved\)"):
        decide_approval("approved", approve=False)


def test_reopening_an_expired_quote_gives_a_fresh_draft():
    today = date(2027, 2, 1)
    draft = reopen("expired", today=today, validity_days=30, needs_approval=True)
    assert draft == lifecycle.ReopenedDraft("draft", "pending", date(2027, 3, 3))
    assert (
        reopen("expired", today=today, validity_days=30, needs_approval=False).approval
        == "not_needed"
    )


@pytest.mark.parametrize("status", ["draft", "presented", "accepted", "declined"])
def test_only_an_expired_quote_reopens(status):
    with pytest.raises(ConsultError, match="cannot be reopened"):
        reopen(status, today=DAY_BEFORE, validity_days=30, needs_approval=False)


@pytest.mark.parametrize(
    ("status", "event", "approval", "message"),
    [
        ("sent", PRESENT, "not_needed", '"sent" is not a quote status'),
        ("draft", "sign", "not_needed", '"sign" is not a quote event'),
        ("draft", PRESENT, "maybe", '"maybe" is not an approval state'),
    ],
)
def test_unknown_names_are_refused(status, event, approval, message):
    with pytest.raises(ConsultError, match=message):
        move(status, event, approval=approval)
