"""The lock files in requirements/ pin, with hashes, everything pyproject.toml asks for.

scripts/start, scripts/test, scripts/bundle and CI install only from these files; the
ranges in pyproject.toml stay for people who use Consult as a library.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
PROJECT = PYPROJECT["project"]
# lock file -> the extras it serves
LOCKS = {"app": [], "test": ["test", "encryption"], "bundle": ["bundle", "encryption"]}
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==([^\s;\\]+)")


def pins(lock: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) for every pinned requirement in `lock`."""
    found: dict[str, tuple[str, int]] = {}
    name = None
    for line in lock.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line)
        if match:
            name = canonicalize_name(match.group(1))
            found[name] = (match.group(3), 0)
        elif name and line.strip().startswith("--hash=sha256:"):
            version, hashes = found[name]
            found[name] = (version, hashes + 1)
    return found


def declared(extras: list[str]) -> list[Requirement]:
    lines = list(PROJECT["dependencies"]) + PYPROJECT["build-system"]["requires"]
    for extra in extras:
        lines += PROJECT["optional-dependencies"][extra]
    return [Requirement(line) for line in lines]


@pytest.mark.parametrize("kind", sorted(LOCKS))
def test_every_declared_dependency_is_pinned_within_its_range(kind):
    locked = pins(ROOT / "requirements" / f"{kind}.txt")
    for requirement in declared(LOCKS[kind]):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is declared but not in requirements/{kind}.txt"
        version, hashes = locked[name]
        assert requirement.specifier.contains(version, prereleases=True), (name, version)
        assert hashes > 0, f"{name} has no hash in requirements/{kind}.txt"


@pytest.mark.parametrize("kind", sorted(LOCKS))
def test_every_pin_has_a_hash_and_matches_the_test_lock(kind):
    locked = pins(ROOT / "requirements" / f"{kind}.txt")
    reference = pins(ROOT / "requirements" / "test.txt")
    assert locked
    for name, (version, hashes) in locked.items():
        assert hashes > 0, name
        if name in reference:
            assert reference[name][0] == version, f"{name}: {kind} and test locks disagree"


@pytest.mark.parametrize("kind", sorted(LOCKS))
def test_the_locks_record_pyprojects_dependencies(kind):
    check = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "deps_fingerprint.py"), f"requirements/{kind}.txt"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert (check.returncode, check.stderr) == (0, "")


def checkout_copy(tmp_path: Path) -> Path:
    """What scripts/ensure-venv reads, copied: pyproject.toml, the locks, the scripts."""
    copy = tmp_path / "checkout"
    (copy / "scripts").mkdir(parents=True)
    (copy / "requirements").mkdir()
    for name in (
        "pyproject.toml",
        "scripts/ensure-venv",
        "scripts/deps_fingerprint.py",
        "requirements/app.txt",
        "requirements/test.txt",
        "requirements/build.in",
    ):
        (copy / name).write_bytes((ROOT / name).read_bytes())
    (copy / "scripts" / "ensure-venv").chmod(0o755)
    return copy


def fake_venv(folder: Path) -> Path:
    """A venv whose python only notes each call and fails: any install attempt shows."""
    (folder / "bin").mkdir(parents=True)
    python = folder / "bin" / "python"
    python.write_text(f'#!/bin/sh\necho "$@" >> {folder / "calls"}\nexit 3\n')
    python.chmod(0o755)
    return folder


def stamp(copy: Path, kind: str) -> str:
    files = ["pyproject.toml", f"requirements/{kind}.txt", "requirements/build.in"]
    result = subprocess.run(
        f"cat {' '.join(files)} | sha256sum", shell=True, cwd=copy, capture_output=True, text=True
    )
    return result.stdout.split()[0]


def test_an_installed_environment_starts_at_once_until_something_changes(tmp_path):
    copy = checkout_copy(tmp_path)
    venv = fake_venv(tmp_path / "venv")
    (venv / ".consult-test.stamp").write_text(stamp(copy, "test") + "\n")
    ensure = [str(copy / "scripts" / "ensure-venv")]
    for kind in ("test", "app"):  # a test install serves the app too
        result = subprocess.run([*ensure, kind, str(venv)], capture_output=True, text=True)
        assert (result.returncode, result.stderr) == (0, "")
    assert not (venv / "calls").exists()  # nothing was installed

    pyproject = copy / "pyproject.toml"
    pyproject.write_text(pyproject.read_text(encoding="utf-8") + "\n# changed\n")
    result = subprocess.run([*ensure, "test", str(venv)], capture_output=True, text=True)
    assert result.returncode == 3  # the fake pip's failure, passed on
    assert "Installing Consult's locked dependencies (requirements/test.txt)" in result.stderr
    assert "--require-hashes -r requirements/test.txt" in (venv / "calls").read_text()
    assert not (venv / ".consult-test.stamp").exists()  # a failed install is not stamped


def test_a_dependency_added_but_not_locked_is_refused(tmp_path):
    """scripts/ensure-venv stops with one line before installing anything."""
    copy = checkout_copy(tmp_path)
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    text = text.replace("dependencies = [\n", 'dependencies = [\n    "keyring>=25",\n', 1)
    (copy / "pyproject.toml").write_text(text, encoding="utf-8")
    result = subprocess.run(
        [str(copy / "scripts" / "ensure-venv"), "test", str(tmp_path / "venv")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: requirements/test.txt does not match")
    assert "scripts/lock" in result.stderr
    assert not (tmp_path / "venv").exists()
