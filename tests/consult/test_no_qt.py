"""The domain core never imports Qt: it must run headless, in the CLI and in tests."""

import subprocess
import sys
from pathlib import Path

import consult

CORE = Path(consult.__file__).parent


def test_no_module_in_core_mentions_qt():
    offenders = [
        str(path.relative_to(CORE.parent))
        for path in CORE.rglob("*.py")
        if "PySide6" in path.read_text(encoding="utf-8")
        or "import ui" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []


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
