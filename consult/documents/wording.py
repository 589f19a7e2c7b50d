"""The editable wording of the documents: resources/consent/consent.toml and care.toml.

A medical lead edits these files, so a missing or mistyped entry must say which one,
not fail deep inside the PDF layout.
"""

from __future__ import annotations

from typing import Any

from consult import data
from consult.errors import ConsultError

CONSENT = "consent/consent.toml"
CARE = "consent/care.toml"


def _lookup(resource: str, path: str, kind: type) -> Any:
    node: Any = data.read_toml(resource)
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            raise ConsultError(f"resources/{resource}: `{path}` is missing")
        node = node[part]
    if kind is list:
        if not isinstance(node, list) or not all(isinstance(item, str) for item in node):
            raise ConsultError(f"resources/{resource}: `{path}` must be a list of texts")
    elif not isinstance(node, kind):
        raise ConsultError(f"resources/{resource}: `{path}` must be {kind.__name__}")
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
