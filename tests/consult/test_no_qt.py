"""The domain core never imports Qt or the app: it must run headless, in the CLI and in tests.

Every module under consult/ is read as a syntax tree, so every import form counts,
wherever it stands (inside a function, under TYPE_CHECKING): `import x`,
`from x import y`, `from . import y`, `importlib.import_module("x")`, `__import__("x")`.
"""

import subprocess
import sys
from pathlib import Path

import consult
from tests.helpers.imports import imports_of

CORE = Path(consult.__file__).parent
ROOT = CORE.parent
FORBIDDEN = ("PySide6", "shiboken6", "ui")

# Known offenders, each to be removed from here once it is fixed. Only this one: the
# start-up that opens the window; the lead moves it into ui/ and then deletes the entry.
ALLOWED: set[str] = set()  # nothing under consult/ may import Qt or the app


def _offenders() -> dict[str, list[str]]:
    found = {}
    for path in sorted(CORE.rglob("*.py")):
        bad = sorted(
            name for name in imports_of(path, ROOT) if name.split(".")[0] in FORBIDDEN
        )
        if bad:
            found[path.relative_to(ROOT).as_posix()] = bad
    return found


def test_no_module_in_core_imports_qt_or_the_app():
    offenders = {name: bad for name, bad in _offenders().items() if name not in ALLOWED}
    assert offenders == {}


def test_every_allowed_offender_still_offends():
    # An entry whose module no longer imports Qt or ui must leave the list with it.
    assert ALLOWED <= set(_offenders())


def test_importing_every_core_module_loads_no_qt():
    code = (
        "import pkgutil, importlib, sys, consult\n"
        "for m in pkgutil.walk_packages(consult.__path__, 'consult.'):\n"
        "    if m.name == 'consult.__main__': continue\n"
        "    importlib.import_module(m.name)\n"
        "bad = sorted(n for n in sys.modules if n.startswith(('PySide6', 'shiboken6', 'ui')))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""
