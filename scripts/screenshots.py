"""Make a PNG of each main screen of the app into docs/screenshots/.

Runs the real app code on a fresh demo clinic (consult.app.demo, in a temporary data
folder), signs in with the demo manager's account, walks through a consultation and
grabs each screen with QWidget.grab(). Works on a desktop, under Xvfb, or with no
display at all (the offscreen platform is chosen when there is none).

Run: .venv/bin/python scripts/screenshots.py [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["CONSULT_DATA_DIR"] = tempfile.mkdtemp(prefix="consult-screenshots-")
# Its throw-away sealing key needs a passphrase; a machine without a keyring has none.
os.environ.setdefault("CONSULT_SEAL_PASSPHRASE", "screenshots-only throw-away passphrase")
if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtWidgets import QApplication, QTabWidget, QWidget  # noqa: E402

SIZE = (1440, 900)


def wait_until(app: QApplication, condition: Callable[[], bool], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit("timed out waiting for the app")
        app.processEvents()


def settle(app: QApplication, seconds: float = 0.3) -> None:
    """Let queued work, layout and painting finish (PDF pages render on their own thread)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()


def save(widget: QWidget, out: Path, name: str) -> None:
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def sign(pad: QWidget, shape: list[tuple[float, float]]) -> None:
    def send(kind: QEvent.Type, x: float, y: float, held: bool) -> None:
        point = QPointF(x, y)
        button = (
            Qt.MouseButton.NoButton if kind == QEvent.Type.MouseMove else Qt.MouseButton.LeftButton
        )
        buttons = Qt.MouseButton.LeftButton if held else Qt.MouseButton.NoButton
        event = QMouseEvent(
            kind, point, pad.mapToGlobal(point), button, buttons, Qt.KeyboardModifier.NoModifier
        )
        QApplication.sendEvent(pad, event)

    send(QEvent.Type.MouseButtonPress, *shape[0], True)
    for x, y in shape[1:]:
        send(QEvent.Type.MouseMove, x, y, True)
    send(QEvent.Type.MouseButtonRelease, *shape[-1], False)


def signature(width: float, height: float, seed: float) -> list[tuple[float, float]]:
    """A flowing, handwriting-like line across the pad."""
    import math

    points = []
    for step in range(90):
        t = step / 89
        x = width * (0.08 + 0.84 * t)
        y = height * (0.55 + 0.22 * math.sin(t * 18 + seed) * (1 - 0.5 * t))
        points.append((x, y))
    return points


def answer_when_asked(app: QApplication, out: Path, name: str) -> None:
    """Once the confirmation box is up: photograph it, then answer yes as the user would."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QMessageBox

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, answer)
            return
        save(box, out, name)
        for button in box.buttons():
            if box.buttonRole(button) == QMessageBox.ButtonRole.AcceptRole:
                button.click()

    QTimer.singleShot(0, answer)


def tab_index(tabs: QTabWidget, title: str) -> int:
    return next(i for i in range(tabs.count()) if tabs.tabText(i) == title)


def course_screens(app: QApplication, window: QWidget, db: object, out: Path) -> None:
    """The course after the consent: a patient's sessions and photos, and who is due."""
    from sqlalchemy import select

    from consult.storage.models import Patient
    from consult.storage.models.course import TreatmentSession
    from consult.storage.models.photos import Photo

    window.back_to_patients()  # type: ignore[attr-defined]
    with db.Session() as session:  # type: ignore[attr-defined]
        patient = session.scalars(
            select(Patient)
            .where(Patient.id.in_(select(TreatmentSession.patient_id)))
            .where(Patient.id.in_(select(Photo.patient_id)))
            .order_by(Patient.id)
            .limit(1)
        ).one()
        name, patient_id = patient.name, patient.id
    page = window.patients  # type: ignore[attr-defined]
    page.search_box.setText(name)
    wait_until(app, lambda: page.model.row_of(patient_id) >= 0)
    page.table.selectRow(page.model.row_of(patient_id))
    detail = page.detail
    wait_until(app, lambda: detail.patient is not None and detail.patient.id == patient_id)
    detail.tabs.setCurrentIndex(tab_index(detail.tabs, "Sessions"))
    wait_until(app, lambda: detail.sessions.model.rowCount() > 0)
    detail.sessions.table.selectRow(0)
    settle(app, 1.0)
    save(window, out, "patient-sessions")
    detail.tabs.setCurrentIndex(tab_index(detail.tabs, "Photos"))
    wait_until(app, lambda: detail.photos.model.rowCount() > 0)
    settle(app, 1.5)
    save(window, out, "patient-photos")
    home = window.home  # type: ignore[attr-defined]
    home.setCurrentIndex(tab_index(home, "Due"))
    due = home.currentWidget()
    wait_until(app, lambda: hasattr(due, "model") and due.model.rowCount() > 0)
    settle(app)
    save(window, out, "due")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument(
        "--size", default="1440x900", help="window size WIDTHxHEIGHT (also try 1280x720)"
    )
    args = parser.parse_args()
    global SIZE
    width, _, height = args.size.partition("x")
    SIZE = (int(width), int(height))
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])

    from consult.app.demo import build_demo
    from consult.storage import Database, patients, settings
    from ui.dialogs.account_dialogs import LoginDialog
    from ui.dialogs.settings_dialog import SettingsDialog
    from ui.shell.app import authenticate, build_main_window
    from ui.shell.style import apply_style
    from ui.shell.workers import wait_for_background_work

    apply_style(app)
    db = Database.open(None)
    summary = build_demo(db, patients=120)
    account = next(a for a in summary.accounts if a.role == "manager")
    clinic = settings.get_settings(db)

    login = LoginDialog(partial(authenticate, db), clinic.name)
    login.username.setText(account.username)
    login.password.setText("••••••••••••")
    login.show()
    settle(app)
    save(login, out, "login")
    login.password.setText(account.password)
    login.submit()  # the password is checked on the thread pool
    wait_until(app, lambda: login.result_user is not None or login.sign_in_button.isEnabled())
    user = login.result_user
    assert user is not None, "the demo manager could not sign in"

    window = build_main_window(user, clinic)
    window.resize(*SIZE)
    window.show()
    wait_until(app, lambda: window.patients.search is not None)
    actor = window.context.actor
    chosen = patients.search_patients(db, actor, "a", limit=1)[0]
    first_word = chosen.name.split()[0]
    window.patients.search_box.setText(first_word[:3])
    wait_until(app, lambda: window.patients.model.rowCount() > 0)
    row = window.patients.model.row_of(chosen.id)
    window.patients.table.selectRow(max(row, 0))
    wait_until(app, lambda: window.patients.detail.consultations.count() > 0 or True)
    settle(app)
    save(window, out, "patients")

    patient = window.patients.detail.patient
    window.start_consultation(patient)
    wizard = window.consultation
    wizard.go_to(1)
    history = wizard.steps[1]
    history.rows["cold_sores"].yes.click()
    status = history.rows["cold_sores"].follow_ups.status
    status.setCurrentIndex(status.findData("history"))
    history.rows["smoker"].yes.click()
    smoker = history.rows["smoker"].follow_ups.status
    smoker.setCurrentIndex(smoker.findData("current"))
    iso = history.rows["isotretinoin"]
    iso.yes.click()
    iso.follow_ups.status.setCurrentIndex(iso.follow_ups.status.findData("past"))
    iso.follow_ups.date.setText("01/03/2023")
    iso.follow_ups.date.textEdited.emit("01/03/2023")
    # Every other question asked and answered "No": the screening needs every answer.
    for row in history.rows.values():
        if not (row.yes.isChecked() or row.no.isChecked()):
            row.no.click()
    settle(app)
    save(window, out, "medical-history")

    wizard.go_to(2)
    areas = wizard.steps[2]
    areas.map.show_view("face")
    areas.map.set_selected(["cheeks", "forehead"])
    settle(app)
    areas.cards["cheeks"].concerns["acne_scars"].click()
    areas.cards["forehead"].concerns["fine_lines"].click()
    settle(app)
    save(window, out, "area-map")

    wizard.go_to(3)
    settle(app)
    save(window, out, "screening")

    wizard.go_to(4)
    quote = wizard.steps[4]
    for box in list(quote.add_on_boxes.values())[:1]:
        box.click()
    quote.upfront.click()
    settle(app)
    save(window, out, "quote")

    wizard.go_to(5)
    consent = wizard.steps[5]
    consent.photography.yes.click()
    consent.marketing.no.click()
    wait_until(app, consent.preview_ready)
    for seed, pad in enumerate((consent.patient_pad, consent.practitioner_pad)):
        sign(pad, signature(pad.width(), pad.height(), seed * 2.0))
    settle(app, 2.0)
    save(window, out, "consent-signatures")

    answer_when_asked(app, out, "sign-and-seal")
    consent.sign()
    documents = wizard.steps[6]
    wait_until(app, lambda: documents.paperwork is not None)
    settle(app, 2.0)
    save(window, out, "documents")

    documents.tabs.setCurrentIndex(1)
    settle(app, 2.0)
    save(window, out, "treatment-plan")

    dialog = SettingsDialog(window.context, window)
    dialog.show()
    settle(app)
    save(dialog, out, "settings")
    dialog.close()

    course_screens(app, window, db, out)

    window.close()
    wait_for_background_work()
    db.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
