"""Issuing documents: what is sealed when, and what lands on disk."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from consult.documents.build import blank_input
from consult.documents.certificate import load_certificate
from consult.documents.issue import issue
from consult.documents.model import Signatures
from consult.documents.verify import verify_pdf
from consult.pricing import default_settings


def test_signed_consent_and_plan_are_both_sealed(document, data_dir, tmp_path):
    issued = issue(document, tmp_path / "out")
    clinic = load_certificate()
    for item in (issued.consent, issued.plan):
        assert item.sealed
        data = item.path.read_bytes()
        assert hashlib.sha256(data).hexdigest() == item.sha256
        assert verify_pdf(data, clinic).signer == "Glow Skin Clinic"


def test_one_signature_is_not_a_signed_record(document, data_dir, tmp_path):
    half = replace(document, signatures=Signatures(patient_png=document.signatures.patient_png))
    issued = issue(half, tmp_path)
    assert not issued.consent.sealed and issued.plan.sealed
    assert b"/ByteRange" not in issued.consent.path.read_bytes()


def test_blank_form_alone_and_unsealed(data_dir, tmp_path):
    out = tmp_path / "paper"
    issued = issue(blank_input(default_settings()), out)
    assert issued.plan is None and not issued.consent.sealed
    assert sorted(p.name for p in out.iterdir()) == ["consent.pdf"]
    assert load_certificate() is None  # a paper form needs no certificate
