"""The import reader finds every form of import, so the layering rules cannot be dodged."""

from pathlib import Path

from tests.helpers.imports import files_importing, imported_modules


def test_every_import_form_is_found():
    source = (
        "import a.b\n"
        "from c import d\n"
        "from . import sibling\n"
        "from ..up import thing\n"
        "import importlib\n"
        "importlib.import_module('e.f')\n"
        "__import__('g')\n"
        "def later():\n"
        "    from h.i import j\n"
        "if TYPE_CHECKING:\n"
        "    from k import l\n"
    )
    found = imported_modules(source, "pkg.sub.mod")
    assert {"a.b", "c", "c.d", "pkg.sub", "pkg.sub.sibling", "pkg.up", "pkg.up.thing"} <= found
    assert {"e.f", "g", "h.i", "h.i.j", "k", "k.l"} <= found


def test_a_forbidden_import_is_reported_with_its_file(tmp_path: Path):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "good.py").write_text("import json\n")
    (tmp_path / "pkg" / "bad.py").write_text("def f():\n    from secret.inner import x\n")
    assert files_importing(tmp_path, "pkg", ("secret",)) == [
        "pkg/bad.py: secret.inner",
        "pkg/bad.py: secret.inner.x",
    ]
