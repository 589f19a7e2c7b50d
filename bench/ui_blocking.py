"""How long the window's GUI thread is blocked during a consultation, beside bare Qt.

The product: the real main window, offscreen, on a demo clinic (consult.app.demo) built
in a temp folder, signed in as one of its practitioners. Driven as a user would:
20 keystrokes in the patient search, opening a consultation, every step change
forward and back, 20 clicks on areas of the face map.

The measure: a heartbeat timer ticks every 5 ms on the GUI thread; the longest gap
between two ticks is the longest time nothing else could have run either (a key
press, a paint). Measuring starts the moment the window is shown: its first two
seconds (the first query, the consultation code loaded in the background) are a
phase of their own. Idle time after each interaction is measured too, so work
deferred to "later" (a step built in idle time, a search's rows arriving) is caught.

The floor: the same interactions on bare Qt widgets under the same heartbeat, run in
the same process just before: a bare window shown and left idle, switching the pages
of a QStackedWidget of plain QLabels, typing into a QLineEdit, clicking a QCheckBox.
Prints each worst case beside its floor, whether every product block is under 50 ms,
and `ratio=X.XX` last: the product's worst block over the floor's median block (the
floor's typical block, not its worst spike, which is the machine's noise).

On PostgreSQL with CONSULT_BENCH_DATABASE_URL (schema bench_ui_blocking).

Run: .venv/bin/python bench/ui_blocking.py [--patients N]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The demo clinic seals sample plans; a bench computer has no keyring for its key.
os.environ.setdefault("CONSULT_SEAL_PASSPHRASE", "bench-only throw-away passphrase")
if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QObject, Qt, QTimer, qInstallMessageHandler  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QApplication,
    QCheckBox,
    QLabel,
    QLineEdit,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

HEARTBEAT_MS = 5
LIMIT_MS = 50.0
KEYSTROKES = 20
TOGGLES = 20
KEY_GAP_MS = 220  # past the search's debounce, so every keystroke runs a search
CLICK_GAP_MS = 150
SETTLE_MS = 1_500  # after opening: the draft, the first save and the idle-time builds


class Watchdog(threading.Thread):
    """With --why: samples where the GUI thread is while it has not ticked for a while.

    Each long block is printed once it ends, with its length and the product code
    lines it was sampled in most often.
    """

    def __init__(self, heart: Heartbeat, after_ms: float) -> None:
        super().__init__(daemon=True)
        self._heart = heart
        self._after = after_ms / 1000
        self._gui = threading.get_ident()

    def run(self) -> None:
        samples: list[tuple[str, ...]] = []
        block_start = 0.0
        while True:
            time.sleep(0.004)
            last = self._heart.last_tick
            if time.perf_counter() - last > self._after:
                block_start = last
                samples.append(self._where())
            elif samples and last != block_start:
                self._print(samples, (last - block_start) * 1000)
                samples = []

    def _where(self) -> tuple[str, ...]:
        frame = sys._current_frames().get(self._gui)
        if frame is None:
            return ()
        stack = traceback.extract_stack(frame)
        ours = [f for f in stack if "/work/" in f.filename and "bench/" not in f.filename]
        return tuple(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in ours[-6:])

    @staticmethod
    def _print(samples: list[tuple[str, ...]], length_ms: float) -> None:
        counts: dict[tuple[str, ...], int] = {}
        for sample in samples:
            counts[sample] = counts.get(sample, 0) + 1
        lines = [f"--- GUI thread blocked ~{length_ms:.0f} ms ({len(samples)} samples)"]
        for where, count in sorted(counts.items(), key=lambda kv: -kv[1])[:3]:
            lines.append(f"  {count}x " + " > ".join(where or ("(in Qt or the library)",)))
        print("\n".join(lines), file=sys.stderr)


class Heartbeat(QObject):
    """Ticks on the GUI thread and keeps the longest gap seen since `reset`."""

    def __init__(self) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(HEARTBEAT_MS)
        self._timer.timeout.connect(self._tick)
        self.last_tick = time.perf_counter()
        self.longest = 0.0

    def start(self) -> None:
        self.last_tick = time.perf_counter()
        self._timer.start()

    def reset(self) -> None:
        """Start a new measure now: a gap before this moment (set-up work) is not counted."""
        self.longest = 0.0
        self.last_tick = time.perf_counter()

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, (now - self.last_tick) * 1000)
        self.last_tick = now


def spin(ms: int) -> None:
    """Run the event loop for `ms` milliseconds, as a user pausing would."""
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


@dataclass
class Phase:
    name: str
    floor_name: str
    worst: dict[str, float] = field(default_factory=dict)  # interaction -> longest block
    floor: float = 0.0

    floor_blocks: list[float] = field(default_factory=list)

    @property
    def product(self) -> float:
        return max(self.worst.values())


TELL = False  # --why: name each interaction on stderr, beside the watchdog's findings


@contextmanager
def measured(heart: Heartbeat, into: dict[str, float], name: str) -> Iterator[None]:
    heart.reset()
    if TELL:
        print(f"[{name}]", file=sys.stderr)
    yield
    into[name] = max(into.get(name, 0.0), heart.longest)


# ---------------------------------------------------------------------- the product


def demo_window(folder: Path, patients: int):  # -> (MainWindow, Database)
    os.environ["CONSULT_DATA_DIR"] = str(folder)
    from bench.engines import postgres_url, schema_url
    from consult.app.demo import build_demo
    from consult.services import accounts, opening
    from ui.shell.app import build_main_window

    if postgres_url():  # CONSULT_BENCH_DATABASE_URL: the same clinic on PostgreSQL
        url, _ = schema_url("ui_blocking", fresh=True)
    else:
        url = f"sqlite:///{folder / 'clinic.sqlite3'}"
    db = opening.open_clinic(url)
    summary = build_demo(db, patients=patients)
    account = next(a for a in summary.accounts if a.role == "practitioner")
    user = accounts.sign_in(db, account.username, account.password, workstation="bench")
    # The collector as the app's own start sets it (ui.shell.app.run): paused until the
    # first window is up, then what exists by then (here the demo's build too) set aside.
    from PySide6.QtCore import QTimer

    from ui.shell.launch import pause_garbage_collection, resume_garbage_collection

    pause_garbage_collection()
    QTimer.singleShot(0, resume_garbage_collection)
    window = build_main_window(user, opening.clinic_on_start(db))
    window.resize(1360, 860)
    return window, db


def search_keys(window, heart: Heartbeat, into: dict[str, float]) -> str:
    """20 keystrokes: a surname typed, then rubbed out back to its first three letters."""
    patients = window.patients
    patients.search_box.setFocus()
    spin(100)
    surname = "Okafor"
    typed = (surname * 4)[: KEYSTROKES // 2 + 3]
    keys = list(typed) + [Qt.Key.Key_Backspace] * (KEYSTROKES - len(typed))
    for key in keys[:KEYSTROKES]:
        with measured(heart, into, "search keystroke"):
            if isinstance(key, str):
                QTest.keyClicks(patients.search_box, key)
            else:
                QTest.keyClick(patients.search_box, key)
            spin(KEY_GAP_MS)
    return patients.search_box.text()


def choose_patient(window) -> None:
    """Search for a common name and select the first match, as before starting."""
    patients = window.patients
    patients.search_box.setText("a")
    for _ in range(100):
        spin(50)
        if patients.model.rowCount():
            break
    else:
        raise SystemExit("the patient search found nobody in the demo clinic")
    patients.table.selectRow(0)
    spin(300)  # the patient's records are read on a worker


def open_consultation(window, heart: Heartbeat, into: dict[str, float]):
    with measured(heart, into, "open consultation"):
        QTest.mouseClick(window.patients.detail.start_button, Qt.MouseButton.LeftButton)
        spin(SETTLE_MS)
    if window.consultation is None:
        raise SystemExit("starting a consultation showed no consultation")
    return window.consultation


def change_step(wizard, heart: Heartbeat, into: dict[str, float], forward: bool) -> None:
    before = wizard.current()
    button = wizard.next_button if forward else wizard.back_button
    with measured(heart, into, f"step {before + 1}→{before + (2 if forward else 0)}"):
        QTest.mouseClick(button, Qt.MouseButton.LeftButton)
        spin(600)  # the step's own deferred work (a preview, a draft save) included
    if wizard.current() == before:
        raise SystemExit(f"step {before + 1} refused to move: {wizard.status.text()}")


def answer_history(wizard) -> None:
    """Every question answered "No" (not measured): screening needs every answer to go on."""
    for row in wizard.steps[1].rows.values():
        if not (row.yes.isChecked() or row.no.isChecked()):
            row.no.setChecked(True)
    spin(600)


def toggle_areas(wizard, heart: Heartbeat, into: dict[str, float]) -> None:
    """12 areas on, then 8 of them off again: 4 chosen, 20 clicks."""
    picker = wizard.steps[2].map
    picker.show_view("face")
    spin(100)
    canvas = picker.canvas
    open_areas = [a for a in canvas.areas("face") if a not in canvas.blocked()]
    chosen = (open_areas * 3)[:12]
    clicks = [*chosen, *chosen[: TOGGLES - len(chosen)]]
    for area in clicks:
        with measured(heart, into, "area toggle"):
            point = canvas.area_position(area).toPoint()
            QTest.mouseClick(canvas, Qt.MouseButton.LeftButton, pos=point)
            spin(CLICK_GAP_MS)
    spin(600)
    if not picker.selected():
        raise SystemExit("no area stayed chosen after the clicks")


def product(patients: int, heart: Heartbeat, phases: dict[str, Phase]) -> None:
    from ui.shell.workers import wait_for_background_work

    with tempfile.TemporaryDirectory(prefix="consult-ui-bench-") as folder:
        window, db = demo_window(Path(folder), patients)
        try:
            with measured(heart, phases["start"].worst, "window shown"):
                window.show()
                spin(2_000)  # start-up, the first query and the warm-up of the wizard's code
            search_keys(window, heart, phases["search"].worst)
            choose_patient(window)
            wizard = open_consultation(window, heart, phases["open"].worst)
            for _ in range(2):
                change_step(wizard, heart, phases["steps"].worst, forward=True)
            answer_history(wizard)
            toggle_areas(wizard, heart, phases["areas"].worst)
            while wizard.next_button.isVisible():
                change_step(wizard, heart, phases["steps"].worst, forward=True)
            while wizard.back_button.isEnabled():
                change_step(wizard, heart, phases["steps"].worst, forward=False)
            # "Close (the draft is kept)" first: closing the window mid-consultation asks.
            wizard.close_consultation()
            window.close()
        finally:
            wait_for_background_work()
            db.close()


# ---------------------------------------------------------------------- the floor


def floor(heart: Heartbeat, phases: dict[str, Phase]) -> None:
    page = QWidget()
    page.resize(1360, 860)
    stack = QStackedWidget(page)
    for index in range(7):
        stack.addWidget(QLabel(f"Step {index + 1}", stack))
    line = QLineEdit(page)
    box = QCheckBox("Cheeks", page)
    layout = QVBoxLayout(page)
    for widget in (line, box, stack):
        layout.addWidget(widget)
    page.show()
    spin(300)

    def repeat(phase: str, count: int, gap_ms: int, action: Callable[[int], None]) -> None:
        for index in range(count):
            blocks: dict[str, float] = {}
            with measured(heart, blocks, "floor"):
                action(index)
                spin(gap_ms)
            phases[phase].floor_blocks.append(blocks["floor"])
        phases[phase].floor = max(phases[phase].floor_blocks)

    page.hide()
    repeat("start", 1, 2_000, lambda _: page.show())
    repeat("open", 1, SETTLE_MS, lambda _: stack.setCurrentIndex(1))
    repeat("steps", 12, 600, lambda i: stack.setCurrentIndex(i % 7))
    line.setFocus()
    repeat("search", KEYSTROKES, KEY_GAP_MS, lambda _: QTest.keyClicks(line, "a"))
    repeat(
        "areas",
        TOGGLES,
        CLICK_GAP_MS,
        lambda _: QTest.mouseClick(box, Qt.MouseButton.LeftButton),
    )
    page.close()


# ---------------------------------------------------------------------- report


def report(phases: dict[str, Phase]) -> None:
    for phase in phases.values():
        ours = phase.product
        detail = ""
        if len(phase.worst) > 1:
            detail = " (" + ", ".join(f"{k} {v:.0f}" for k, v in phase.worst.items()) + ")"
        print(
            f"{phase.name}: worst block {ours:.1f} ms{detail}; "
            f"floor ({phase.floor_name}) {phase.floor:.1f} ms"
        )
    over = [p.name for p in phases.values() if p.product >= LIMIT_MS]
    if over:
        print(f"every product block under {LIMIT_MS:.0f} ms: NO ({', '.join(over)})")
    else:
        print(f"every product block under {LIMIT_MS:.0f} ms: yes")
    worst = max(p.product for p in phases.values())
    floor_median = statistics.median(b for p in phases.values() for b in p.floor_blocks)
    print(f"floor's median block: {floor_median:.1f} ms")
    print(f"ratio={worst / floor_median:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=2_000)
    parser.add_argument(
        "--why", action="store_true", help="print where the GUI thread is during long blocks"
    )
    args = parser.parse_args()
    qInstallMessageHandler(_quiet_size_hints)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    heart = Heartbeat()
    heart.start()
    if args.why:
        global TELL
        TELL = True
        Watchdog(heart, LIMIT_MS * 0.6).start()
    phases = {
        "start": Phase("window shown, its first 2 s", "bare window shown"),
        "search": Phase(f"patient search, {KEYSTROKES} keystrokes", "bare QLineEdit"),
        "open": Phase("opening a consultation", "QStackedWidget page switch"),
        "steps": Phase("step changes, forward and back", "QStackedWidget of QLabels"),
        "areas": Phase(f"area toggles, {TOGGLES} clicks", "bare QCheckBox"),
    }
    floor(heart, phases)
    product(args.patients, heart, phases)
    report(phases)
    app.processEvents()
    return 0


def _quiet_size_hints(_kind: object, _context: object, message: str) -> None:
    """The offscreen platform warns of size hints on every shown window: not a finding."""
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
