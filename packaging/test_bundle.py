"""The self-contained bundle, as a clinic gets it: the archive unpacked in a fresh folder
and run with no Python on PATH, no virtual environment and an empty home.

Not part of the ordinary suite (it needs the bundle built first, minutes of work):
.ci/run builds it from the clean clone with scripts/bundle, then runs

    .venv/bin/pytest packaging/test_bundle.py

Each command of the spec runs on the spec's examples and is compared with the same
command from the virtual environment; the app starts offscreen to its main window; and
the previous release's database (tests/fixtures/clinic-0003.sqlite3) is migrated after
a backup, while one stamped by a newer release is refused. A resource, font, Qt plugin
or module missing from the bundle fails one of these.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from consult import __version__
from consult.documents.certificate import clinic_certificate
from consult.documents.sealing import seal
from consult.storage.db import HEAD_REVISION

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT.parent / "shared" / "spec" / "examples"
FIXTURE = ROOT / "tests" / "fixtures" / "clinic-0003.sqlite3"
TIMEOUT = 300
OFFSCREEN_NOTE = re.compile(r"This plugin does not support (propagateSizeHints|raise)\(\)")


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bundle's executable, unpacked from the archive scripts/bundle made."""
    archives = sorted((ROOT / "dist").glob(f"consult-{__version__}-linux-*.tar.gz"))
    if not archives:
        pytest.fail("no bundle in dist/: run scripts/bundle first")
    target = tmp_path_factory.mktemp("opt")
    with tarfile.open(archives[-1]) as archive:
        archive.extractall(target, filter="tar")
    executable = target / "consult" / "consult"
    assert executable.is_file() and os.access(executable, os.X_OK)
    return executable


@pytest.fixture
def clean(tmp_path) -> dict[str, str]:
    """An environment with nothing of Python in it: an empty PATH folder, a new home."""
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    home = tmp_path / "home"
    home.mkdir()
    env = {
        "PATH": str(empty_bin),
        "HOME": str(home),
        "CONSULT_DATA_DIR": str(home / "data"),
        "QT_QPA_PLATFORM": "offscreen",
        "LANG": "C.UTF-8",
        # A clean machine has no keyring: the seal's passphrase comes from the environment.
        "CONSULT_SEAL_PASSPHRASE": "a bundle test seal phrase",
    }
    assert shutil.which("python3", path=env["PATH"]) is None
    assert shutil.which("python", path=env["PATH"]) is None
    return env


def run(
    executable: Path, env: dict[str, str], *argv: str, cwd: Path
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(executable), *argv], env=env, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT
    )


def venv_consult(*argv: str, data: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "CONSULT_DATA_DIR": str(data)}
    return subprocess.run(
        [sys.executable, "-m", "consult", *argv],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


# The Qt modules the app imports (ui/), and the two they load themselves (QtPdf needs
# QtNetwork; QtDBus is the desktop's message bus on Linux).
QT_MODULES_USED = {
    "QtCore", "QtGui", "QtWidgets", "QtCharts", "QtPdf", "QtPdfWidgets", "QtPrintSupport",
    "QtNetwork", "QtDBus",
}  # fmt: skip


def test_only_the_qt_modules_the_app_uses_are_bundled(installed):
    pyside = installed.parent / "_internal" / "PySide6"
    bundled = {path.name.split(".")[0] for path in pyside.glob("Qt*.abi3.so")}
    assert bundled == QT_MODULES_USED
    libraries = {path.name for path in (pyside / "Qt" / "lib").iterdir()}
    assert not [name for name in libraries if re.match(r"libQt6(Qml|Quick|WebEngine|3D)", name)]
    # The desktop's own libraries come from the system (docs/install.md), whatever the
    # build machine had: the start-up check for missing X11 packages is then right.
    internal = installed.parent / "_internal"
    for system in ("libxcb-cursor.so", "libxkbcommon.so", "libfontconfig.so", "libglib-2.0.so"):
        assert not list(internal.glob(f"{system}*")), system
    plugins = pyside / "Qt" / "plugins"
    for needed in (
        "platforms/libqxcb.so",
        "platforms/libqoffscreen.so",
        "imageformats/libqjpeg.so",
    ):
        assert (plugins / needed).is_file(), needed


def test_version(installed, clean, tmp_path):
    result = run(installed, clean, "--version", cwd=tmp_path)
    assert (result.returncode, result.stdout.strip()) == (0, f"consult {__version__}")


@pytest.mark.parametrize("example", ["acne-scars.json", "rf-with-history.json"])
@pytest.mark.parametrize("command", ["check", "quote"])
def test_check_and_quote_match_the_virtual_environment(
    installed, clean, tmp_path, command, example
):
    bundled = run(installed, clean, command, str(EXAMPLES / example), "--json", cwd=tmp_path)
    assert (bundled.returncode, bundled.stderr) == (0, "")
    reference = venv_consult(command, str(EXAMPLES / example), "--json", data=tmp_path / "ref")
    assert reference.returncode == 0, reference.stderr
    assert json.loads(bundled.stdout) == json.loads(reference.stdout)


def test_bad_input_is_one_line_from_the_bundle_too(installed, clean, tmp_path):
    result = run(installed, clean, "check", str(tmp_path / "missing.json"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")


def test_documents_are_written_and_a_sealed_one_verifies(installed, clean, tmp_path, monkeypatch):
    out = tmp_path / "out"
    documents = run(
        installed,
        clean,
        "documents",
        str(EXAMPLES / "acne-scars.json"),
        "--out",
        str(out),
        cwd=tmp_path,
    )
    assert (documents.returncode, documents.stderr) == (0, "")
    assert json.loads(documents.stdout)["consent"] == str(out / "consent.pdf")
    text = subprocess.run(
        ["pdftotext", str(out / "consent.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Ana Souza" in text
    fonts = subprocess.run(
        ["pdffonts", str(out / "consent.pdf")], capture_output=True, text=True, check=True
    ).stdout
    assert "DejaVuSans" in fonts  # the bundled font, embedded
    # Sealed with the certificate in the bundle's data folder (as a signed consent is),
    # then checked by the bundle: pyHanko, cryptography and the certificate path inside it.
    monkeypatch.setenv("CONSULT_DATA_DIR", clean["CONSULT_DATA_DIR"])
    monkeypatch.setenv("CONSULT_SEAL_PASSPHRASE", clean["CONSULT_SEAL_PASSPHRASE"])
    sealed = tmp_path / "sealed.pdf"
    pdf = (out / "consent.pdf").read_bytes()
    sealed.write_bytes(seal(pdf, clinic_certificate("Harbour Skin Clinic"), "Consent").pdf)
    verify = run(installed, clean, "verify", str(sealed), cwd=tmp_path)
    assert (verify.returncode, verify.stderr) == (0, "")
    assert verify.stdout.startswith("intact: signed by ")
    tampered = tmp_path / "tampered.pdf"
    data = bytearray(sealed.read_bytes())
    data[len(data) // 3] ^= 0x01  # one bit changed inside the sealed range
    tampered.write_bytes(bytes(data))
    refused = run(installed, clean, "verify", str(tampered), cwd=tmp_path)
    assert refused.returncode != 0 and refused.stderr.startswith("error: ")


def test_install_desktop_points_the_menu_at_the_bundle(installed, clean, tmp_path):
    data_home = tmp_path / "share"
    result = run(
        installed, {**clean, "XDG_DATA_HOME": str(data_home)}, "install-desktop", cwd=tmp_path
    )
    assert (result.returncode, result.stderr) == (0, "")
    entry = data_home / "applications" / "app.consult.Consult.desktop"
    assert f"Exec={installed.resolve()}\n" in entry.read_text(encoding="utf-8")
    assert (
        data_home / "icons" / "hicolor" / "256x256" / "apps" / "app.consult.Consult.png"
    ).is_file()
    validate = subprocess.run(["desktop-file-validate", str(entry)], capture_output=True, text=True)
    assert validate.returncode == 0, validate.stdout + validate.stderr


def demo_manager(stdout: str) -> tuple[str, str]:
    """The demo manager's username and password, as `consult demo` prints them once."""
    match = re.search(r"^\s+(\S+)\s+(\S+)\s+manager\s", stdout, re.MULTILINE)
    assert match, stdout
    return match.group(1), match.group(2)


def test_demo_then_the_app_starts_to_its_main_window(installed, clean, tmp_path):
    database = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    demo = run(installed, clean, "demo", "--patients", "30", "--database", database, cwd=tmp_path)
    assert (demo.returncode, demo.stderr) == (0, "")
    user, password = demo_manager(demo.stdout)
    env = {**clean, "CONSULT_BENCH_USER": user, "CONSULT_BENCH_PASSWORD": password}
    started = run(installed, env, "--quit-when-ready", "--database", database, cwd=tmp_path)
    assert started.returncode == 0, started.stderr
    # Nothing on stderr but the offscreen platform's notes about what it cannot do: a
    # missing plugin, library or resource would be named here.
    assert [line for line in started.stderr.splitlines() if not OFFSCREEN_NOTE.search(line)] == []
    # The password checked out and the main window was built for that manager.
    with sqlite3.connect(tmp_path / "demo.sqlite3") as connection:
        sign_ins = connection.execute(
            "SELECT outcome FROM audit_events WHERE action = 'user.sign_in' AND username = ?",
            (user,),
        ).fetchall()
    assert sign_ins == [("ok",)]


def test_the_app_starts_on_a_new_clinic_with_its_setup_dialog(installed, clean, tmp_path):
    started = run(installed, clean, "--quit-when-ready", cwd=tmp_path)
    assert started.returncode == 0, started.stderr
    assert (Path(clean["CONSULT_DATA_DIR"]) / "clinic.sqlite3").is_file()


# ------------------------------------------------------------------- upgrades keep data


def revision(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]


def counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as connection:
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("patients", "consultations", "quotes", "users")
        }


def downgraded_to_0002(source: Path, target: Path) -> Path:
    """An older release's database, made from the fixture with the migrations' own downgrade."""
    shutil.copy(source, target)
    code = (
        "import sys; from sqlalchemy import create_engine; from alembic import command; "
        "from consult.storage.db import alembic_config; "
        "engine = create_engine('sqlite:///' + sys.argv[1]); config = alembic_config(); "
        "connection = engine.connect(); config.attributes['connection'] = connection; "
        "command.downgrade(config, '0002'); connection.commit()"
    )
    subprocess.run([sys.executable, "-c", code, str(target)], check=True, timeout=TIMEOUT)
    assert revision(target) == "0002"
    return target


@pytest.mark.parametrize("older", ["0003", "0002"])
def test_a_previous_releases_database_is_migrated_after_a_backup(installed, clean, tmp_path, older):
    folder = tmp_path / "clinic"
    folder.mkdir()
    database = folder / "clinic.sqlite3"
    if older == "0003":
        shutil.copy(FIXTURE, database)
    else:
        downgraded_to_0002(FIXTURE, database)
    before = counts(database)
    started = run(
        installed, clean, "--quit-when-ready", "--database", f"sqlite:///{database}", cwd=tmp_path
    )
    assert started.returncode == 0, started.stderr
    assert revision(database) == HEAD_REVISION
    assert counts(database) == before
    backups = sorted(folder.glob(f"clinic.sqlite3.before-{HEAD_REVISION}-*.bak"))
    if older == HEAD_REVISION:
        assert backups == []  # nothing to migrate, nothing copied
    else:
        assert len(backups) == 1
        assert revision(backups[0]) == older and counts(backups[0]) == before


def test_a_database_from_a_newer_release_says_upgrade_the_app(installed, clean, tmp_path):
    database = tmp_path / "clinic.sqlite3"
    shutil.copy(FIXTURE, database)
    with sqlite3.connect(database) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0999_future'")
    before = counts(database)
    started = run(
        installed, clean, "--quit-when-ready", "--database", f"sqlite:///{database}", cwd=tmp_path
    )
    assert started.returncode == 2
    assert "created by a newer Consult (revision 0999_future); upgrade the app" in started.stderr
    # Untouched: still the newer revision, the same rows, and no migration backup made.
    assert revision(database) == "0999_future"
    assert counts(database) == before
    assert list(tmp_path.glob("*.bak")) == []
