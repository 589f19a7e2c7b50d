"""Print a fingerprint of the dependencies pyproject.toml declares (standard library only).

scripts/lock writes it into every lock file; scripts/start and scripts/test compare it
with pyproject.toml before installing, so a dependency added to pyproject.toml but not
yet locked fails loudly instead of being installed unpinned (or silently missing).

    python3 scripts/deps_fingerprint.py            # the fingerprint of pyproject.toml
    python3 scripts/deps_fingerprint.py LOCKFILE   # exit 1 with one line if LOCKFILE is stale
"""

from __future__ import annotations

import hashlib
import json
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MARKER = "# pyproject-dependencies: "


def fingerprint(pyproject: Path = ROOT / "pyproject.toml") -> str:
    """sha256 of the declared requirements: runtime, every extra, and the build's."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    project = data.get("project", {})
    declared = {
        "dependencies": sorted(project.get("dependencies", [])),
        "optional": {
            extra: sorted(items)
            for extra, items in sorted(project.get("optional-dependencies", {}).items())
        },
        "build": sorted(data.get("build-system", {}).get("requires", [])),
        "build.in": (ROOT / "requirements" / "build.in").read_text(encoding="utf-8"),
    }
    text = json.dumps(declared, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def recorded(lock: Path) -> str | None:
    for line in lock.read_text(encoding="utf-8").splitlines():
        if line.startswith(MARKER):
            return line.removeprefix(MARKER).strip()
    return None


def main(argv: list[str]) -> int:
    if not argv:
        print(fingerprint())
        return 0
    lock = Path(argv[0])
    if not lock.is_file():
        print(f"error: {lock} is missing; run scripts/lock", file=sys.stderr)
        return 1
    if recorded(lock) != fingerprint():
        print(
            f"error: {lock} does not match the dependencies in pyproject.toml "
            "(one was added, removed or changed); run scripts/lock and commit the result",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
