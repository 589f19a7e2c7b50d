"""GUI-thread blocks while 20 photos of 12 MP are imported, and the GUI time to open a
patient with 200 photos, each beside a floor, interleaved in one run.

    .venv/bin/python bench/photos.py [--rounds N]

Builds a clinic in a temporary SQLite file with one patient whose signed consent allows
clinical photographs.

- Import: the real import dialog (offscreen) imports 20 JPEGs of 4000×3000 while a
  heartbeat timer ticks every 5 ms on the GUI thread; the longest gap between ticks is
  the longest the window could not answer. Floor: the same heartbeat while a plain
  thread-pool job decodes and scales the same 20 files with Pillow (no database, no
  dialog). Goal (issue 17): every product block under 50 ms.
- Open: the Photos tab receiving the list of 200 photos and the first screen of
  thumbnails (the GUI-thread part: the model reset and the rows on screen), beside the
  floor: a QStandardItemModel filled with the same 200 rows of text in a QTableView.
  Goal: under 100 ms of GUI-thread time.

Prints `ratio=X.XX` last: (worst import block + open time) over the floors' sum.
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The signed consent is sealed; a bench machine has no keyring for the sealing key.
os.environ.setdefault("CONSULT_SEAL_PASSPHRASE", "a bench-only seal passphrase")

from PIL import Image, ImageDraw  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, QRunnable, QThreadPool, QTimer  # noqa: E402
from PySide6.QtGui import QStandardItem, QStandardItemModel  # noqa: E402
from PySide6.QtWidgets import QApplication, QTableView, QWidget  # noqa: E402

from consult.clinic.settings import ClinicSettings  # noqa: E402
from consult.clinical import fileformat  # noqa: E402
from consult.services import accounts, photos, signing  # noqa: E402
from consult.services.photos import PhotoImport  # noqa: E402
from consult.services.signing import SigningRequest  # noqa: E402
from consult.storage import Database, users  # noqa: E402

PASSWORD = "a long bench passphrase"
CLINIC = ClinicSettings(
    name="Bench Clinic", address="1 Bench Road", phone="+1 555 0199", time_zone="Europe/London"
)
IMPORTS = 20
LISTED = 200
HEARTBEAT_MS = 5
LIMIT_MS = 50.0
OPEN_GOAL_MS = 100.0


def jpeg(width: int, height: int, seed: int) -> bytes:
    image = Image.new("RGB", (width, height), (90 + seed % 100, 140, 200))
    draw = ImageDraw.Draw(image)
    for step in range(0, width, 97):
        draw.line([(step, 0), (width - step, height)], fill=(seed % 255, 60, 60), width=9)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def ink() -> bytes:
    image = Image.new("RGBA", (300, 100), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 80), (80, 20), (150, 70), (290, 30)], fill=(0, 0, 0), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def build(path: Path):
    db = Database.open(f"sqlite:///{path}")
    users.create_first_manager(
        db, clinic_name=CLINIC.name, username="mara", full_name="Mara Quinn",
        password=PASSWORD, clinic=CLINIC,
    )
    mara = accounts.sign_in(db, "mara", PASSWORD, workstation="bench")
    file = fileformat.from_dict({
        "format": "consult/1", "consultation_date": date.today().isoformat(),
        "patient": {"name": "Ana Souza", "date_of_birth": "1980-06-15", "fitzpatrick": 3},
        "treatment": "microneedling",
        "areas": [{"area": "cheeks", "concerns": ["acne_scars"]}],
        "history": {},
        "consent": {"photography": True, "marketing": False},
    })
    signature = ink()
    signed = signing.sign(mara, SigningRequest(file, True, False, signature, signature))
    return db, mara, signed.patient_id


class Heartbeat:
    """Ticks every 5 ms on the GUI thread; `worst` is the longest gap between ticks."""

    def __init__(self) -> None:
        self.clock = QElapsedTimer()
        self.timer = QTimer()
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self.tick)
        self.last = 0
        self.worst = 0.0

    def start(self) -> None:
        self.clock.start()
        self.last = 0
        self.worst = 0.0
        self.timer.start()

    def tick(self) -> None:
        now = self.clock.elapsed()
        self.worst = max(self.worst, float(now - self.last))
        self.last = now

    def stop(self) -> float:
        self.timer.stop()
        return self.worst


def wait_for(signal, timeout_ms: int = 600_000) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def import_worst_ms(user, patient_id: int, files: list[str], host: QWidget) -> float:
    from ui.photos.import_dialog import ImportDialog  # loaded before the first round

    dialog = ImportDialog(user, patient_id, host)
    dialog.show()
    heart = Heartbeat()
    heart.start()
    dialog.add_paths(files)
    dialog.choose("cheeks", "front", "before")
    dialog.start_import()
    wait_for(dialog.imported)
    worst = heart.stop()
    dialog.deleteLater()
    return worst


class _Decode(QRunnable):
    def __init__(self, files: list[str], done: QTimer) -> None:
        super().__init__()
        self.files = files
        self.done = done

    def run(self) -> None:
        for name in self.files:
            with Image.open(name) as image:
                image.convert("RGB").thumbnail((4000, 4000))
        self.finished = True


def floor_worst_ms(files: list[str]) -> float:
    heart = Heartbeat()
    heart.start()
    job = _Decode(files, QTimer())
    job.setAutoDelete(False)
    job.finished = False
    QThreadPool.globalInstance().start(job)
    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(lambda: loop.quit() if job.finished else None)
    poll.start()
    loop.exec()
    poll.stop()
    return heart.stop()


def open_ms(user, patient_id: int, host: QWidget) -> float:
    from ui.photos.tab import PhotosTab, fetch_thumbnails

    tab = PhotosTab(user, host)
    tab.resize(900, 600)
    tab.show()
    listing = photos.list_photos(user, patient_id)  # off the GUI thread in the app
    first = tuple(photo.id for photo in listing.photos[:12])
    images = fetch_thumbnails(user, patient_id, first, "")  # on the worker in the app
    tab._patient_id = patient_id
    started = time.perf_counter()
    tab._show(listing)
    tab._thumbnails(images)
    QApplication.processEvents()
    elapsed = (time.perf_counter() - started) * 1000
    tab.deleteLater()
    QApplication.processEvents()
    return elapsed


def floor_open_ms(host: QWidget, rows: int) -> float:
    view = QTableView(host)
    view.resize(900, 600)
    view.show()
    started = time.perf_counter()
    model = QStandardItemModel(rows, 6, view)
    for row in range(rows):
        for column in range(6):
            model.setItem(row, column, QStandardItem(f"cell {row}.{column}"))
    view.setModel(model)
    QApplication.processEvents()
    elapsed = (time.perf_counter() - started) * 1000
    view.deleteLater()
    QApplication.processEvents()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory(ignore_cleanup_errors=True) as folder:
        os.environ.setdefault("CONSULT_DATA_DIR", folder)
        db, user, patient_id = build(Path(folder) / "photos.sqlite3")
        shots = Path(folder) / "shots"
        shots.mkdir()
        files = []
        for number in range(IMPORTS):
            path = shots / f"IMG_{number:04d}.JPG"
            path.write_bytes(jpeg(4000, 3000, number))
            files.append(str(path))
        host = QWidget()
        importlib.import_module("ui.photos.import_dialog")  # warm-up: the app has it loaded

        product_import, floor_import = [], []
        for _ in range(rounds):
            product_import.append(import_worst_ms(user, patient_id, files, host))
            floor_import.append(floor_worst_ms(files))
        small = jpeg(1200, 900, 7)
        have = IMPORTS * rounds
        while have < LISTED:
            batch = tuple(
                PhotoImport(patient_id, small, "cheeks", "front", "after")
                for _ in range(min(20, LISTED - have))
            )
            have += len(photos.import_photos(user, batch))
        product_open, floor_open = [], []
        for _ in range(max(rounds, 5)):
            product_open.append(open_ms(user, patient_id, host))
            floor_open.append(floor_open_ms(host, LISTED))
        print("import worst blocks, product:", " ".join(f"{v:.0f}" for v in product_import),
              " floor:", " ".join(f"{v:.0f}" for v in floor_import))
        worst_import = max(product_import)
        opened = statistics.median(product_open)
        floor_block = statistics.median(floor_import)
        floor_fill = statistics.median(floor_open)
        print(f"import {IMPORTS} × 12 MP: worst GUI block {worst_import:6.1f} ms "
              f"(floor {floor_block:5.1f} ms) — under {LIMIT_MS:.0f} ms: "
              f"{'yes' if worst_import < LIMIT_MS else 'NO'}")
        print(f"open {LISTED} photos: GUI thread {opened:6.1f} ms "
              f"(floor {floor_fill:5.1f} ms) — under {OPEN_GOAL_MS:.0f} ms: "
              f"{'yes' if opened < OPEN_GOAL_MS else 'NO'}")
        from ui.shell.workers import wait_for_background_work

        wait_for_background_work()
        db.close()
        del app
        print(f"ratio={(worst_import + opened) / (floor_block + floor_fill):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
