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
from tests.helpers.imports import imports_of

ROOT = Path(ui.__file__).resolve().parents[1]
FORBIDDEN = ("sqlalchemy", "consult.storage")


def _offences() -> list[str]:
    return [
        f"{path.relative_to(ROOT)}: {name}"
        for path in sorted((ROOT / "ui").rglob("*.py"))
        for name in sorted(imports_of(path, ROOT))
        if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN)
    ]


def test_no_ui_file_imports_storage_or_sqlalchemy():
    # Every import form counts, `if TYPE_CHECKING:` ones too (tests/helpers/imports.py).
    assert _offences() == []


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
