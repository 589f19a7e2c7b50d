"""The Photos tab, the import dialog with its framing guide and the compare view (qtbot,
real clinic database)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from sqlalchemy import func, select

from consult.services import photos
from consult.services.photos import PhotoImport
from consult.storage import patients, users
from consult.storage.models import AuditEvent
from tests.helpers import photos as pictures
from tests.helpers.signing import signed
from ui.patients.page import PatientDetail
from ui.photos.compare import SLIDER, CompareDialog
from ui.photos.import_dialog import ImportDialog
from ui.photos.model import PhotoTableModel
from ui.photos.tab import PhotosTab, progress_pairs
from ui.shell import confirm
from ui.shell.app import context_for


def events(db, action: str) -> int:
    with db.Session() as session:
        return session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action)
        )


@pytest.fixture
def mara(db, manager):
    return signed(db, manager)


@pytest.fixture
def patient(mara):
    return pictures.signed_consultation(mara, name="Ana Souza").patient_id


def add(user, patient_id, count=1, **changes):
    values = dict(area="cheeks", view="front", stage="before", taken_on=date(2026, 11, 20))
    values.update(changes)
    batch = tuple(
        PhotoImport(patient_id, pictures.jpeg(320, 240, colour=(i * 7 % 255, 90, 120)), **values)
        for i in range(count)
    )
    return photos.import_photos(user, batch)


@pytest.fixture
def tab(qtbot, mara, patient):
    host = QWidget()
    qtbot.addWidget(host)
    host.resize(900, 500)
    tab = PhotosTab(mara, host)
    tab.resize(900, 500)
    host.show()
    with qtbot.waitSignal(tab.loaded, timeout=30_000):
        tab.show_patient(patient)
    yield tab  # the host lives as long as the test
    host.close()


def test_the_model_passes_the_model_tester(qtbot, qtmodeltester, mara, patient):
    model = PhotoTableModel()
    records = add(mara, patient, 3)
    model.set_photos(records)
    model.add_thumbnails({records[0].id: QImage(8, 8, QImage.Format.Format_RGB32)})
    qtmodeltester.check(model, force_py=True)
    assert model.data(model.index(0, 2)) == "Before"
    assert model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole) is not None
    assert model.missing_thumbnails(range(3)) == [records[1].id, records[2].id]


def test_thumbnails_load_only_for_the_rows_on_screen(qtbot, db, mara, patient, tab):
    add(mara, patient, 40)
    with qtbot.waitSignal(tab.thumbnails_arrived, timeout=30_000):
        tab.refresh()
    shown = tab.visible_rows()
    assert 0 < len(shown) < 40
    assert tab.model.missing_thumbnails(shown) == []
    assert len(tab.model.missing_thumbnails(range(40))) == 40 - len(shown)
    with qtbot.waitSignal(tab.thumbnails_arrived, timeout=30_000):
        tab.table.scrollToBottom()
    assert tab.model.missing_thumbnails(tab.visible_rows()) == []
    assert events(db, "photos.view_thumbnails") == 2


def test_the_card_has_a_photos_tab_read_only_when_shown_and_none_for_reception(
    qtbot, db, manager, context, patient
):
    host = QWidget()
    qtbot.addWidget(host)
    detail = PatientDetail(context, host)
    titles = [detail.tabs.tabText(i) for i in range(detail.tabs.count())]
    assert "Photos" in titles
    detail.show_patient(patients.get_patient(db, context.actor, patient))
    assert events(db, "photos.list") == 0  # nothing read until the tab is looked at
    host.show()
    holder = detail.tabs.widget(titles.index("Photos"))
    assert not holder.is_built()  # built when first opened (start-up time)
    detail.tabs.setCurrentWidget(holder)
    assert holder.is_built() and detail.photos is holder.page()
    qtbot.waitUntil(lambda: events(db, "photos.list") == 1, timeout=30_000)  # that patient's

    record = users.create_user(db, manager.actor("test"), username="rita", full_name="Rita",
                               role="reception", password="correct horse battery")
    desk = PatientDetail(context_for(signed(db, record)), host)
    assert desk.photos is None
    assert "Photos" not in [desk.tabs.tabText(i) for i in range(desk.tabs.count())]


def test_import_shows_the_framing_guide_and_keeps_the_photos(qtbot, db, mara, patient, tab,
                                                             tmp_path):
    add(mara, patient)  # the previous photo of cheeks, front
    files = []
    for name, data in (("IMG_1.JPG", pictures.rotated_jpeg_with_gps()),
                       ("IMG_2.HEIC", pictures.heic())):
        (tmp_path / name).write_bytes(data)
        files.append(str(tmp_path / name))
    with qtbot.waitSignal(tab.loaded, timeout=30_000):
        tab.refresh()
    tab.import_button.click()
    dialog = tab.import_dialog
    assert isinstance(dialog, ImportDialog)
    with qtbot.waitSignal(dialog.guide_shown, timeout=30_000):
        dialog.choose("cheeks", "left_45", "after")
    assert dialog.preview.guide is None  # no earlier photo of that view
    with qtbot.waitSignal(dialog.guide_shown, timeout=30_000):
        dialog.choose("cheeks", "front", "after")
    assert dialog.preview.guide is not None
    assert dialog.preview.guide_opacity < 0.5
    with qtbot.waitSignal(dialog.preview_shown, timeout=30_000):
        dialog.add_paths(files)
    assert (dialog.preview.photo.width(), dialog.preview.photo.height()) == (480, 640)
    with qtbot.waitSignal(dialog.imported, timeout=30_000) as done:
        dialog.import_button.click()
    assert [(p.view, p.stage) for p in done.args[0]] == [("front", "after")] * 2
    qtbot.waitUntil(lambda: tab.model.rowCount() == 3, timeout=30_000)


def test_a_damaged_file_is_named_and_nothing_is_kept(qtbot, mara, patient, tab, tmp_path):
    (tmp_path / "good.png").write_bytes(pictures.png())
    (tmp_path / "broken.jpg").write_bytes(b"\xff\xd8\xff broken")
    dialog = ImportDialog(mara, patient, tab)
    qtbot.addWidget(dialog)
    dialog.add_paths([str(tmp_path / "good.png"), str(tmp_path / "broken.jpg")])
    with qtbot.waitSignal(dialog.failed, timeout=30_000) as failed:
        dialog.import_button.click()
    assert failed.args[0].startswith("broken.jpg: ")
    assert photos.list_photos(mara, patient).photos == ()


def test_compare_side_by_side_and_with_a_slider(qtbot, mara, patient, tab):
    add(mara, patient)
    add(mara, patient, stage="after", taken_on=date(2026, 12, 4))
    with qtbot.waitSignal(tab.loaded, timeout=30_000):
        tab.refresh()
    tab.table.selectAll()
    tab.compare_button.click()
    dialog = tab.compare_dialog
    assert isinstance(dialog, CompareDialog)
    qtbot.waitUntil(lambda: dialog.left.image is not None, timeout=30_000)
    assert dialog.title.text() == "Cheeks: Front"
    assert dialog.left_caption.text().startswith("Before, ")
    assert dialog.right_caption.text().startswith("After, ")
    dialog.mode.setCurrentIndex(dialog.mode.findData(SLIDER))
    assert dialog.stack.currentIndex() == SLIDER
    dialog.slider.setValue(20)
    assert dialog.slider_view.divide == pytest.approx(0.2)


def test_a_progress_pdf_of_the_selected_pair(qtbot, db, mara, patient, tab, monkeypatch):
    from ui.dialogs.pdf_dialog import PdfDialog

    add(mara, patient)
    add(mara, patient, stage="after", taken_on=date(2026, 12, 4))
    monkeypatch.setattr(PdfDialog, "open", lambda dialog: None)
    with qtbot.waitSignal(tab.loaded, timeout=30_000):
        tab.refresh()
    tab.table.selectAll()
    with qtbot.waitSignal(tab.pdf_ready, timeout=30_000) as ready:
        tab.progress_button.click()
    assert ready.args[0].startswith(b"%PDF-")
    handed = tab.progress_dialog
    assert handed.save_button is not None and handed.print_button is not None
    assert handed.handout.file_name.startswith("progress-photographs-PR-")
    handed.handout.before_saving(Path("for-ana.pdf"))
    assert events(db, "photos.progress_save") == 1
    tab.table.selectRow(0)
    tab.progress_button.click()
    assert "two photos of each view" in tab.error.text()


def test_a_folder_gives_its_photos_in_name_order(tmp_path):
    from ui.photos.import_dialog import folder_photos

    for name in ("b.HEIC", "a.jpg", "notes.txt", "c.png"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "inner.jpg").mkdir()
    assert [Path(p).name for p in folder_photos(str(tmp_path))] == ["a.jpg", "b.HEIC", "c.png"]


def test_progress_pairs_are_two_photos_of_each_view(mara, patient):
    first, second = add(mara, patient, 2)
    (profile,) = add(mara, patient, view="left_profile")
    assert progress_pairs([first, second]) == ((first.id, second.id),)
    with pytest.raises(Exception, match="two photos of each view"):
        progress_pairs([first, second, profile])


def test_withdrawal_hides_the_photos_and_a_manager_reveals_them_with_a_reason(
    qtbot, db, mara, patient, tab, monkeypatch
):
    add(mara, patient, 2)
    monkeypatch.setattr(confirm, "ask", lambda *args: True)
    tab.withdraw_button.click()
    assert "Note how and when" in tab.error.text()
    tab.reason.setText("told us by phone on 3 Dec")
    with qtbot.waitSignal(tab.loaded, timeout=30_000):
        tab.withdraw_button.click()
    assert tab.model.rowCount() == 0
    assert "withdrew consent" in tab.consent.text() and "2 photo(s) hidden" in tab.consent.text()
    assert not tab.import_button.isEnabled()
    assert tab.reveal_button.isVisible()
    tab.reason.setText("insurer's claim 2026-44")
    with qtbot.waitSignal(tab.loaded, timeout=30_000):
        tab.reveal_button.click()
    assert tab.model.rowCount() == 2
    assert events(db, "photos.reveal") >= 1  # the list, and each batch of thumbnails


def test_marketing_consent_withdrawn_from_the_tab(qtbot, mara, tab, monkeypatch):
    patient = pictures.signed_consultation(mara, marketing=True, name="Bea Lima").patient_id
    with qtbot.waitSignal(tab.loaded, timeout=30_000):
        tab.show_patient(patient)
    assert "Marketing use: consented." in tab.consent.text()
    monkeypatch.setattr(confirm, "ask", lambda *args: True)
    tab.reason.setText("email of 5 Dec")
    with qtbot.waitSignal(tab.loaded, timeout=30_000):
        tab.marketing_button.click()
    assert "Marketing use: not consented." in tab.consent.text()
    assert not tab.marketing_button.isEnabled() and tab.import_button.isEnabled()


def test_erasure_asks_first_then_leaves_a_tombstone(qtbot, mara, patient, tab, monkeypatch):
    add(mara, patient, 2)
    answers = iter([False, True])
    monkeypatch.setattr(confirm, "ask", lambda *args: next(answers))
    tab.reason.setText("erasure request of 2 Dec")
    tab.erase_button.click()  # answered no: nothing happens
    assert len(photos.list_photos(mara, patient).photos) == 2
    with qtbot.waitSignal(tab.loaded, timeout=30_000):
        tab.erase_button.click()
    assert tab.model.rowCount() == 0
    assert "2 photo(s) erased on request" in tab.consent.text()


def test_the_camera_button_shows_only_where_a_camera_is(qtbot, mara, patient, tab):
    from ui.photos.camera import camera_available

    dialog = ImportDialog(mara, patient, tab)
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.camera_checked, timeout=30_000):
        pass
    assert dialog.camera_button.isVisible() is camera_available()


def test_a_camera_frame_is_imported_from_memory(qtbot, mara, patient, tab):
    from ui.photos.camera import jpeg_bytes

    frame = QImage(640, 480, QImage.Format.Format_RGB32)
    frame.fill(Qt.GlobalColor.darkCyan)
    dialog = ImportDialog(mara, patient, tab)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.preview_shown, timeout=30_000):
        dialog.add_capture(jpeg_bytes(frame))
    assert dialog.paths() == ["Camera photo 1"]
    assert (dialog.preview.photo.width(), dialog.preview.photo.height()) == (640, 480)
    with qtbot.waitSignal(dialog.imported, timeout=30_000) as done:
        dialog.import_button.click()
    (kept,) = done.args[0]
    assert (kept.width, kept.height) == (640, 480)
