"""The wheel carries everything: resources, migrations and the console script.

Built from the checkout, installed into a fresh virtual environment, then run from a
folder outside the checkout so nothing can be imported from the source tree.
"""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(ROOT),
        ],
        check=True,
    )
    (built,) = out.glob("consult-*.whl")
    return built


def test_wheel_ships_the_data_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "resources/catalogue.toml",
        "resources/roles.toml",
        "resources/photo_views.toml",
        # The fallback fonts a name in another script needs, with their licences.
        "resources/fonts/NotoSansArabic-Regular.ttf",
        "resources/fonts/NotoSansHebrew-Bold.ttf",
        "resources/fonts/DroidSansFallbackFull.ttf",
        "resources/fonts/NanumSquareR.ttf",
        "resources/fonts/LICENSE-Noto.txt",
        "resources/fonts/LICENSE-Droid.txt",
        "resources/fonts/LICENSE-Nanum.txt",
        "resources/passwords/common-passwords.txt",
        "resources/passwords/LICENSE.txt",
        "consult/app/cli.py",
        "ui/__init__.py",
        "ui/shell/launcher.py",
        "resources/icons/consult.svg",
        "resources/icons/consult-16.png",
        "resources/icons/consult-512.png",
        "resources/desktop/app.consult.Consult.desktop",
        "resources/desktop/app.consult.Consult.metainfo.xml",
    ):
        assert required in names
    assert any(name.startswith("consult/storage/migrations/versions/") for name in names)
    assert any(name.endswith("script.py.mako") for name in names)
    assert not any(name.startswith("tests/") for name in names)
    (entry_points,) = [name for name in names if name.endswith(".dist-info/entry_points.txt")]
    scripts = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "consult = ui.shell.main:main" in scripts
    assert "[gui_scripts]\nconsult-app = ui.shell.launcher:main" in scripts


def test_installed_wheel_runs_version_and_demo(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    # The dependencies come from the test environment (a path line in a .pth is not
    # itself scanned for .pth files, so the editable checkout stays invisible); the
    # consult, ui and resources packages come only from the wheel.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(site),
            str(wheel),
        ],
        check=True,
    )
    console = env_dir / "bin" / "consult"
    console.write_text(
        f"#!{python}\nimport sys\nfrom consult.app.cli import main\nsys.exit(main())\n"
    )
    console.chmod(0o755)
    # The demo seals its documents; CI has no keyring, so the passphrase comes from here.
    env = {
        **os.environ,
        "CONSULT_DATA_DIR": str(tmp_path / "data"),
        "CONSULT_SEAL_PASSPHRASE": "a packaging test seal phrase",
    }
    env.pop("PYTHONPATH", None)
    where = subprocess.run(
        [
            str(python),
            "-c",
            "import consult, resources; "
            "print(consult.__file__); print(list(resources.__path__)[0])",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env=env,
    ).stdout.split()
    assert all(str(site) in path for path in where), where
    version = subprocess.run(
        [str(console), "--version"], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert version.returncode == 0, version.stderr
    database = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    demo = subprocess.run(
        [str(console), "demo", "--patients", "20", "--database", database],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert demo.returncode == 0, demo.stderr
    assert (tmp_path / "demo.sqlite3").stat().st_size > 0
