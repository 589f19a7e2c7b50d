"""The seal a patient can see, times on the clinic's clock, and an unset clinic's letterhead."""

from __future__ import annotations

import os
import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from consult.clinical.fileformat import load
from consult.documents import wording
from consult.documents.build import blank_input, document_input
from consult.documents.certificate import load_certificate
from consult.documents.consent import build_consent
from consult.documents.issue import issue
from consult.documents.model import Clinic, Signatures
from consult.documents.plan import build_plan
from consult.documents.text import grouped_fingerprint
from consult.errors import InvalidField
from consult.pricing import default_price_list, default_settings
from tests.consult.documents.conftest import make_input
from tests.consult.documents.pdfs import flat, pages_text, text_of

SIGNED_UTC = datetime(2026, 11, 20, 13, 5, tzinfo=UTC)


def test_the_sealed_consent_shows_clinic_time_fingerprint_and_how_to_check(
    document, data_dir, tmp_path
):
    issued = issue(document, tmp_path / "out")
    assert issued.consent.sealed
    text = text_of(issued.consent.path.read_bytes(), tmp_path)
    seal = flat(text.split(wording.consent_text("seal.title"), 1)[1])
    fingerprint = load_certificate().fingerprint
    assert len(fingerprint) == 64
    assert f"{wording.consent_text('seal.clinic')} Glow Skin Clinic" in seal
    assert f"{wording.consent_text('seal.when')} 20 Nov 2026, 14:05 CET (UTC+01:00)" in seal
    assert flat(grouped_fingerprint(fingerprint)) in seal
    assert "signature panel" in seal and "SHA-256" in seal
    assert "consult verify" not in flat(text)


def test_an_unsigned_or_half_signed_consent_has_no_seal_block(document, data_dir, tmp_path):
    half = replace(document, signatures=Signatures(patient_png=document.signatures.patient_png))
    for doc in (make_input(signed=False), half):
        text = flat(text_of(build_consent(doc), tmp_path))
        assert wording.consent_text("seal.title") not in text
        assert "fingerprint" not in text


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Asia/Tokyo", "20 Nov 2026, 22:05 JST (UTC+09:00)"),
        ("America/New_York", "20 Nov 2026, 08:05 EST (UTC-05:00)"),
        ("Europe/London", "20 Nov 2026, 13:05 GMT (UTC)"),
    ],
)
def test_signing_times_are_on_the_clinics_clock(zone, shown, data_dir, tmp_path):
    doc = make_input()
    doc = replace(doc, clinic=replace(doc.clinic, time_zone=zone), signed_at=SIGNED_UTC)
    consent = flat(text_of(build_consent(doc), tmp_path))
    plan = flat(text_of(build_plan(doc), tmp_path))
    assert consent.count(shown) == 3  # two signatures and the seal block
    assert plan.count(shown) == 1  # the practitioner's signature
    assert "13:05 UTC" not in consent + plan


@pytest.fixture
def machine_zone():
    """This computer's zone set to New York for one test (the settings hold none yet)."""
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if saved is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = saved
    time.tzset()


def test_without_a_clinic_zone_times_follow_this_computer(machine_zone, data_dir, tmp_path):
    doc = make_input()
    doc = replace(doc, clinic=replace(doc.clinic, time_zone=""), signed_at=SIGNED_UTC)
    consent = flat(text_of(build_consent(doc), tmp_path))
    assert consent.count("20 Nov 2026, 08:05 EST (UTC-05:00)") == 3


def test_an_unknown_time_zone_is_refused():
    with pytest.raises(InvalidField) as caught:
        Clinic("Glow", time_zone="Mars/Olympus")
    assert caught.value.field == "clinic.time_zone"


UNSET_DETAILS = ("Your Clinic", "Example Street", "555 0100", "hello@example.org")


def test_an_unset_clinic_says_so_instead_of_inventing_details(examples, tmp_path):
    settings = default_settings()
    assert not settings.is_set_up
    consultation = load(examples / "acne-scars.json")
    doc = document_input(consultation, default_price_list(), settings)
    for pdf in (build_consent(doc), build_plan(doc), build_consent(blank_input(settings))):
        pages = pages_text(pdf)
        text = text_of(pdf, tmp_path)
        assert text.startswith("Clinic not set up\n")
        for detail in UNSET_DETAILS:
            assert detail not in text
        for page in pages:  # the footer of every page
            assert "Clinic not set up · " in page


def test_a_partly_set_up_clinic_prints_no_partial_letterhead(examples, tmp_path):
    settings = replace(default_settings(), name="Glow Skin Clinic", address="12 High Street")
    consultation = load(examples / "acne-scars.json")
    doc = document_input(consultation, default_price_list(), settings)
    text = text_of(build_consent(doc), tmp_path)
    assert text.startswith("Clinic not set up\n") and "12 High Street" not in text


def test_a_set_up_clinic_prints_its_letterhead(examples, tmp_path):
    settings = replace(
        default_settings(),
        name="Glow Skin Clinic",
        address="12 High Street, Springfield",
        phone="+1 555 0199",
        email="desk@glow.example",
    )
    consultation = load(examples / "acne-scars.json")
    doc = document_input(consultation, default_price_list(), settings)
    text = flat(text_of(build_plan(doc), tmp_path))
    assert text.startswith("Glow Skin Clinic 12 High Street, Springfield +1 555 0199 · desk@")
    assert "not set up" not in text
