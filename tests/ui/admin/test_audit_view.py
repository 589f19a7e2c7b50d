"""The audit viewer: lazy pages, filters that narrow, and the chain check off the GUI thread."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from PySide6.QtCore import QDate, QModelIndex, Qt
from sqlalchemy import select, text

from consult.clinical.fileformat import Patient
from consult.errors import PermissionDenied
from consult.records.audit import AuditFilter
from consult.storage import Database, patients, users
from consult.storage.models import AuditEvent
from tests.helpers.signing import signed
from ui.admin.audit_view import AuditDesk, AuditModel, AuditView, detail_text

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
ANA = Patient("Ana Souza", date(1989, 4, 2), 3, "ana@example.org", None)
ZOE = Patient("Zoë Ångström", date(1992, 7, 14), 2, None, None)


@pytest.fixture
def trail(db, manager, practitioner) -> dict[str, int]:
    ids = {
        "ana": patients.create_patient(db, practitioner, ANA).id,
        "zoe": patients.create_patient(db, practitioner, ZOE).id,
    }
    for _ in range(3):
        patients.get_patient(db, practitioner, ids["ana"])
    patients.get_patient(db, manager, ids["zoe"])
    users.authenticate(db, "pia", "a wrong password", workstation="seat 3")
    return ids


@pytest.fixture
def view(qtbot, db, manager, trail, holder) -> AuditView:
    widget = AuditView(signed(db, manager), holder)
    _wait_until_loaded(qtbot, widget)
    return widget


def _wait_until_loaded(qtbot, view: AuditView) -> None:
    qtbot.waitUntil(lambda: not view.model.is_loading() and view.model.count is not None,
                    timeout=30_000)


def _column(view: AuditView, name: str) -> list[str]:
    model = view.model
    column = ["#", "When", "User", "Workstation", "Patient", "Action", "Outcome",
              "Detail"].index(name)
    return [model.data(model.index(row, column)) for row in range(model.rowCount())]


def _events(db: Database) -> list[AuditEvent]:
    with db.Session() as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())))


def test_the_model_passes_the_model_tester_while_pages_arrive(qtbot, qtmodeltester, db,
                                                              manager, trail, holder):
    model = AuditModel(AuditDesk(signed(db, manager)), page_size=3, parent=holder)
    with qtbot.waitSignals([model.page_loaded, model.count_changed], timeout=30_000):
        model.refresh()
    # The tester stays connected: it checks the rows each later page inserts. (It may
    # itself ask for the next page, hence the wait.)
    qtmodeltester.check(model, force_py=True)
    qtbot.waitUntil(lambda: not model.is_loading(), timeout=30_000)
    while model.canFetchMore(QModelIndex()):
        with qtbot.waitSignal(model.page_loaded, timeout=30_000):
            model.fetchMore(QModelIndex())
    # Every event that existed when the listing opened, newest first, none twice.
    listed = [model.row_at(row).id for row in range(model.rowCount())]
    assert listed == [event.id for event in _events(db)][1:]  # [0]: the listing's own event
    assert model.count == len(listed)


def test_only_a_manager_may_open_the_viewer(db, practitioner, qtbot):
    with pytest.raises(PermissionDenied, match="audit: read"):
        AuditView(signed(db, practitioner))


def test_events_are_listed_newest_first_and_viewing_is_audited(db, view, trail):
    ids = [int(cell) for cell in _column(view, "#")]
    assert ids == sorted(ids, reverse=True)
    assert _column(view, "Action")[:2] == ["user.sign_in", "patient.view"]
    assert _column(view, "Outcome")[0] == "refused"
    assert _column(view, "Patient")[1] == f"Zoë Ångström (#{trail['zoe']})"
    assert view.count_label.text() == f"{len(ids)} events match"
    newest = _events(db)[0]
    assert (newest.action, newest.username) == ("audit.view", "mara")


def test_the_drop_downs_offer_what_occurs(qtbot, view):
    qtbot.waitUntil(lambda: view.user_box.count() > 1, timeout=30_000)
    users_offered = [view.user_box.itemText(i) for i in range(view.user_box.count())]
    assert users_offered == ["Any user", "mara", "pia"]
    outcomes = [view.outcome_box.itemText(i) for i in range(view.outcome_box.count())]
    assert outcomes == ["Any outcome", "ok", "refused"]


def _choose(qtbot, view: AuditView, box, value: str) -> None:
    qtbot.waitUntil(lambda: box.findData(value) >= 0, timeout=30_000)
    with qtbot.waitSignal(view.model.count_changed, timeout=30_000):
        box.setCurrentIndex(box.findData(value))
    _wait_until_loaded(qtbot, view)


def test_filters_narrow_the_listing(qtbot, view, trail):
    _choose(qtbot, view, view.user_box, "pia")
    assert set(_column(view, "User")) == {"pia"}

    _choose(qtbot, view, view.action_box, "patient.view")
    assert _column(view, "Action") == ["patient.view"] * 3
    assert view.count_label.text() == "3 events match"

    with qtbot.waitSignal(view.model.count_changed, timeout=30_000):
        qtbot.keyClicks(view.patient_edit, "angstrom")  # debounced: one query
    _wait_until_loaded(qtbot, view)
    assert view.model.rowCount() == 0
    assert view.count_label.text() == "0 events match"

    _choose(qtbot, view, view.user_box, "mara")
    assert _column(view, "Patient") == [f"Zoë Ångström (#{trail['zoe']})"]
    assert view.model.current_filter == AuditFilter(username="mara", patient="angstrom",
                                                    action="patient.view")


def test_a_patient_id_and_the_outcome_narrow_too(qtbot, view, trail):
    with qtbot.waitSignal(view.model.count_changed, timeout=30_000):
        qtbot.keyClicks(view.patient_edit, f"#{trail['ana']}")
    _wait_until_loaded(qtbot, view)
    assert _column(view, "Action") == ["patient.view"] * 3 + ["patient.create"]

    view.patient_edit.clear()
    _choose(qtbot, view, view.outcome_box, "refused")
    assert _column(view, "Action") == ["user.sign_in"]
    assert _column(view, "Detail") == ["failures_in_a_row: 1; reason: wrong username or password"]


def test_the_date_range_filters_and_a_backwards_one_is_named(qtbot, view):
    view.date_from.setDate(QDate.currentDate().addDays(1))
    view.date_to.setDate(QDate.currentDate().addDays(2))
    with qtbot.waitSignal(view.model.count_changed, timeout=30_000):
        view.dates_check.setChecked(True)
    _wait_until_loaded(qtbot, view)
    assert view.model.rowCount() == 0

    view.date_from.setDate(QDate.currentDate())
    _wait_until_loaded(qtbot, view)
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=30_000)

    view.date_to.setDate(QDate.currentDate().addDays(-1))
    assert view.error_label.text() == "Date range: the end of the date range is before its start"
    assert view.model.current_filter.date_to == date.today() + timedelta(days=2)


def test_verify_reports_an_intact_chain(qtbot, db, view):
    events = len(_events(db))
    with qtbot.waitSignal(view.verified, timeout=30_000):
        view.verify_button.click()
    assert view.verify_label.text() == f"Audit trail intact: {events} events checked."
    assert view.problems.isHidden()
    assert view.verify_button.isEnabled()
    newest = _events(db)[0]
    assert (newest.action, newest.outcome) == ("audit.verify", "intact")


def test_verify_reports_a_rewritten_event(qtbot, db, view):
    _drop_triggers(db)
    with db.engine.begin() as connection:
        connection.execute(text("UPDATE audit_events SET action = 'nothing' WHERE id = 4"))

    with qtbot.waitSignal(view.verified, timeout=30_000):
        view.verify_button.click()

    assert view.verify_label.text().startswith("Audit trail BROKEN: 1 problem in ")
    assert not view.problems.isHidden()
    assert view.problems.toPlainText().startswith("event 4 (nothing by pia) was altered")


@pytest.mark.parametrize(
    ("detail", "shown"),
    [
        ('{"fields":["name","phone"]}', "fields: name, phone"),
        ('{"filter":{"action":"patient.view"}}', "filter: action=patient.view"),
        ('{"filter":{}}', "filter: (none)"),
        ("{}", ""),
        ("not json", "not json"),
    ],
)
def test_details_read_as_words(detail, shown):
    assert detail_text(detail) == shown


def _drop_triggers(db: Database) -> None:
    with db.engine.begin() as connection:
        if db.dialect == "postgresql":
            connection.execute(text("DROP TRIGGER audit_events_append_only ON audit_events"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
            connection.execute(text("DROP TRIGGER audit_events_no_delete"))


def test_details_never_show_none_and_columns_fit_their_content(qtbot, view):
    assert detail_text('{"quote": 7, "comment": null}') == "quote: 7"
    assert "None" not in detail_text('{"fields": [], "before": {"a": null}, "flag": true}')
    qtbot.waitUntil(lambda: view.model.rowCount() > 0, timeout=30_000)
    table = view.table
    for column in range(view.model.columnCount() - 1):
        widest = max(
            table.sizeHintForColumn(column), table.horizontalHeader().sectionSizeHint(column)
        )
        title = view.model.headerData(column, Qt.Orientation.Horizontal)
        assert table.columnWidth(column) >= widest, title
    for row in range(view.model.rowCount()):
        for column in range(view.model.columnCount()):
            assert "None" not in str(view.model.index(row, column).data())
