"""The developers' guide's rules for the UI code, checked on its source.

"Connect signals to bound methods marked @Slot; no lambda that captures self": a
lambda holding `self` keeps the widget alive from its own connections (it leaks in
PySide6) and can run after the widget is gone.
"""

from __future__ import annotations

import ast
from pathlib import Path

UI = Path(__file__).resolve().parents[2] / "ui"


def lambdas_capturing_self(source: str) -> list[int]:
    """The line of every lambda whose body mentions the name `self`."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Lambda)
        and any(isinstance(name, ast.Name) and name.id == "self" for name in ast.walk(node.body))
    ]


def test_no_lambda_in_ui_captures_self():
    found = [
        f"{path.relative_to(UI.parent)}:{line}"
        for path in sorted(UI.rglob("*.py"))
        for line in lambdas_capturing_self(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "lambdas capturing self (use a bound @Slot method):\n" + "\n".join(found)


def test_the_check_finds_a_lambda_capturing_self_and_passes_others():
    source = (
        "class Page:\n"
        "    def wire(self, button, other):\n"
        "        button.clicked.connect(lambda: self.choose('mine'))\n"
        "        button.clicked.connect(lambda error: show(\n"
        "            self, error))\n"
        "        other.clicked.connect(lambda: print('no self here'))\n"
        "        other.sorted(key=lambda row: row.id)\n"
    )
    assert lambdas_capturing_self(source) == [3, 4]


def test_the_check_reads_the_ui_package():
    # Guards against scanning nothing (a moved folder would make the rule pass vacuously).
    assert (UI / "widgets" / "paged_model.py").is_file()
    assert len(list(UI.rglob("*.py"))) > 20
