"""The editable wording of the documents: resources/consent/consent.toml and care.toml.

A medical lead edits these files, so a missing or mistyped entry must say which one,
not fail deep inside the PDF layout.
"""

from __future__ import annotations

from typing import Any, TypeVar

from consult import data
from consult.errors import ConsultError

# What an entry of the wording must be: a text, a list of texts or a table.
Node = TypeVar("Node")

CONSENT = "consent/consent.toml"
CARE = "consent/care.toml"


def _lookup(resource: str, path: str, kind: type[Node]) -> Node:
    node: Any = data.read_toml(resource)
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ConsultError(f"resources/{resource}: `{path}` is missing")
        node = node[part]
    if not isinstance(node, kind):
        what = "a list of texts" if kind is list else kind.__name__
        raise ConsultError(f"resources/{resource}: `{path}` must be {what}")
    if isinstance(node, list) and not all(isinstance(item, str) for item in node):
        raise ConsultError(f"resources/{resource}: `{path}` must be a list of texts")
    return node


def consent_text(path: str) -> str:
    return _lookup(CONSENT, path, str)


def consent_list(path: str) -> list[str]:
    return _lookup(CONSENT, path, list)


def heading(key: str) -> str:
    return consent_text(f"headings.{key}")


def headings() -> list[str]:
    """Every consent section heading, in print order."""
    table = _lookup(CONSENT, "headings", dict)
    return [heading(key) for key in table]


def care_text(path: str) -> str:
    return _lookup(CARE, path, str)


def care_list(path: str) -> list[str]:
    return _lookup(CARE, path, list)
