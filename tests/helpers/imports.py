"""What a Python module imports, read from its syntax tree without running it.

Every form counts, wherever it stands (top level, inside a function, under
`if TYPE_CHECKING:`): `import a.b`, `from a import b`, `from . import b`,
`importlib.import_module("a.b")` (and a bare `import_module(...)`) and `__import__("a")`.
The tests that keep the core free of Qt and the storage package free of import
circles are built on it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

_DYNAMIC_IMPORTERS = ("import_module", "__import__")


def module_name(path: Path, root: Path) -> str:
    """The dotted name of the module at `path`, for a package tree whose parent is `root`."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_names(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every dotted name `source` (the text of `module`) imports.

    `from a import b` gives "a.b" (b may be a submodule or a name defined in a; importing
    a submodule runs its package first anyway, so the package is no name of its own).
    Relative imports are resolved against `module`; a dynamic import counts when its
    name is a string literal.
    """
    package = module if is_package else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, package)
            names.update(_from_names(base, node.names))
        elif isinstance(node, ast.Call) and _called_name(node.func) in _DYNAMIC_IMPORTERS:
            names.update(_dynamic_target(node, package))
    names.discard("")
    return names


def imports_of(path: Path, root: Path) -> set[str]:
    """Every dotted name the module file at `path` (under `root`) imports."""
    return imported_names(
        path.read_text(encoding="utf-8"),
        module_name(path, root),
        is_package=path.name == "__init__.py",
    )


def import_graph(package_dir: Path, root: Path | None = None) -> dict[str, set[str]]:
    """Module → the modules of the same package tree it imports.

    `root` is the folder module names start from: the parent of the top-level package
    (by default that of `package_dir`, for a top-level package).

    A `from a import b` is an arrow to module a.b when that is a module of the tree, else
    to a (b is then a name a defines, so a must have finished running).
    """
    root = root or package_dir.parent
    files = sorted(package_dir.rglob("*.py"))
    modules = {module_name(path, root) for path in files}
    graph: dict[str, set[str]] = {}
    for path in files:
        name = module_name(path, root)
        targets = {_nearest_module(imported, modules) for imported in imports_of(path, root)}
        graph[name] = {target for target in targets if target and target != name}
    return graph


def find_cycle(graph: Mapping[str, Iterable[str]]) -> list[str] | None:
    """One import circle in `graph` as [a, b, …, a], or None when there is none."""
    done: set[str] = set()
    for start in sorted(graph):
        cycle = _cycle_from(start, graph, done)
        if cycle:
            return cycle
    return None


def _cycle_from(start: str, graph: Mapping[str, Iterable[str]], done: set[str]) -> list[str]:
    """Depth-first from `start` with an explicit stack (deep graphs need no recursion)."""
    path: list[str] = []
    on_path: set[str] = set()
    stack: list[tuple[str, list[str]]] = []

    def enter(node: str) -> None:
        path.append(node)
        on_path.add(node)
        stack.append((node, sorted(graph.get(node, ()))))

    if start in done:
        return []
    enter(start)
    while stack:
        node, pending = stack[-1]
        if not pending:
            stack.pop()
            path.pop()
            on_path.discard(node)
            done.add(node)
            continue
        following = pending.pop()
        if following in on_path:
            return [*path[path.index(following) :], following]
        if following not in done:
            enter(following)
    return []


def _absolute(module: str | None, level: int, package: str) -> str:
    if level == 0:
        return module or ""
    parts = package.split(".") if package else []
    base = parts[: len(parts) - (level - 1)] if level > 1 else parts
    return ".".join([*base, module] if module else base)


def _from_names(base: str, aliases: list[ast.alias]) -> set[str]:
    return {base if alias.name == "*" else f"{base}.{alias.name}" for alias in aliases}


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _dynamic_target(call: ast.Call, package: str) -> set[str]:
    if not call.args:
        return set()
    first = call.args[0]
    if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
        return set()
    name = first.value
    if not name.startswith("."):
        return {name}
    dots = len(name) - len(name.lstrip("."))
    return {_absolute(name[dots:] or None, dots, package)}


def _nearest_module(name: str, modules: set[str]) -> str:
    """`name` if it is a module of the tree, else its nearest enclosing one ("" if none)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name
