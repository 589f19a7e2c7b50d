"""Quotes stored as priced, their life cycle, approvals, visibility and paging."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from consult.access import Actor
from consult.clinical.fileformat import AreaRequest, Consultation
from consult.errors import ConsultError, PermissionDenied, StaleRecord
from consult.pricing.options import QuoteOptions
from consult.pricing.quote import build_quote
from consult.storage import Database, consultations, patients, prices, quotes
from consult.storage.settings import get_settings

DAY = date(2026, 11, 20)


@pytest.fixture
def consultation_id(db: Database, practitioner: Actor, ana) -> int:
    patient = patients.create_patient(db, practitioner, ana)
    visit = Consultation(
        DAY,
        ana,
        "microneedling",
        (AreaRequest("cheeks", ("acne_scars",)), AreaRequest("neck", ("fine_lines",))),
    )
    return consultations.create_draft(db, practitioner, patient.id, visit).id


def _priced(db: Database, actor: Actor, consultation_id: int, **options):
    visit = consultations.get_consultation(db, actor, consultation_id).consultation
    return build_quote(
        visit,
        prices.current_price_list(db),
        get_settings(db).pricing,
        QuoteOptions(**options),
    )


def test_a_quote_is_stored_exactly_as_priced(
    db: Database, practitioner: Actor, consultation_id: int
):
    priced = _priced(db, practitioner, consultation_id, add_ons=("numbing",), pay_upfront=True)
    stored = quotes.save_quote(db, practitioner, consultation_id, priced)

    loaded = quotes.get_quote(db, practitioner, stored.id)
    assert (loaded.subtotal, loaded.discount, loaded.tax, loaded.total) == (
        priced.subtotal,
        priced.discount,
        priced.tax,
        priced.total,
    )
    assert [(line.item, line.unit_price, line.quantity, line.amount) for line in loaded.lines] == [
        (line.item, line.unit_price, line.quantity, line.amount) for line in priced.lines
    ]
    assert loaded.price_list_version_id == priced.price_list_version
    assert (loaded.status, loaded.approval) == ("draft", "not_needed")


def test_an_old_quote_keeps_its_prices_when_the_list_changes(
    db: Database, practitioner: Actor, manager: Actor, consultation_id: int
):
    stored = quotes.save_quote(
        db, practitioner, consultation_id, _priced(db, practitioner, consultation_id)
    )
    current = prices.current_price_list(db)
    dearer = current.with_prices(None, {("microneedling", "face"): Decimal("249.00")})
    new = prices.new_version(db, manager, dearer, note="2027 prices", based_on=current.version)

    assert new.version == current.version + 1
    assert prices.current_price_list(db).region_price(
        "microneedling", "face"
    ).unit_price == Decimal("249.00")
    old_list = prices.price_list(db, stored.price_list_version_id)
    assert old_list.region_price("microneedling", "face").unit_price == Decimal("199.00")
    assert quotes.get_quote(db, practitioner, stored.id) == stored


def test_present_then_accept(db: Database, practitioner: Actor, consultation_id: int):
    stored = quotes.save_quote(
        db, practitioner, consultation_id, _priced(db, practitioner, consultation_id)
    )
    presented = quotes.change_status(
        db, practitioner, stored.id, "present", expected_version=stored.version, today=DAY
    )
    accepted = quotes.change_status(
        db, practitioner, stored.id, "accept", expected_version=presented.version, today=DAY
    )
    assert (presented.status, accepted.status) == ("presented", "accepted")
    with pytest.raises(ConsultError, match=r"an accepted quote cannot be declined"):
        quotes.change_status(
            db, practitioner, stored.id, "decline", expected_version=accepted.version, today=DAY
        )


def test_a_big_discount_waits_for_a_manager(
    db: Database, practitioner: Actor, manager: Actor, consultation_id: int
):
    priced = _priced(db, practitioner, consultation_id, manual_discount_percent=Decimal(25))
    stored = quotes.save_quote(db, practitioner, consultation_id, priced)
    assert stored.approval == "pending"
    with pytest.raises(ConsultError, match=r"waiting for manager approval"):
        quotes.change_status(
            db, practitioner, stored.id, "present", expected_version=stored.version, today=DAY
        )
    with pytest.raises(PermissionDenied):
        quotes.decide_approval(
            db, practitioner, stored.id, approve=True, expected_version=stored.version
        )

    approved = quotes.decide_approval(
        db,
        manager,
        stored.id,
        approve=True,
        comment="loyal patient",
        expected_version=stored.version,
    )

    assert (approved.approval, approved.approved_by) == ("approved", manager.user_id)
    presented = quotes.change_status(
        db, practitioner, stored.id, "present", expected_version=approved.version, today=DAY
    )
    assert presented.status == "presented"


def test_a_presented_quote_past_its_date_expires(
    db: Database, practitioner: Actor, manager: Actor, consultation_id: int
):
    stored = quotes.save_quote(
        db, practitioner, consultation_id, _priced(db, practitioner, consultation_id)
    )
    quotes.change_status(
        db, practitioner, stored.id, "present", expected_version=stored.version, today=DAY
    )
    assert quotes.expire_due(db, manager, today=stored.valid_until + timedelta(days=1)) == 1
    assert quotes.get_quote(db, practitioner, stored.id).status == "expired"


def test_only_a_manager_expires_quotes(db, practitioner):
    with pytest.raises(PermissionDenied):
        quotes.expire_due(db, practitioner)


def test_a_status_change_from_a_stale_screen_is_refused(
    db: Database, practitioner: Actor, consultation_id: int
):
    stored = quotes.save_quote(
        db, practitioner, consultation_id, _priced(db, practitioner, consultation_id)
    )
    quotes.change_status(
        db, practitioner, stored.id, "present", expected_version=stored.version, today=DAY
    )
    with pytest.raises(StaleRecord):
        quotes.change_status(
            db, practitioner, stored.id, "present", expected_version=stored.version, today=DAY
        )


def test_practitioners_see_their_own_quotes_and_managers_all(
    db: Database, practitioner: Actor, other_practitioner: Actor, manager: Actor, consultation_id
):
    stored = quotes.save_quote(
        db, practitioner, consultation_id, _priced(db, practitioner, consultation_id)
    )
    assert quotes.list_for_patient(db, practitioner, stored.patient_id) == [stored]
    assert quotes.list_for_patient(db, other_practitioner, stored.patient_id) == []
    assert quotes.list_for_patient(db, manager, stored.patient_id) == [stored]
    with pytest.raises(PermissionDenied):
        quotes.get_quote(db, other_practitioner, stored.id)


def test_paging_walks_every_quote_once_newest_first(
    db: Database, practitioner: Actor, manager: Actor, consultation_id: int
):
    priced = _priced(db, practitioner, consultation_id)
    saved = [quotes.save_quote(db, practitioner, consultation_id, priced).id for _ in range(7)]
    seen, after = [], None
    while True:
        page = quotes.list_quotes(db, manager, status="draft", after=after, limit=3)
        seen += [quote.id for quote in page.quotes]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == sorted(saved, reverse=True)
    assert quotes.list_quotes(db, manager, status="accepted").quotes == ()


def test_a_quote_from_the_file_defaults_is_refused(
    db: Database, practitioner: Actor, consultation_id: int
):
    unversioned = replace(_priced(db, practitioner, consultation_id), price_list_version=None)
    with pytest.raises(ConsultError, match=r"not priced with a stored price list"):
        quotes.save_quote(db, practitioner, consultation_id, unversioned)
