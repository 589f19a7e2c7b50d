"""The app reaches the core through its services only.

Nothing under ui/ imports SQLAlchemy or consult.storage, in any form of import, and
nothing a ui module holds at module level (a class or function it imported) comes from
them through a re-export: screens call consult.services and hold consult.records.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import ui
from tests.helpers.imports import files_importing

ROOT = Path(ui.__file__).resolve().parents[1]
FORBIDDEN = ("sqlalchemy", "consult.storage")


def test_no_ui_file_imports_storage_or_sqlalchemy():
    assert files_importing(ROOT, "ui", FORBIDDEN) == []


def test_nothing_a_ui_module_holds_comes_from_storage():
    offences = []
    for info in pkgutil.walk_packages(ui.__path__, "ui."):
        if info.name == "ui.__main__":
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            origin = getattr(value, "__module__", None) or ""
            if isinstance(origin, str) and origin.startswith(FORBIDDEN):
                offences.append(f"{info.name}.{name} is {origin}")
    assert offences == []


def test_the_checks_read_the_ui_package():
    assert len(list((ROOT / "ui").rglob("*.py"))) > 20
