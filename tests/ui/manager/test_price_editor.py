"""The price list editor: prices edited as text, saved as a new version, old quotes kept."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import func, select

from consult.storage import prices
from consult.storage.models import PriceListVersion
from consult.storage.models.clinical import Quote
from tests.helpers.signing import signed
from ui.manager.price_editor import PRICE_COLUMN, PriceEditor, PriceItemsModel


@pytest.fixture
def editor(qtbot, clinic, holder):
    db, actor, _ = clinic
    widget = PriceEditor(signed(db, actor), holder)
    qtbot.waitUntil(lambda: widget.model.rowCount() > 0, timeout=30_000)
    return widget


def row_of(model: PriceItemsModel, treatment: str, item: str) -> int:
    return next(n for n, entry in enumerate(model.items())
                if (entry.treatment, entry.item) == (treatment, item))


def test_items_model_passes_the_model_tester(qtmodeltester, editor):
    qtmodeltester.check(editor.model)


def test_saving_makes_a_new_version_and_old_quotes_keep_theirs(qtbot, clinic, editor):
    db, _, _ = clinic
    with db.Session() as session:
        first_version = session.scalar(select(func.max(PriceListVersion.id)))
    model = editor.model
    face = model.index(row_of(model, "microneedling", "face"), PRICE_COLUMN)
    assert model.data(face) == "199.00"
    assert not editor.save_button.isEnabled()
    assert model.setData(face, "210.50")
    assert editor.save_button.isEnabled()
    assert "1 price changed" in editor.status_label.text()
    qtbot.keyClicks(editor.note_edit, "spring prices")
    with qtbot.waitSignal(editor.saved, timeout=30_000) as saved:
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    new_list = saved.args[0]
    assert new_list.version == first_version + 1
    assert new_list.get("microneedling", "face").unit_price == Decimal("210.50")
    assert prices.price_list(db, first_version).get("microneedling", "face").unit_price == (
        Decimal("199.00"))
    with db.Session() as session:
        versions = set(session.scalars(select(Quote.price_list_version_id)))
    assert versions == {first_version}  # no quote moved to the new prices
    qtbot.waitUntil(lambda: editor.versions.count() == 2, timeout=30_000)
    assert "spring prices" in editor.versions.item(0).text()
    assert editor.status_label.text() == f"Editing price list version {first_version + 1}"


@pytest.mark.parametrize(("typed", "problem"), [
    ("-5", '"-5" must not be negative'),
    ("12.345", '"12.345" has more than two decimal places'),
    ("cheap", '"cheap" is not a number'),
])
def test_a_bad_price_is_refused_with_the_item_named(editor, typed, problem):
    model = editor.model
    neck = model.index(row_of(model, "microneedling", "neck"), PRICE_COLUMN)
    assert not model.setData(neck, typed)
    assert model.data(neck) == "75.00"
    assert editor.error_label.text().endswith(problem)
    assert "Neck" in editor.error_label.text()
    assert not editor.save_button.isEnabled()


def test_someone_elses_newer_version_is_not_overwritten(qtbot, clinic, editor):
    db, actor, _ = clinic
    current = prices.current_price_list(db)
    prices.new_version(db, actor, current.with_prices(None, {
        ("microneedling", "neck"): Decimal("80.00")}), "other seat")
    model = editor.model
    model.setData(model.index(row_of(model, "microneedling", "face"), PRICE_COLUMN), "205.00")
    editor.save()
    qtbot.waitUntil(lambda: editor.error_label.isVisibleTo(editor), timeout=30_000)
    assert "changed by you, in another window" in editor.error_label.text()
    assert prices.current_price_list(db).get("microneedling", "neck").unit_price == (
        Decimal("80.00"))
