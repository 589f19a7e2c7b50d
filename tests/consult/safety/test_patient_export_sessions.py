"""The patient export carries the treatment course: sessions, sealed records, bookings."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

from consult.clinical import fileformat
from consult.services import course, protection
from consult.storage import Database, users
from tests.consult.safety.clinic import sqlite_url
from tests.helpers.course import signed_course
from tests.helpers.signing import SET_UP_CLINIC, signed


def _read(zip_path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(zip_path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_zip_holds_each_session_its_sealed_record_and_the_bookings(
    tmp_path: Path, data_dir: Path
) -> None:
    db = Database.open(sqlite_url(tmp_path / "clinic.sqlite3"))
    manager = users.create_first_manager(
        db, clinic_name=SET_UP_CLINIC.name, username="mara", full_name="Mara Quinn",
        password="a long manager phrase", clinic=SET_UP_CLINIC,
    )
    mara = signed(db, manager)
    ana = signed_course(mara, "Ana Souza")
    course.record_adverse_event(mara, ana.session.id, "Felt faint", "Lay flat; recovered")
    other = signed_course(mara, "Ana Souza Lima")  # a similar name: nothing of hers leaks
    draft = course.amend_session(mara, ana.session.id, "Depth was 1.25 mm, not 1.50 mm")

    report = protection.export_patient_records(mara, ana.patient_id, tmp_path / "ana.zip")
    files = _read(report.file)
    db.close()

    signed_id = ana.session.id
    pdf_name = f"{signed_id}-{ana.session.document_number}.pdf"
    assert {name for name in files if name.startswith("sessions/")} == {
        f"sessions/{signed_id}.json",
        f"sessions/{pdf_name}",
        f"sessions/{draft.id}.json",
        "sessions/SHA256SUMS",
    }
    assert (report.sessions, report.bookings) == (2, len(json.loads(files["bookings.json"])))
    signed_json = json.loads(files[f"sessions/{signed_id}.json"])
    assert signed_json["patient_name"] == "Ana Souza" and signed_json["status"] == "signed"
    (entry,) = signed_json["entries"]
    assert (entry["area"], entry["depth_mm"], entry["needle_lot"]["lot_number"]) == (
        "cheeks", "1.50", "NC-2291"
    )
    assert signed_json["adverse_events"][0]["happened"] == "Felt faint"
    assert signed_json["matches_sha256_at_signing"] is True
    assert files[f"sessions/{pdf_name}"].startswith(b"%PDF")
    digest = hashlib.sha256(files[f"sessions/{pdf_name}"]).hexdigest()
    assert files["sessions/SHA256SUMS"].decode() == f"{digest}  {pdf_name}\n"
    amendment = json.loads(files[f"sessions/{draft.id}.json"])
    assert (amendment["amends_id"], amendment["status"]) == (signed_id, "draft")
    # Every booking is hers; nothing of the patient with the similar name.
    assert json.loads(files["bookings.json"])
    everything = b"".join(files.values())
    assert b"Ana Souza Lima" not in everything
    assert f'"patient_id": {other.patient_id},'.encode() not in everything
    # The consult/1 file of the consultation is as it always was.
    consultation = fileformat.loads(files[f"consultations/{ana.consultation_id}.json"].decode())
    assert consultation.patient.name == "Ana Souza"
    manifest = json.loads(files["manifest.json"])
    assert manifest["files"][f"sessions/{pdf_name}"] == digest
