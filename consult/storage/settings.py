"""The clinic's settings row: name, contact, currency, tax, discounts, idle lock.

The values are validated by consult.pricing.ClinicSettings, the same class the quote
engine prices with. The row is written on first open from resources/clinic.toml.
"""

from __future__ import annotations

from dataclasses import fields, replace
from functools import partial

from sqlalchemy.orm import Session

from consult.access import Actor, require
from consult.clinic.settings import ClinicSettings, check_name, default_settings
from consult.errors import InvalidField
from consult.records import StoredSettings
from consult.storage import audit
from consult.storage.db import Database
from consult.storage.locking import check_version, flush_or_stale
from consult.storage.models import ClinicSettings as SettingsRow
from consult.storage.seeding import SETTINGS_ROW_ID

ROW_ID = SETTINGS_ROW_ID
# A logo is printed on documents; keep it to the size of a reasonable image file.
MAX_LOGO_BYTES = 2 * 1024 * 1024
_KEYS = tuple(f.name for f in fields(ClinicSettings))


def get_settings(db: Database) -> StoredSettings:
    """The clinic's settings (no permission needed: every screen shows the currency)."""
    with db.Session() as session:
        return _to_stored(_row(session))


def update_settings(
    db: Database,
    actor: Actor,
    settings: ClinicSettings,
    expected_version: int,
    *,
    logo: bytes | None = None,
    keep_logo: bool = True,
) -> StoredSettings:
    """Save new settings; `keep_logo=False` with `logo=None` removes the logo."""
    require(actor, "settings.edit")
    if logo is not None and len(logo) > MAX_LOGO_BYTES:
        raise InvalidField("logo", f"is larger than {MAX_LOGO_BYTES // 1024 // 1024} MB")
    with db.Session.begin() as session:
        row = _row(session)
        check_version(
            row.version,
            expected_version,
            "the clinic settings",
            partial(audit.last_author, session, actor, action_prefix="settings.update"),
        )
        before = {key: getattr(row, key) for key in _KEYS}
        for key in _KEYS:
            setattr(row, key, getattr(settings, key))
        if logo is not None or not keep_logo:
            row.logo = logo
        flush_or_stale(session, "the clinic settings")
        changed = sorted(key for key in _KEYS if before[key] != getattr(settings, key))
        if logo is not None or not keep_logo:
            changed.append("logo")
        audit.record(session, actor, "settings.update", detail={"fields": changed})
        return _to_stored(row)


def validated_name(name: str) -> str:
    """A clinic name held to the same rules as the settings dialog."""
    return replace(default_settings(), name=check_name(" ".join(name.split()))).name


def _row(session: Session) -> SettingsRow:
    row = session.get(SettingsRow, ROW_ID)
    if row is None:
        raise InvalidField("clinic_settings", "the settings row is missing from the database")
    return row


def _to_stored(row: SettingsRow) -> StoredSettings:
    return StoredSettings(
        **{key: getattr(row, key) for key in _KEYS}, logo=row.logo, version=row.version
    )
