"""Protecting the records: backups, restores and a patient's complete export."""

from __future__ import annotations

from pathlib import Path

from consult.protection.backup import BackupReport, RestoreReport, backup_database, restore_database
from consult.protection.patient_export import ExportReport, export_patient
from consult.services.acting import SignedIn, use_case


@use_case("protection.export_patient")
def export_patient_records(user: SignedIn, patient_id: int, zip_path: str | Path) -> ExportReport:
    """Every record of the patient, with its PDFs and audit events, in one zip (audited)."""
    return export_patient(user.database, user.actor, patient_id, zip_path)


def _url(user: SignedIn) -> str:
    return user.database.url.render_as_string(hide_password=False)


@use_case("protection.backup")
def backup(user: SignedIn, target: str | Path, passphrase: str | None = None) -> BackupReport:
    """A consistent, checked copy of the clinic database, taken while it is in use."""
    return backup_database(_url(user), target, user.actor, passphrase)


@use_case("protection.restore")
def restore(user: SignedIn, source: str | Path, passphrase: str | None = None) -> RestoreReport:
    """Replace the clinic database with a backup, keeping the database as it was beside it.

    The restore is exclusive (refused while another workstation is connected), so this
    process lets go of its own connections to the database first.
    """
    url = _url(user)
    user.database.engine.dispose()
    return restore_database(url, source, user.actor, passphrase)


def restore_as_backup_account(
    url: str,
    source: str | Path,
    username: str,
    password: str,
    *,
    workstation: str,
    passphrase: str | None = None,
) -> RestoreReport:
    """Restore onto an empty or unreadable database, signed in to the backup's accounts.

    Nobody can sign in to a lost database; the backup's own account (a manager, with the
    backup's password) authorises the restore and is named in its audit event.
    """
    from consult.protection.backup_accounts import sign_in_to_backup

    actor = sign_in_to_backup(
        Path(source), username, password, workstation=workstation, passphrase=passphrase
    )
    return restore_database(url, source, actor, passphrase)
