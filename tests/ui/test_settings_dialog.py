"""Clinic settings: checked field by field, saved through the settings repository."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from PIL import Image

from consult.errors import PermissionDenied
from consult.storage import settings, users
from tests.helpers.qt import OFFSCREEN_SIZE_HINTS
from tests.helpers.signing import signed
from ui.dialogs.settings_dialog import SettingsDialog
from ui.shell.context import AppContext

pytestmark = OFFSCREEN_SIZE_HINTS


def test_bad_values_are_named_and_nothing_is_saved(qtbot, db, context):
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    before = settings.get_settings(db)
    dialog.tax_percent.setText("120")
    dialog.submit()
    assert dialog.error.text().startswith("Tax rate (%): ")
    dialog.tax_percent.setText("8.25")
    dialog.course_discount_percent.setText("ten")
    dialog.submit()
    assert dialog.error.text() == 'Course discount (%): "ten" is not a number'
    dialog.course_discount_percent.setText("10")
    dialog.name.setText("   ")
    dialog.submit()
    assert dialog.error.text() == "Clinic name: must not be empty"
    assert settings.get_settings(db) == before


def test_saved_settings_reach_the_database(qtbot, db, context, tmp_path):
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    logo = tmp_path / "logo.png"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "#2f6f8f").save(buffer, format="PNG")
    logo.write_bytes(buffer.getvalue())
    dialog.name.setText("Harbour Skin Clinic, Leith")
    dialog.currency.setCurrentText("GBP")
    dialog.locale_box.setCurrentText("en_GB")
    dialog.tax_percent.setText("20")
    dialog.manual_discount_limit_percent.setText("15")
    dialog.idle_lock_minutes.setValue(3)
    dialog.load_logo(logo)
    dialog.submit()
    assert dialog.result() == dialog.DialogCode.Accepted
    stored = settings.get_settings(db)
    assert (stored.name, stored.currency, stored.locale) == (
        "Harbour Skin Clinic, Leith",
        "GBP",
        "en_GB",
    )
    assert stored.tax_rate == Decimal("0.2")
    assert stored.manual_discount_limit_percent == Decimal(15)
    assert stored.idle_lock_minutes == 3
    assert stored.logo == logo.read_bytes()


def test_saving_keeps_the_clinics_time_zone(qtbot, db, context):
    zone = settings.get_settings(db).time_zone
    assert zone  # the test clinic is set up
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.idle_lock_minutes.setValue(9)
    dialog.submit()
    assert settings.get_settings(db).time_zone == zone


def test_the_photo_size_cap_is_a_setting_kept_across_saves(qtbot, db, context):
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    dialog.photo_long_edge.setValue(2000)
    dialog.submit()
    assert settings.get_settings(db).photo_long_edge == 2000
    again = SettingsDialog(context)
    qtbot.addWidget(again)
    assert again.photo_long_edge.value() == 2000
    again.idle_lock_minutes.setValue(7)
    again.submit()
    assert settings.get_settings(db).photo_long_edge == 2000


def test_a_text_file_is_not_accepted_as_a_logo(qtbot, context, tmp_path):
    dialog = SettingsDialog(context)
    qtbot.addWidget(dialog)
    fake = tmp_path / "logo.png"
    fake.write_text("not an image", encoding="utf-8")
    dialog.load_logo(fake)
    assert dialog.error.text().startswith("Logo: ")
    assert dialog.logo is None


def test_a_practitioner_cannot_save_settings(qtbot, db, context):
    account = users.create_user(
        db, context.actor, username="pat", full_name="Pat", role="practitioner",
        password="correct horse battery",
    )
    practitioner = AppContext(signed(db, account), "")
    dialog = SettingsDialog(practitioner)
    qtbot.addWidget(dialog)
    dialog.phone.setText("+44 131 000 0000")
    dialog.submit()
    assert "not allowed" in dialog.error.text()
    with pytest.raises(PermissionDenied):
        settings.update_settings(db, practitioner.actor, settings.get_settings(db).pricing, 1)
