"""The storage package has no import circles: the session, optimistic locking and
seeding each have their own module, and the repositories depend on those, never the
other way round (a circle forces lazy imports and breaks as soon as one is moved)."""

from __future__ import annotations

from pathlib import Path

import consult.storage
from tests.helpers.imports import find_cycle, import_graph

STORAGE = Path(consult.storage.__file__).parent
ROOT = STORAGE.parents[1]


def test_storage_modules_import_each_other_without_a_circle():
    assert find_cycle(import_graph(STORAGE, ROOT)) is None


def test_opening_seeds_through_seeding_which_needs_no_repository():
    graph = import_graph(STORAGE, ROOT)
    assert "consult.storage.seeding" in graph["consult.storage.db"]
    assert graph["consult.storage.seeding"] <= {"consult.storage.models"}


def test_repositories_take_optimistic_locking_from_its_own_module():
    graph = import_graph(STORAGE, ROOT)
    lockers = {"patients", "settings", "quotes", "consultations", "user_admin"}
    for name in lockers:
        assert "consult.storage.locking" in graph[f"consult.storage.{name}"], name
    assert graph["consult.storage.locking"] == set()
    # A consultation belongs to a patient (it loads the row); the others need no patient.
    for name in lockers - {"patients", "consultations"}:
        assert "consult.storage.patients" not in graph[f"consult.storage.{name}"], name
