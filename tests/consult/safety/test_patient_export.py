"""The patient export zip: complete for the patient asked about, and nothing of anyone else."""

from __future__ import annotations

import hashlib
import io
import json
import sqlite3
import subprocess
import zipfile
from contextlib import closing
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from consult.access import Actor
from consult.clinical import fileformat
from consult.errors import ConsultError, PermissionDenied
from consult.pricing.quote import build_quote
from consult.protection.patient_export import export_patient
from consult.storage import Database, consents, exchange, prices, quotes, settings
from consult.storage.audit import verify_chain
from tests.consult.safety.clinic import MANAGER, sqlite_url

RECEPTION = Actor(None, "frontdesk", "reception", "desk-1")


def _consent_pdf(name: str) -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, f"Consent of {name}")
    page.save()
    return buffer.getvalue()


def _full_record(db: Database, examples: Path, name: str, email: str, phone: str) -> int:
    """A patient with a consultation, a quote and a stored consent, via the real repositories."""
    base = fileformat.load(examples / "acne-scars.json")
    born = date(1989, 4, 2)
    patient = replace(base.patient, name=name, date_of_birth=born, email=email, phone=phone)
    consultation = replace(base, patient=patient)
    imported = exchange.import_consultation(db, MANAGER, consultation)
    priced = build_quote(
        consultation, prices.current_price_list(db), settings.get_settings(db).pricing
    )
    quotes.save_quote(db, MANAGER, imported.consultation_id, priced)
    consents.store(db, MANAGER, imported.consultation_id, "consent", _consent_pdf(name))
    return imported.patient_id


@pytest.fixture
def clinic(tmp_path: Path, data_dir: Path, examples: Path) -> tuple[Database, int, int]:
    db = Database.open(sqlite_url(tmp_path / "clinic.sqlite3"))
    ana = _full_record(db, examples, "Ana Souza", "ana@example.org", "+44 20 7946 0001")
    # Same first names, same birthday: a search by name would catch both.
    other = _full_record(db, examples, "Ana Souza Lima", "lima@example.org", "+44 20 7946 0999")
    yield db, ana, other
    db.close()


def _read(zip_path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(zip_path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_the_export_holds_the_patients_whole_record(
    clinic: tuple[Database, int, int], tmp_path: Path
) -> None:
    db, ana, _ = clinic
    target = tmp_path / "exports" / "ana.zip"

    report = export_patient(db, MANAGER, ana, target)

    files = _read(target)
    assert set(files) == {
        "manifest.json",
        "patient.json",
        "consultations/1.json",
        "consultations/index.json",
        "quotes/1.json",
        "consents/1-consent.pdf",
        "consents/index.json",
        "consents/SHA256SUMS",
        "audit-events.json",
    }
    assert (report.consultations, report.quotes, report.consents) == (1, 1, 1)
    assert json.loads(files["patient.json"])["email"] == "ana@example.org"
    consultation = fileformat.loads(files["consultations/1.json"].decode())
    assert consultation.patient.name == "Ana Souza"
    quote = json.loads(files["quotes/1.json"])
    assert quote["patient_id"] == ana
    assert quote["total"] == str(quotes.list_for_patient(db, MANAGER, ana)[0].total)


def test_the_consent_pdf_is_exported_byte_for_byte_with_its_fingerprint(
    clinic: tuple[Database, int, int], tmp_path: Path
) -> None:
    db, ana, _ = clinic
    target = tmp_path / "ana.zip"
    export_patient(db, MANAGER, ana, target)

    files = _read(target)
    pdf = files["consents/1-consent.pdf"]
    assert pdf == consents.get_pdf(db, MANAGER, 1)
    index = json.loads(files["consents/index.json"])
    assert index[0]["sha256_at_signing"] == hashlib.sha256(pdf).hexdigest()
    assert index[0]["matches_sha256_at_signing"] is True
    with zipfile.ZipFile(target) as archive:
        archive.extractall(tmp_path / "unpacked")
    checked = subprocess.run(
        ["sha256sum", "--check", "SHA256SUMS"],
        cwd=tmp_path / "unpacked" / "consents",
        capture_output=True,
        text=True,
        check=False,
    )
    assert (checked.returncode, checked.stdout) == (0, "1-consent.pdf: OK\n")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    assert "Consent of Ana Souza" in text


def test_nothing_of_a_patient_with_a_similar_name_is_exported(
    clinic: tuple[Database, int, int], tmp_path: Path
) -> None:
    db, ana, other = clinic
    target = tmp_path / "ana.zip"
    export_patient(db, MANAGER, ana, target)

    files = _read(target)
    for name, content in files.items():
        for trace in (b"Lima", b"lima@example.org", b"7946 0999"):
            assert trace not in content, f"{name} holds {trace!r} of the other patient"
    events = json.loads(files["audit-events.json"])
    assert events, "the patient's own audit events are exported"
    with closing(sqlite3.connect(db.url.database)) as connection:
        about_ana = list(
            connection.execute(
                "SELECT id, action FROM audit_events WHERE patient_id = ? ORDER BY id", (ana,)
            )
        )
        others = {
            row[0]
            for row in connection.execute(
                "SELECT id FROM audit_events WHERE patient_id = ?", (other,)
            )
        }
    # The export's own event is written after the snapshot it describes.
    assert [event["id"] for event in events] == [event_id for event_id, _ in about_ana[:-1]]
    assert about_ana[-1][1] == "patient.export"
    assert not others & {event["id"] for event in events}


def test_the_manifest_fingerprints_every_file(
    clinic: tuple[Database, int, int], tmp_path: Path
) -> None:
    db, ana, _ = clinic
    target = tmp_path / "ana.zip"
    export_patient(db, MANAGER, ana, target)

    files = _read(target)
    manifest = json.loads(files.pop("manifest.json"))
    assert manifest["format"] == "consult-patient-export/1"
    assert manifest["exported_by"] == MANAGER.username
    assert manifest["files"] == {
        name: hashlib.sha256(content).hexdigest() for name, content in files.items()
    }


def test_the_export_is_audited_with_the_zips_fingerprint(
    clinic: tuple[Database, int, int], tmp_path: Path
) -> None:
    db, ana, _ = clinic
    target = tmp_path / "ana.zip"
    report = export_patient(db, MANAGER, ana, target)

    with closing(sqlite3.connect(db.url.database)) as connection:
        action, patient_id, username, detail = connection.execute(
            "SELECT action, patient_id, username, detail FROM audit_events ORDER BY id DESC LIMIT 1"
        ).fetchone()
    assert (action, patient_id, username) == ("patient.export", ana, MANAGER.username)
    assert json.loads(detail)["sha256"] == hashlib.sha256(target.read_bytes()).hexdigest()
    assert report.sha256 == json.loads(detail)["sha256"]
    assert verify_chain(db) == []


def test_reception_may_not_export_and_nothing_is_written(
    clinic: tuple[Database, int, int], tmp_path: Path
) -> None:
    db, ana, _ = clinic
    target = tmp_path / "ana.zip"
    with pytest.raises(PermissionDenied, match="frontdesk"):
        export_patient(db, RECEPTION, ana, target)
    assert not target.exists()
    with closing(sqlite3.connect(db.url.database)) as connection:
        exports = connection.execute(
            "SELECT count(*) FROM audit_events WHERE action = 'patient.export'"
        ).fetchone()[0]
    assert exports == 0


def test_an_unknown_patient_leaves_an_earlier_export_untouched(
    clinic: tuple[Database, int, int], tmp_path: Path
) -> None:
    db, _, _ = clinic
    target = tmp_path / "export.zip"
    target.write_bytes(b"an earlier export")
    with pytest.raises(ConsultError, match="patient 999 does not exist"):
        export_patient(db, MANAGER, 999, target)
    assert target.read_bytes() == b"an earlier export"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_consent_altered_after_signing_is_exported_as_stored_and_flagged(
    clinic: tuple[Database, int, int], tmp_path: Path
) -> None:
    db, ana, _ = clinic
    with closing(sqlite3.connect(db.url.database)) as connection:
        connection.execute("DROP TRIGGER IF EXISTS consent_records_no_update")
        connection.execute(
            "UPDATE consent_records SET pdf = CAST(pdf || X'0A2525' AS BLOB) WHERE patient_id = ?",
            (ana,),
        )
        connection.commit()
    target = tmp_path / "ana.zip"
    export_patient(db, MANAGER, ana, target)

    files = _read(target)
    index = json.loads(files["consents/index.json"])
    assert index[0]["matches_sha256_at_signing"] is False
    exported = hashlib.sha256(files["consents/1-consent.pdf"]).hexdigest()
    assert exported != index[0]["sha256_at_signing"]
