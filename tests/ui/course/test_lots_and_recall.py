"""The Lots and devices screen and the Recall screen, on a real clinic database."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Qt
from sqlalchemy import select

from consult.records.course import LotInput
from consult.services import lots
from consult.storage import users
from consult.storage.models import AuditEvent
from tests.helpers.course import signed_course
from tests.helpers.signing import signed
from ui.course.lots_view import LotsView
from ui.course.recall_view import RecallView
from ui.widgets.dates import show_date

LEFT = Qt.MouseButton.LeftButton


def audit_actions(db, action: str) -> list[AuditEvent]:
    with db.Session() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_the_lots_screen_lists_the_inventory_and_adds_a_lot_and_a_device(
    qtbot, qtmodeltester, holder, db, manager
):
    mara = signed(db, manager)
    signed_course(mara)
    lots.register_lot(mara, LotInput("Lumen Labs", "HA serum", "serum", "HA-0042",
                                     date(2020, 1, 31)))
    view = LotsView(mara, holder)
    with qtbot.waitSignal(view.loaded, timeout=30000):
        view.refresh()
    qtmodeltester.check(view.lots_model, force_py=True)
    rows = {view.lots_model.cells(row)[0]: view.lots_model.cells(row)
            for row in range(view.lots_model.rowCount())}
    assert rows["NC-2291"][1:] == ("Nano 12 cartridge", "Dermaworks", "Needle cartridge",
                                   show_date(date(2027, 6, 30)), "1")
    assert rows["HA-0042"][4].endswith("(expired)")

    qtbot.keyClicks(view.maker, "Dermaworks")
    qtbot.keyClicks(view.product, "Nano 36 cartridge")
    qtbot.keyClicks(view.lot_number, "NC-3600")
    view.expiry.setDate(QDate(2028, 1, 31))
    with qtbot.waitSignal(view.loaded, timeout=30000):  # added, then listed again
        qtbot.mouseClick(view.add_lot_button, LEFT)
    numbers = [view.lots_model.cells(row)[0] for row in range(view.lots_model.rowCount())]
    assert "NC-3600" in numbers
    assert view.lot_number.text() == ""

    qtbot.keyClicks(view.device_name, "Morpheus8")
    view.device_kind.setCurrentIndex(view.device_kind.findData("rf"))
    qtbot.keyClicks(view.serial, "M8-0001")
    with qtbot.waitSignal(view.loaded, timeout=30000):
        qtbot.mouseClick(view.add_device_button, LEFT)
    qtbot.waitUntil(lambda: view.devices_model.rowCount() == 2, timeout=30000)
    assert ("Morpheus8", "RF", "M8-0001") in [
        view.devices_model.cells(row) for row in range(2)
    ]


def test_a_lot_typed_again_with_another_expiry_is_refused_naming_the_field(
    qtbot, holder, db, manager
):
    mara = signed(db, manager)
    signed_course(mara)
    view = LotsView(mara, holder)
    qtbot.keyClicks(view.maker, "Dermaworks")
    qtbot.keyClicks(view.product, "Nano 12 cartridge")
    qtbot.keyClicks(view.lot_number, "NC-2291")
    view.expiry.setDate(QDate(2029, 1, 1))
    with qtbot.waitSignal(view.loaded, timeout=30000):
        qtbot.mouseClick(view.add_lot_button, LEFT)
    assert view.error.text().startswith("Expiry: lot NC-2291 of Dermaworks Nano 12 cartridge")
    with qtbot.waitSignal(view.loaded, timeout=30000):
        qtbot.mouseClick(view.add_device_button, LEFT)
    assert view.error.text().startswith("Device name: ")


def test_a_pasted_control_character_is_refused_naming_the_field(qtbot, holder, db, manager):
    view = LotsView(signed(db, manager), holder)
    view.device_name.setText("SkinPen\x00 Precision")  # as a paste from elsewhere can bring
    qtbot.keyClicks(view.serial, "SP-1001")
    with qtbot.waitSignal(view.loaded, timeout=30000):
        qtbot.mouseClick(view.add_device_button, LEFT)
    assert view.error.text() == "Device name: contains an invisible control character (U+0000)"
    assert lots.devices(signed(db, manager)) == ()


def test_recall_finds_every_session_that_used_the_lot_and_audits_each_search(
    qtbot, qtmodeltester, holder, db, manager
):
    mara = signed(db, manager)
    signed_course(mara, "Ana Souza")
    signed_course(mara, "Björn Åkesson", sign=False)
    view = RecallView(mara, holder)
    qtbot.keyClicks(view.lot_number, "NC-2291")
    with qtbot.waitSignal(view.searched, timeout=30000):
        qtbot.mouseClick(view.search_button, LEFT)
    qtmodeltester.check(view.model, force_py=True)
    cells = sorted(view.model.cells(row) for row in range(view.model.rowCount()))
    assert [(c[1], c[2], c[3], c[4]) for c in cells] == [
        ("Ana Souza", "Mara Quinn", "Cheeks", "SkinPen Precision (SP-1001)"),
        ("Björn Åkesson", "Mara Quinn", "Cheeks", "SkinPen Precision (SP-1001)"),
    ]
    assert view.summary.text() == "2 sessions of 2 patients used lot NC-2291."
    view.lot_number.clear()
    qtbot.keyClicks(view.lot_number, "XX-0000")
    with qtbot.waitSignal(view.searched, timeout=30000):
        qtbot.keyClick(view.lot_number, Qt.Key.Key_Return)
    assert view.model.rowCount() == 0
    assert view.summary.text() == "No session used lot XX-0000."
    assert len(audit_actions(db, "lots.recall")) == 2  # whatever each search found


def test_recall_refuses_reception_and_records_the_refusal(qtbot, holder, db, manager):
    rita = users.create_user(
        db, manager.actor("test"), username="rita", full_name="Rita Reis", role="reception",
        password="correct horse battery",
    )
    view = RecallView(signed(db, rita), holder)
    qtbot.keyClicks(view.lot_number, "NC-2291")
    with qtbot.waitSignal(view.searched, timeout=30000):
        qtbot.mouseClick(view.search_button, LEFT)
    assert "rita (Reception) is not allowed" in view.error.text()
    assert [event.outcome for event in audit_actions(db, "lots.recall")] == ["denied"]
