"""`consult` opening the app: no display, first start, bad databases, --quit-when-ready."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from consult.errors import ConsultError
from consult.storage import Database, users
from consult.storage.models import AuditEvent
from ui.shell.launch import (
    BENCH_PASSWORD,
    BENCH_USER,
    NO_DISPLAY,
    Opening,
    bench_credentials,
    display_available,
)

pytestmark = pytest.mark.slow


def _consult(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSULT_")}
    env.update(QT_QPA_PLATFORM="offscreen", CONSULT_DATA_DIR=str(data_dir), **extra)
    return env


def _bench_clinic(folder: Path) -> Path:
    """A clinic database whose only account is the benchmark's manager."""
    database = folder / "clinic.sqlite3"
    with Database.open(f"sqlite:///{database}") as db:
        users.create_first_manager(
            db,
            clinic_name="Bench Clinic",
            username="bench",
            full_name="Bench Mark",
            password="bench password 123",
        )
    return database


def test_display_check_follows_the_environment(monkeypatch):
    monkeypatch.setattr(sys, "platform", "linux")
    assert not display_available({})
    assert display_available({"DISPLAY": ":0"})
    assert display_available({"WAYLAND_DISPLAY": "wayland-0"})
    assert display_available({"QT_QPA_PLATFORM": "offscreen"})


def test_without_a_display_consult_says_so_in_one_line(tmp_path):
    env = _env(tmp_path)
    for name in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(name, None)
    result = _consult(env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == NO_DISPLAY
    assert "Traceback" not in result.stderr


def test_first_start_creates_the_database_and_quits_when_ready(tmp_path):
    result = _consult("--quit-when-ready", env=_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "clinic.sqlite3").is_file()
    with Database.open(f"sqlite:///{tmp_path / 'clinic.sqlite3'}") as db:
        assert users.count_users(db) == 0  # no default account was made


def test_a_file_that_is_not_a_database_is_refused_with_exit_2(tmp_path):
    bad = tmp_path / "notes.sqlite3"
    bad.write_text("these are my notes, not a database\n", encoding="utf-8")
    result = _consult("--quit-when-ready", "--database", f"sqlite:///{bad}", env=_env(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert bad.read_text(encoding="utf-8") == "these are my notes, not a database\n"


def test_the_benchmark_account_opens_the_main_window(tmp_path):
    database = _bench_clinic(tmp_path)
    env = _env(tmp_path, CONSULT_BENCH_USER="bench", CONSULT_BENCH_PASSWORD="bench password 123")
    result = _consult("--quit-when-ready", env=env)
    assert result.returncode == 0, result.stderr
    with Database.open(f"sqlite:///{database}") as db, db.Session() as session:
        sign_ins = session.execute(
            select(AuditEvent.username, AuditEvent.outcome).where(
                AuditEvent.action == "user.sign_in"
            )
        ).all()
    assert sign_ins == [("bench", "ok")]


# Runs `consult --quit-when-ready` in a child process and notes, in order, when the
# garbage collector was paused, when it collected, when the main window was shown and
# when collection resumed.
_GC_WATCH = """
import gc, json, sys
from ui.shell import launch
from ui.shell.main import main
import ui.shell.app, ui.shell.main_window

events = []
gc.callbacks.append(lambda phase, info: phase == "start" and events.append("collect"))

def noted(name, function):
    def call(*args):
        events.append(name)
        return function(*args)
    return call

launch.pause_garbage_collection = noted("paused", launch.pause_garbage_collection)
ui.shell.app.resume_garbage_collection = noted("resumed", ui.shell.app.resume_garbage_collection)
shown = ui.shell.main_window.MainWindow.showEvent
ui.shell.main_window.MainWindow.showEvent = noted("shown", shown)
code = main(["--quit-when-ready"])
gc.collect()
print(json.dumps({"events": events, "enabled": gc.isenabled(), "frozen": gc.get_freeze_count()}))
sys.exit(code)
"""


def test_start_up_runs_without_garbage_collection_until_the_window_is_up(tmp_path):
    import json

    _bench_clinic(tmp_path)
    env = _env(tmp_path, CONSULT_BENCH_USER="bench", CONSULT_BENCH_PASSWORD="bench password 123")
    result = subprocess.run(
        [sys.executable, "-c", _GC_WATCH],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    events = seen["events"]
    paused, shown, resumed = (events.index(name) for name in ("paused", "shown", "resumed"))
    assert paused < shown < resumed
    assert "collect" not in events[paused:resumed]
    assert "collect" in events[resumed:]  # collecting as usual afterwards
    assert seen["enabled"]
    assert seen["frozen"] > 10_000  # start-up's objects, set aside for good


def test_the_benchmark_variables_never_sign_in_with_a_wrong_password(tmp_path):
    database = _bench_clinic(tmp_path)
    env = _env(tmp_path, CONSULT_BENCH_USER="bench", CONSULT_BENCH_PASSWORD="guessed password")
    assert _consult("--quit-when-ready", env=env).returncode == 0  # the login dialog showed
    with Database.open(f"sqlite:///{database}") as db, db.Session() as session:
        outcomes = session.scalars(
            select(AuditEvent.outcome).where(AuditEvent.action == "user.sign_in")
        ).all()
    assert outcomes == ["refused"]


def test_the_benchmark_account_needs_both_variables():
    assert bench_credentials({}) is None
    assert bench_credentials({BENCH_USER: "bench"}) is None
    assert bench_credentials({BENCH_PASSWORD: "bench password 123"}) is None
    assert bench_credentials({BENCH_USER: "bench", BENCH_PASSWORD: "bench password 123"}) == (
        "bench",
        "bench password 123",
    )


def test_a_database_that_cannot_open_is_reported_once_the_opening_thread_ends(tmp_path):
    bad = tmp_path / "notes.sqlite3"
    bad.write_text("these are my notes, not a database\n", encoding="utf-8")
    opening = Opening.start(f"sqlite:///{bad}", ("bench", "bench password 123"))
    opening.wait_until_database_work_done()  # returns on failure too: nobody waits forever
    with pytest.raises(ConsultError, match=r"is not a Consult database"):
        opening.result()
    assert opening.signs_in()


def test_the_benchmark_account_signs_in_after_opening_and_its_hash_time_is_counted(tmp_path):
    """The opening thread only opens; the benchmark sign-in runs on the caller's thread
    (after the window's code has loaded), its Argon2 time counted apart for the bench."""
    from consult.protection.passwords import password_checking_seconds

    url = f"sqlite:///{_bench_clinic(tmp_path)}"
    refusing = Opening.start(url, ("bench", "not the password"))
    refused = refusing.result()
    try:
        assert (refused.has_users, refused.clinic.name) == (True, "Bench Clinic")
        assert refusing.sign_in_bench_user(refused.db) is None
    finally:
        refused.db.close()
    opening = Opening.start(url, ("bench", "bench password 123"))
    opened = opening.result()
    before = password_checking_seconds()
    try:
        assert opening.sign_in_bench_user(opened.db).username == "bench"
    finally:
        opened.db.close()
    assert password_checking_seconds() > before
    anonymous = Opening.start(url, None)
    quiet = anonymous.result()
    try:
        assert not anonymous.signs_in()
        assert anonymous.sign_in_bench_user(quiet.db) is None  # no account to sign in
    finally:
        quiet.db.close()


def test_missing_x11_libraries_are_named_as_debian_packages():
    from ui.shell.launch import missing_x11_packages

    x11 = {"DISPLAY": ":0"}
    present = missing_x11_packages(x11, find_library=lambda name: f"lib{name}.so")
    absent = missing_x11_packages(
        x11, find_library=lambda name: None if name == "xcb-cursor" else f"lib{name}.so"
    )
    assert present == []
    assert absent == ["libxcb-cursor0"]
    assert (
        missing_x11_packages({"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"}, lambda n: None)
        == []
    )
    assert missing_x11_packages({"WAYLAND_DISPLAY": "w", "DISPLAY": ":0"}, lambda n: None) == []


PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def encrypted_clinic(tmp_path, monkeypatch):
    monkeypatch.delenv("CONSULT_DB_PASSPHRASE", raising=False)
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    with Database.open(url, passphrase=PASSPHRASE) as db:
        users.create_first_manager(
            db,
            clinic_name="Encrypted Clinic",
            username="bench",
            full_name="Bench Mark",
            password="bench password 123",
        )
    return url


def test_an_encrypted_file_is_recognised_before_anything_heavy_loads(encrypted_clinic, tmp_path):
    from ui.shell.launch import encrypted_without_passphrase

    assert encrypted_without_passphrase(encrypted_clinic)
    plain = f"sqlite:///{tmp_path / 'plain.sqlite3'}"
    Database.open(plain).close()
    assert not encrypted_without_passphrase(plain)
    assert not encrypted_without_passphrase(f"sqlite:///{tmp_path / 'absent.sqlite3'}")
    assert not encrypted_without_passphrase("postgresql+psycopg://u@127.0.0.1/clinic")


def test_the_app_asks_for_the_passphrase_then_starts(encrypted_clinic, monkeypatch, qapp):
    import ui.dialogs.passphrase_dialog
    import ui.shell.app
    from ui.shell import launch

    asked, started = [], []

    def answer(url):
        asked.append(url)
        return Database.open(url, passphrase=PASSPHRASE)

    def start(app, *, opening, quit_when_ready):
        # Stands in for the event loop, which must not run inside the test process.
        opened = opening.result()
        user = opening.sign_in_bench_user(opened.db)
        started.append((opened.has_users, opened.clinic.name, user.username))
        opened.db.close()
        return 0

    monkeypatch.setattr(ui.dialogs.passphrase_dialog, "open_database_interactively", answer)
    monkeypatch.setattr(ui.shell.app, "run", start)
    code = launch._run_encrypted(encrypted_clinic, ("bench", "bench password 123"), True)
    assert (code, asked) == (0, [encrypted_clinic])
    assert started == [(True, "Encrypted Clinic", "bench")]


def test_cancelling_the_passphrase_leaves_quietly(encrypted_clinic, monkeypatch, qapp):
    import ui.dialogs.passphrase_dialog
    from ui.shell import launch

    monkeypatch.setattr(
        ui.dialogs.passphrase_dialog, "open_database_interactively", lambda url: None
    )
    assert launch._run_encrypted(encrypted_clinic, None, True) == 0
