"""`consult recall`, `consult lots` and `consult booking-ics` on a clinic with a course."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from icalendar import Calendar
from sqlalchemy import select

from consult.app.cli import main
from consult.records.course import EntryInput, LotInput
from consult.services import accounts, bookings, course, lots, signing
from consult.services.course import SessionStart
from consult.services.signing import SigningRequest
from consult.storage.models import AuditEvent
from tests.consult.clinical.factory import consultation
from tests.consult.documents.pdfs import signature_png
from tests.helpers.signing import PRACTITIONER_PASSWORD, clinic_for_the_command_line

INK = signature_png()
NEEDLES = LotInput("Dermaworks", "Nano 12 cartridge", "cartridge", "NC-2291", date(2027, 6, 30))
NUMBING = LotInput("Pliaglis", "Numbing cream", "numbing", "PL-77", date(2020, 1, 31))


@pytest.fixture
def clinic(data_dir, monkeypatch):
    """Two patients treated with lot NC-2291 (one signed, one draft), one booking."""
    db = clinic_for_the_command_line(monkeypatch)
    pia = accounts.sign_in(db, "pia", PRACTITIONER_PASSWORD, workstation="test")
    pen = lots.register_device(pia, "SkinPen Precision", "mechanical", "SP-1001")
    lots.register_lot(pia, NUMBING)
    ids = []
    for name, sign in (("Ana Souza", True), ("Björn Åkesson", False)):
        file = consultation()
        file = replace(file, patient=replace(file.patient, name=name))
        signed = signing.sign(pia, SigningRequest(file, True, False, INK, INK))
        draft = course.start_session(pia, SessionStart(signed.consultation_id, date(2026, 11, 27)))
        course.record_entry(
            pia, draft.id,
            EntryInput("cheeks", pen.id, erythema=1, needle_lot=NEEDLES, depth_mm=Decimal("1.5")),
        )
        if sign:
            course.sign_session(pia, draft.id, INK)
        ids.append(signed.consultation_id)
    booking = bookings.propose_from_plan(pia, ids[0])[1]
    db.close()
    return booking.id


def recall_events() -> int:
    from consult.storage.db import Database

    with Database.open(None) as db, db.Session() as session:
        return len(session.scalars(
            select(AuditEvent.id).where(AuditEvent.action == "lots.recall")
        ).all())


def test_recall_lists_every_session_that_used_the_lot(clinic, capsys):
    assert main(["recall", "NC-2291"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "2 session(s) of 2 patient(s) used lot NC-2291:"
    assert "2026-11-27  Ana Souza" in out
    assert "Björn Åkesson" in out
    assert "areas: cheeks  device: SkinPen Precision (SP-1001)  SR-" in out
    assert recall_events() == 1


def test_recall_json_and_product_filter(clinic, capsys):
    assert main(["recall", "NC-2291", "--product", "Nano 12 cartridge", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert [s["patient"] for s in document["sessions"]] == ["Ana Souza", "Björn Åkesson"]
    assert [s["status"] for s in document["sessions"]] == ["signed", "draft"]
    assert document["sessions"][0]["areas"] == ["cheeks"]
    assert main(["recall", "NC-2291", "--product", "HA serum", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["sessions"] == []
    assert recall_events() == 2


def test_lots_show_expiry_and_use(clinic, capsys):
    assert main(["lots", "--json"]) == 0
    listed = {lot["lot_number"]: lot for lot in json.loads(capsys.readouterr().out)["lots"]}
    assert listed["NC-2291"]["sessions"] == 2
    assert (listed["PL-77"]["sessions"], listed["PL-77"]["expired"]) == (0, True)
    assert main(["lots"]) == 0
    out = capsys.readouterr().out
    expected = "PL-77  Pliaglis Numbing cream (numbing)  expires 2020-01-31 (expired)  sessions: 0"
    assert expected in out.splitlines()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["recall", "  "], "error: lot: is required\n"),
        (["recall"], "error: consult recall: the following arguments are required: LOT\n"),
        (["booking-ics", "x", "--out", "a.ics"], "error: consult booking-ics: argument"),
    ],
)
def test_bad_input_is_one_error_line_and_exit_2(clinic, capsys, argv, message):
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith(message)
    assert captured.err.count("\n") == 1
    assert captured.out == ""


def test_reception_may_not_run_a_recall(data_dir, monkeypatch, capsys):
    clinic_for_the_command_line(monkeypatch, role="reception").close()
    assert main(["recall", "NC-2291"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: pia (Reception) is not allowed to course: recall")
    assert err.count("\n") == 1


def test_booking_ics_writes_the_patients_appointment(clinic, capsys, tmp_path):
    target = tmp_path / "appointment.ics"
    assert main(["booking-ics", str(clinic), "--out", str(target)]) == 0
    (event,) = Calendar.from_ical(target.read_bytes()).walk("VEVENT")
    assert str(event["summary"]) == "Appointment at Harbour Skin Clinic"
    assert "Ana" not in target.read_text(encoding="utf-8")
