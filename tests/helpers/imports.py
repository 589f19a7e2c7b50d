"""Which modules a Python file imports, in every form the language allows.

`import a.b`, `from a import b`, `from . import b` (resolved against the file's own
package), `importlib.import_module("a.b")` and `__import__("a.b")` with a literal
name: the layering tests check each file's imports through this one reader.
"""

from __future__ import annotations

import ast
from pathlib import Path


def module_name(path: Path, root: Path) -> str:
    """`ui/admin/audit_view.py` under `root` → `ui.admin.audit_view`."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str = "", is_package: bool = False) -> set[str]:
    """Every module name `source` imports (a `from a import b` counts as a and a.b)."""
    found: set[str] = set()
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolved(node.module or "", node.level, package)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
        elif isinstance(node, ast.Call) and _is_dynamic_import(node.func):
            if node.args and isinstance(node.args[0], ast.Constant):
                if isinstance(node.args[0].value, str):
                    found.add(node.args[0].value)
    return {name for name in found if name}


def _resolved(module: str, level: int, package: str) -> str:
    if level == 0:
        return module
    parts = package.split(".") if package else []
    base = parts[: len(parts) - (level - 1)] if level > 1 else parts
    return ".".join([*base, module] if module else base)


def _is_dynamic_import(func: ast.expr) -> bool:
    if isinstance(func, ast.Name):
        return func.id in ("__import__", "import_module")
    return isinstance(func, ast.Attribute) and func.attr == "import_module"


def files_importing(root: Path, package: str, forbidden: tuple[str, ...]) -> list[str]:
    """`path: module` for every import under `root/package` of a forbidden module."""
    offences = []
    for path in sorted((root / package).rglob("*.py")):
        name = module_name(path, root)
        source = path.read_text(encoding="utf-8")
        for imported in sorted(imported_modules(source, name, path.name == "__init__.py")):
            if any(imported == bad or imported.startswith(bad + ".") for bad in forbidden):
                offences.append(f"{path.relative_to(root)}: {imported}")
    return offences
