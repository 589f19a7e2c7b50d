"""A discount above the clinic's limit: ask a manager from the consultation, then sign.

The consent cannot be signed while the discount waits; once a manager approves the very
quote that was asked for, signing accepts that quote instead of making another.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from consult.errors import ConsultError, InvalidField, PermissionDenied
from consult.pricing import QuoteOptions
from consult.services import consultations, patients, quotes, signing
from consult.services.signing import SigningRequest
from tests.consult.clinical.factory import consultation
from tests.consult.documents.pdfs import signature_png
from tests.helpers.signing import signed_in

INK = signature_png()
GENEROUS = QuoteOptions(manual_discount_percent=Decimal("25"))
WITHIN = QuoteOptions(manual_discount_percent=Decimal("5"))


@pytest.fixture
def boss(clinic, manager):
    return signed_in(clinic, manager, "Maria")


@pytest.fixture
def draft(pia):
    file = consultation()
    patient = patients.register(pia, file.patient)
    record = consultations.start(pia, patient.id, file)
    return record.id, file, record.version


def sign_request(draft, options) -> SigningRequest:
    consultation_id, file, version = draft
    return SigningRequest(
        consultation=file,
        photography=True,
        marketing=False,
        patient_signature=INK,
        practitioner_signature=INK,
        options=options,
        consultation_id=consultation_id,
        expected_version=version,
    )


def test_signing_waits_until_a_manager_approves_the_asked_quote(pia, boss, draft):
    consultation_id, file, _ = draft
    with pytest.raises(ConsultError, match="ask a manager"):
        signing.sign(pia, sign_request(draft, GENEROUS))
    asked = quotes.ask_approval(pia, consultation_id, file, GENEROUS)
    assert asked.approval == "pending" and asked.status == "draft"
    assert quotes.approval_status(pia, consultation_id, file, GENEROUS) == asked
    # Asking again on the same terms is the same request, not a second quote.
    assert quotes.ask_approval(pia, consultation_id, file, GENEROUS).id == asked.id
    with pytest.raises(ConsultError, match="waits for a manager's approval"):
        signing.sign(pia, sign_request(draft, GENEROUS))
    quotes.decide_approval(boss, asked.id, approve=True, expected_version=asked.version)
    record = signing.sign(pia, sign_request(draft, GENEROUS))
    assert record.quote.id == asked.id  # the approved quote is the one accepted
    assert record.quote.status == "accepted"
    assert record.quote.manual_discount_percent == Decimal("25")


def test_a_rejected_discount_is_never_signed(pia, boss, draft):
    consultation_id, file, _ = draft
    asked = quotes.ask_approval(pia, consultation_id, file, GENEROUS)
    quotes.decide_approval(
        boss, asked.id, approve=False, comment="too generous", expected_version=asked.version
    )
    with pytest.raises(ConsultError, match="rejected"):
        signing.sign(pia, sign_request(draft, GENEROUS))
    # Removing the discount signs at once, with a new quote of the clinic's prices.
    record = signing.sign(pia, sign_request(draft, WITHIN))
    assert record.quote.id != asked.id and record.quote.status == "accepted"


def test_an_approval_covers_only_the_terms_asked_for(pia, boss, draft):
    consultation_id, file, _ = draft
    asked = quotes.ask_approval(pia, consultation_id, file, GENEROUS)
    quotes.decide_approval(boss, asked.id, approve=True, expected_version=asked.version)
    more = QuoteOptions(manual_discount_percent=Decimal("40"))
    assert quotes.approval_status(pia, consultation_id, file, more) is None
    with pytest.raises(ConsultError, match="ask a manager"):
        signing.sign(pia, sign_request(draft, more))


def test_a_discount_within_the_limit_needs_no_approval(pia, draft):
    consultation_id, file, _ = draft
    with pytest.raises(InvalidField) as refused:
        quotes.ask_approval(pia, consultation_id, file, WITHIN)
    assert refused.value.field == "manual_discount_percent"
    assert quotes.approval_status(pia, consultation_id, file, WITHIN) is None


def test_reception_cannot_ask_for_an_approval(clinic, reception, draft):
    consultation_id, file, _ = draft
    with pytest.raises(PermissionDenied):
        quotes.ask_approval(signed_in(clinic, reception, "Rae"), consultation_id, file, GENEROUS)
