"""The one way to read the files in `resources/`.

Built on importlib.resources so the same code works from a checkout, an installed
wheel or a zip. Data files (questionnaire, rules, areas, prices, consent text, maps,
fonts) are kept out of Python so a clinic's medical lead can read and change them.
"""

from __future__ import annotations

import json
import tomllib
from contextlib import AbstractContextManager
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

_PACKAGE = "resources"


def resource(name: str) -> Traversable:
    """The resource at `name` (a '/'-separated path inside resources/)."""
    node = resources.files(_PACKAGE)
    for part in name.split("/"):
        node = node / part
    if not node.is_file():
        raise FileNotFoundError(f"resource {name!r} is missing from the installation")
    return node


def read_bytes(name: str) -> bytes:
    return resource(name).read_bytes()


def read_text(name: str) -> str:
    return resource(name).read_text(encoding="utf-8")


@cache
def read_toml(name: str) -> dict[str, Any]:
    """Parsed TOML; cached because the files are read-only for the life of a process."""
    return tomllib.loads(read_text(name))


@cache
def read_json(name: str) -> Any:
    return json.loads(read_text(name))


def as_file(name: str) -> AbstractContextManager[Path]:
    """A real filesystem path for APIs that insist on one (fonts, for example)."""
    return resources.as_file(resource(name))
