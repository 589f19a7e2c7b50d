"""The bundle beside the virtual environment: size on disk and start-up time.

The product: the PyInstaller bundle (dist/consult/consult, made by scripts/bundle)
started to its main window with --quit-when-ready. The floor: the same start from the
virtual environment (`.venv/bin/python -m ui --quit-when-ready`), the way a
developer runs it. Same demo clinic, same signed-in benchmark account (bench/startup.py
builds and caches both), runs interleaved so load on the machine hits both alike;
medians are printed, `ratio=X.XX` last (bundle / venv; goal ≤ 1.2).

Sizes: the bundle folder and its .tar.gz, beside the virtual environment that holds the
same dependencies (build/bundle-venv, which also has pip and PyInstaller).

Run: scripts/bundle && .venv/bin/python bench/bundle.py [--runs N] [--patients N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from startup import build_database, environment, timed  # noqa: E402

BUNDLE = ROOT / "dist" / "consult"
VENV = ROOT / "build" / "bundle-venv"


def size(path: Path) -> int:
    """Bytes on disk of a file or of every file under a folder (links not followed)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def megabytes(count: int) -> str:
    return f"{count / 1_000_000:.0f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--bundle", type=Path, default=BUNDLE, help="the bundle's folder")
    args = parser.parse_args()
    executable = args.bundle / "consult"
    if not executable.is_file():
        raise SystemExit("no bundle: run scripts/bundle first")
    archives = sorted(args.bundle.parent.glob("consult-*.tar.gz"))
    print(
        f"bundle: {megabytes(size(args.bundle))} in {args.bundle}"
        + (f", {megabytes(size(archives[-1]))} as {archives[-1].name}" if archives else "")
    )
    if VENV.is_dir():
        print(f"venv:   {megabytes(size(VENV))} in {VENV.relative_to(ROOT)}")

    database, password = build_database(args.patients)
    env = environment(database, password)
    bundle = [str(executable), "--quit-when-ready"]
    venv = [sys.executable, "-m", "ui", "--quit-when-ready"]
    timed(bundle, env)  # warm the file cache for both
    timed(venv, env)
    bundles, venvs = [], []
    for _ in range(args.runs):
        bundles.append(timed(bundle, env))
        venvs.append(timed(venv, env))
    ours, floor = statistics.median(bundles), statistics.median(venvs)
    print(
        f"bundle --quit-when-ready, {args.patients:,} patients: median {ours * 1000:.0f} ms "
        f"(runs: {', '.join(f'{t * 1000:.0f}' for t in bundles)})"
    )
    print(
        f"venv   --quit-when-ready, {args.patients:,} patients: median {floor * 1000:.0f} ms "
        f"(runs: {', '.join(f'{t * 1000:.0f}' for t in venvs)})"
    )
    print(f"ratio={ours / floor:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
