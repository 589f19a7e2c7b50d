"""The filter row shared by the audit trail and the manager's quotes."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QLineEdit

from ui.widgets.filter_bar import FilterBar


def _bar(qtbot) -> tuple[FilterBar, QComboBox, QLineEdit, list[None]]:
    box = QComboBox()
    box.addItems(["Any", "One", "Two"])
    search = QLineEdit()
    bar = FilterBar([box], search, dates_label="From", debounce_ms=50)
    qtbot.addWidget(bar)
    changes: list[None] = []
    bar.changed.connect(lambda: changes.append(None))
    return bar, box, search, changes


def test_a_choice_is_a_change_at_once(qtbot):
    bar, box, _, changes = _bar(qtbot)
    box.setCurrentIndex(2)
    assert changes == [None]
    assert not bar.dates_on()  # (holding the bar keeps its box alive)


def test_typing_is_one_change_once_it_pauses(qtbot):
    bar, _, search, changes = _bar(qtbot)
    with qtbot.waitSignal(bar.changed, timeout=30_000):
        qtbot.keyClicks(search, "souza")
    assert changes == [None]


def test_the_dates_count_only_while_ticked(qtbot):
    bar, _, _, changes = _bar(qtbot)
    assert not bar.dates_on()
    assert not bar.date_from.isEnabled() and not bar.date_to.isEnabled()
    bar.dates_check.setChecked(True)
    assert bar.dates_on() and bar.date_from.isEnabled() and bar.date_to.isEnabled()
    bar.date_to.setDate(bar.date_to.date().addDays(1))
    assert changes == [None, None]
