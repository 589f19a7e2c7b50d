"""A session's history changes are kept exactly as a consult/1 file writes them."""

from __future__ import annotations

from datetime import date

from consult.clinical import fileformat
from consult.clinical.fileformat import HistoryEntry
from consult.storage.course import history_json


def test_a_procedure_since_the_last_visit_keeps_its_kind_and_date():
    changes = {
        "laser_or_peel": HistoryEntry(True, date=date(2026, 11, 20), kind="non_ablative_laser"),
        "pregnant": HistoryEntry(present=False),
    }
    stored = history_json(changes)
    assert stored == {
        "laser_or_peel": {"date": "2026-11-20", "kind": "non_ablative_laser"},
        "pregnant": False,
    }
    # The same writer as the file format's, so a session reads back like a consultation.
    assert stored == fileformat.history_out(changes)
