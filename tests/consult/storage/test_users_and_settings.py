"""Accounts (argon2, no defaults, first manager) and the clinic settings row."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select

from consult.access import Actor
from consult.errors import ConsultError, InvalidField, PermissionDenied, StaleRecord
from consult.storage import Database, prices, settings, users
from consult.storage.models import AuditEvent, User

PASSWORD = "correct horse battery"


def test_a_new_database_has_no_accounts_until_the_first_manager(db: Database):
    assert users.count_users(db) == 0
    first = users.create_first_manager(
        db, clinic_name="Willow Lane", username="Mara", full_name="Mara M", password=PASSWORD
    )
    assert (first.username, first.role) == ("mara", "manager")
    assert users.count_users(db) == 1
    assert settings.get_settings(db).name == "Willow Lane"
    with pytest.raises(ConsultError, match=r"already has accounts"):
        users.create_first_manager(
            db, clinic_name="X", username="eve", full_name="Eve", password=PASSWORD
        )


def test_passwords_are_stored_only_as_argon2_hashes(db: Database, manager: Actor):
    with db.Session() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "mara"))
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_every_password_check_is_timed_right_or_wrong(db: Database, manager: Actor):
    """The start-up benchmark leaves the slow hash out: each check, failed ones too (an
    unknown name is checked against a dummy hash), adds to the process's count."""
    from consult.protection.passwords import password_checking_seconds

    counts = [password_checking_seconds()]
    for name, password in (("mara", PASSWORD), ("mara", "wrong password!"), ("nobody", PASSWORD)):
        users.authenticate(db, name, password, workstation="desk-1")
        counts.append(password_checking_seconds())
    assert counts == sorted(set(counts))  # grew at each of the three


def test_signing_in(db: Database, manager: Actor):
    assert users.authenticate(db, " MARA ", PASSWORD, workstation="desk-1").id == manager.user_id
    assert users.authenticate(db, "mara", "wrong password!", workstation="desk-1") is None
    assert users.authenticate(db, "nobody", PASSWORD, workstation="desk-1") is None
    with db.Session() as session:
        outcomes = session.scalars(
            select(AuditEvent.outcome)
            .where(AuditEvent.action == "user.sign_in")
            .order_by(AuditEvent.id)
        ).all()
    assert outcomes == ["ok", "refused", "refused"]


def test_only_a_manager_creates_accounts(db: Database, practitioner: Actor):
    with pytest.raises(PermissionDenied):
        users.create_user(
            db, practitioner, username="x1", full_name="X", role="manager", password=PASSWORD
        )


def test_account_details_are_checked(db: Database, manager: Actor):
    with pytest.raises(InvalidField, match=r"^password: must be at least"):
        users.create_user(
            db, manager, username="pat", full_name="P", role="reception", password="short"
        )
    with pytest.raises(InvalidField, match=r'^username: "mara" is already taken'):
        users.create_user(
            db, manager, username="Mara", full_name="M", role="reception", password=PASSWORD
        )
    with pytest.raises(InvalidField, match=r"^role: "):
        users.create_user(
            db, manager, username="pat", full_name="P", role="owner", password=PASSWORD
        )


def test_settings_are_seeded_from_the_clinic_file_and_updated_with_a_version(
    db: Database, manager: Actor
):
    stored = settings.get_settings(db)
    assert (stored.name, stored.currency) == ("Test Clinic", "USD")
    changed = replace(stored.pricing, tax_rate=Decimal("0.0825"), currency="EUR")

    saved = settings.update_settings(db, manager, changed, stored.version, logo=b"\x89PNG logo")

    assert (saved.tax_rate, saved.currency, saved.logo) == (
        Decimal("0.0825"),
        "EUR",
        b"\x89PNG logo",
    )
    assert saved.version == stored.version + 1
    with pytest.raises(StaleRecord):
        settings.update_settings(db, manager, changed, stored.version)


def test_settings_need_the_settings_permission(db: Database, practitioner: Actor):
    stored = settings.get_settings(db)
    with pytest.raises(PermissionDenied):
        settings.update_settings(db, practitioner, stored.pricing, stored.version)


def test_prices_are_seeded_once_and_versions_listed(db: Database, manager: Actor):
    (first,) = prices.list_versions(db)
    assert first.created_by == "resources/prices.toml"
    current = prices.current_price_list(db)
    prices.new_version(db, manager, current, note="same prices, new year", based_on=first.id)
    with pytest.raises(ConsultError, match=r"changed by you, in another window \(now version"):
        prices.new_version(db, manager, current, based_on=first.id)
    assert [v.note for v in prices.list_versions(db)] == ["same prices, new year", "initial prices"]


def test_the_clinics_details_fit_their_columns():
    """consult.clinic.settings.LONGEST is what the clinic_settings columns hold."""
    from consult.clinic.settings import LONGEST
    from consult.storage.models import ClinicSettings as SettingsRow
    from consult.storage.models import column_width

    for field in ("name", "phone", "email"):
        assert LONGEST[field] == column_width(getattr(SettingsRow, field))


def test_a_clinic_name_longer_than_its_column_names_the_field(db: Database, manager: Actor):
    stored = settings.get_settings(db)
    with pytest.raises(InvalidField, match=r"^name: is longer than 200 characters"):
        settings.update_settings(db, manager, replace(stored.pricing, name="N" * 201),
                                 stored.version)  # fmt: skip


def test_a_price_list_note_with_a_control_character_names_the_field(db: Database, manager: Actor):
    current = prices.current_price_list(db)
    with pytest.raises(InvalidField, match=r"^note: contains an invisible control character"):
        prices.new_version(db, manager, current, note="2027\x00prices")
    assert len(prices.list_versions(db)) == 1


def test_a_sign_in_name_with_a_control_character_is_a_recorded_refusal(
    db: Database, manager: Actor
):
    """Never a database error (PostgreSQL takes no NUL): the attempt is refused and
    recorded with the character shown as U+FFFD."""
    assert users.authenticate(db, "mara\x00", "correct horse battery", workstation="ws") is None
    with db.Session() as session:
        attempt = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert attempt is not None
    assert (attempt.action, attempt.outcome, attempt.username) == (
        "user.sign_in", "refused", "mara\ufffd",
    )  # fmt: skip


def test_an_account_name_with_a_bidirectional_control_is_refused(db: Database, manager: Actor):
    with pytest.raises(InvalidField) as caught:
        users.create_user(
            db, manager, username="pia", full_name="Pia \u202eadnarg",
            role="practitioner", password="correct horse battery",
        )
    assert caught.value.field == "full_name"
    assert [user.username for user in users.list_users(db, manager)] == ["mara"]
