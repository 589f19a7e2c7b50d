"""The import reader behind the no-Qt and no-circle tests finds every form, and only those."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.imports import find_cycle, import_graph, imported_names, module_name

EVERY_FORM = """
import ui.shell.app
import json, PySide6.QtCore as qt
from ui.widgets import area_map
from . import sibling
from .. import uncle
from .inner import thing
from shiboken6 import *
import importlib
from typing import TYPE_CHECKING


def later():
    import xml.etree
    module = importlib.import_module("ui.lazy")
    relative = importlib.import_module(".peer", package="pkg.sub")
    return __import__("PySide6"), module, relative


if TYPE_CHECKING:
    from ui.shell.context import Context
"""


def test_every_import_form_is_found_wherever_it_stands():
    names = imported_names(EVERY_FORM, "pkg.sub.mod")
    assert {
        "ui.shell.app",
        "json",
        "PySide6.QtCore",
        "ui.widgets.area_map",
        "pkg.sub.sibling",
        "pkg.uncle",
        "pkg.sub.inner.thing",
        "shiboken6",
        "xml.etree",
        "ui.lazy",
        "pkg.sub.peer",
        "PySide6",
        "ui.shell.context.Context",
    } <= names


def test_a_dynamic_import_of_a_computed_name_is_not_guessed():
    assert imported_names("import importlib\nimportlib.import_module(name)\n", "m") == {
        "importlib"
    }


def test_relative_imports_in_a_package_init_resolve_against_the_package():
    assert imported_names("from . import db\n", "consult.storage", is_package=True) == {
        "consult.storage.db"
    }


def test_module_names_follow_the_file_layout(tmp_path: Path):
    assert module_name(tmp_path / "pkg" / "__init__.py", tmp_path) == "pkg"
    assert module_name(tmp_path / "pkg" / "sub" / "mod.py", tmp_path) == "pkg.sub.mod"


def _package(root: Path, files: dict[str, str]) -> Path:
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root / next(iter(files)).split("/")[0]


def test_the_graph_points_at_modules_of_the_tree_only(tmp_path: Path):
    package = _package(
        tmp_path,
        {
            "pkg/__init__.py": "from pkg.db import Database\n",
            "pkg/db.py": "import sqlalchemy\nfrom pkg import seeding\n",
            "pkg/seeding.py": "from pkg.models import Row\n",
            "pkg/models.py": "",
        },
    )
    assert import_graph(package) == {
        "pkg": {"pkg.db"},
        "pkg.db": {"pkg.seeding"},
        "pkg.seeding": {"pkg.models"},
        "pkg.models": set(),
    }


def test_a_name_from_a_package_points_at_the_package(tmp_path: Path):
    package = _package(
        tmp_path,
        {"pkg/__init__.py": "from pkg.db import Database\n", "pkg/db.py": "", "pkg/user.py": ""},
    )
    (package / "user.py").write_text("from pkg import Database\n", encoding="utf-8")
    assert import_graph(package)["pkg.user"] == {"pkg"}


def test_a_circle_is_found_even_through_a_lazy_import(tmp_path: Path):
    package = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/db.py": "def seed():\n    from pkg import prices\n",
            "pkg/prices.py": "from pkg.db import Database\n",
        },
    )
    assert find_cycle(import_graph(package)) == ["pkg.db", "pkg.prices", "pkg.db"]


def test_no_circle_in_a_layered_graph():
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_a_circle_deep_in_the_graph_is_named_from_where_it_closes():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"d"}, "d": {"b"}}
    assert find_cycle(graph) == ["b", "c", "d", "b"]


def test_a_module_naming_itself_is_no_arrow(tmp_path: Path):
    package = _package(tmp_path, {"pkg/__init__.py": "", "pkg/a.py": "import pkg.a\n"})
    assert import_graph(package)["pkg.a"] == set()


def test_a_subpackage_is_named_from_the_given_root(tmp_path: Path):
    package = _package(
        tmp_path, {"top/__init__.py": "", "top/sub/__init__.py": "", "top/sub/a.py": ""}
    )
    assert set(import_graph(package / "sub", tmp_path)) == {"top.sub", "top.sub.a"}
