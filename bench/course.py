"""How fast a patient with 40 treatment sessions opens: the Sessions tab's data and its table.

    .venv/bin/python bench/course.py

Builds a clinic in a temporary SQLite file with one patient who has 40 signed, sealed
sessions, then times (median of several runs after a warm-up):
- `course.list_sessions` (gate, query, audit event; runs off the GUI thread in the app),
  beside the floor: the same rows read with the sqlite3 module (no ORM, no permission
  check, no audit event);
- `course.open_session` of one session, beside its floor;
- filling the Sessions tab's table with the 40 rows (GUI-thread time, offscreen Qt).
Goal (issue 16): the card shows in under 100 ms of GUI-thread time. Prints `ratio=X.XX`
last (the services' summed medians over the floor's).
"""

from __future__ import annotations

import io
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The course signs sessions, which seals their records; a bench computer has no keyring.
os.environ.setdefault("CONSULT_SEAL_PASSPHRASE", "bench-only throw-away passphrase")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PIL import Image, ImageDraw  # noqa: E402

from consult.clinic.settings import ClinicSettings  # noqa: E402
from consult.clinical import fileformat  # noqa: E402
from consult.records.course import EntryInput, LotInput  # noqa: E402
from consult.services import accounts, course, lots, signing  # noqa: E402
from consult.services.course import SessionStart  # noqa: E402
from consult.services.signing import SigningRequest  # noqa: E402
from consult.storage import Database, users  # noqa: E402

SESSIONS = 40
RUNS = 15
PASSWORD = "a long bench passphrase"
CLINIC = ClinicSettings(
    name="Bench Clinic", address="1 Bench Road", phone="+1 555 0199", time_zone="Europe/London"
)


def ink() -> bytes:
    image = Image.new("RGBA", (300, 100), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 80), (80, 20), (150, 70), (290, 30)], fill=(0, 0, 0), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def median_ms(run) -> float:
    run()
    times = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def build(path: Path) -> tuple[Database, object, int, int]:
    db = Database.open(f"sqlite:///{path}")
    users.create_first_manager(
        db, clinic_name=CLINIC.name, username="mara", full_name="Mara Quinn",
        password=PASSWORD, clinic=CLINIC,
    )
    mara = accounts.sign_in(db, "mara", PASSWORD, workstation="bench")
    signature = ink()
    file = fileformat.from_dict({
        "format": "consult/1", "consultation_date": date.today().isoformat(),
        "patient": {"name": "Ana Souza", "date_of_birth": "1980-06-15", "fitzpatrick": 3},
        "treatment": "microneedling",
        "areas": [{"area": "cheeks", "concerns": ["acne_scars"]},
                  {"area": "forehead", "concerns": ["fine_lines"]}],
        "history": {},
    })
    consultation_id = signing.sign(
        mara, SigningRequest(file, True, False, signature, signature)
    ).consultation_id
    pen = lots.register_device(mara, "SkinPen Precision", "mechanical", "SP-1")
    needles = LotInput("Crown", "SkinPen cartridge", "cartridge", "SPC-1", date(2030, 1, 1))
    first = None
    for number in range(SESSIONS):
        day = date.today() + timedelta(weeks=2 * number)
        draft = course.start_session(mara, SessionStart(consultation_id, day))
        for area in draft.areas:
            course.record_entry(mara, draft.id, EntryInput(
                area, pen.id, erythema=1, needle_lot=needles, depth_mm=Decimal("0.75"),
                confirm_outside_plan=True,
            ))
        course.sign_session(mara, draft.id, signature)
        first = first or draft
    assert first is not None
    return db, mara, first.patient_id, first.id


def floor_list(path: Path, patient_id: int) -> None:
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            "SELECT id, session_date, practitioner_id, status, areas, document_number, amends_id "
            "FROM treatment_sessions WHERE patient_id = ? ORDER BY session_date DESC, id DESC",
            (patient_id,),
        ).fetchall()
        ids = [row[0] for row in rows]
        marks = ",".join("?" * len(ids))
        connection.execute(
            f"SELECT session_id FROM session_entries WHERE session_id IN ({marks}) "
            "AND (depth_outside_plan OR expired_lot)", ids,
        ).fetchall()
        connection.execute("SELECT id, full_name FROM users").fetchall()


def floor_open(path: Path, session_id: int) -> None:
    with sqlite3.connect(path) as connection:
        session = connection.execute("SELECT * FROM treatment_sessions WHERE id = ?", (session_id,))
        session.fetchall()
        connection.execute(
            "SELECT e.*, d.*, l.* FROM session_entries e JOIN devices d ON d.id = e.device_id "
            "LEFT JOIN product_lots l ON l.id = e.needle_lot_id WHERE e.session_id = ?",
            (session_id,),
        ).fetchall()


def gui_fill_ms(user: object, patient_id: int, summaries: tuple) -> float:
    from PySide6.QtWidgets import QApplication

    from ui.course.sessions_tab import SessionsTab

    app = QApplication.instance() or QApplication([])
    tab = SessionsTab(user, patient_id)  # type: ignore[arg-type]
    result = median_ms(lambda: tab.show_sessions(patient_id, summaries))
    tab.deleteLater()
    app.processEvents()
    return result


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("CONSULT_DATA_DIR", folder)
        path = Path(folder) / "course.sqlite3"
        started = time.perf_counter()
        db, user, patient_id, session_id = build(path)
        print(f"built a patient with {SESSIONS} signed sessions in "
              f"{time.perf_counter() - started:.1f} s")
        listed = median_ms(lambda: course.list_sessions(user, patient_id))
        opened = median_ms(lambda: course.open_session(user, session_id))
        floor_listed = median_ms(lambda: floor_list(path, patient_id))
        floor_opened = median_ms(lambda: floor_open(path, session_id))
        summaries = course.list_sessions(user, patient_id)
        gui = gui_fill_ms(user, patient_id, summaries)
        print(f"list_sessions   median {listed:7.2f} ms  (floor {floor_listed:6.2f} ms)")
        print(f"open_session    median {opened:7.2f} ms  (floor {floor_opened:6.2f} ms)")
        print(f"Sessions tab fill, GUI thread: {gui:.2f} ms for {len(summaries)} rows "
              "(goal under 100 ms)")
        db.close()
        print(f"ratio={(listed + opened) / (floor_listed + floor_opened):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
