"""Time contraindication screening once the rules are loaded.

Screens a consultation with a rich history many times and, in the same run, a floor:
the simplest code doing comparable work (one pass over the history with a severity
lookup and a few if-statements, no windows, areas or messages). Prints microseconds per
screening for both, whether the product stays under 1 ms, and `ratio=X.XX` last.

    .venv/bin/python bench/screening.py
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from consult.clinical import fileformat
from consult.clinical.fileformat import Consultation
from consult.clinical.rules import RANK, rule_table
from consult.clinical.screening import screen

RICH = {
    "format": "consult/1",
    "consultation_date": "2026-11-20",
    "patient": {"name": "Bench Patient", "date_of_birth": "2005-03-01", "fitzpatrick": 5},
    "treatment": "rf_microneedling",
    "areas": [
        {"area": "periorbital", "concerns": ["fine_lines"]},
        {"area": "cheeks", "concerns": ["acne_scars", "pigmentation"]},
        {"area": "jawline", "concerns": ["laxity"]},
        {"area": "neck", "concerns": ["fine_lines"]},
        {"area": "chest", "concerns": ["texture"]},
        {"area": "thighs", "concerns": ["stretch_marks"]},
    ],
    "history": {
        "isotretinoin": {"status": "past", "date": "2026-08-01"},
        "anticoagulants": {"note": "apixaban"},
        "topical_retinoids": {"date": "2026-11-18", "areas": ["cheeks"]},
        "cold_sores": {"status": "history"},
        "eczema_psoriasis": {"status": "active", "areas": ["neck"]},
        "rosacea": True,
        "diabetes": {"status": "history"},
        "sunburn": {"date": "2026-11-12", "areas": ["chest"]},
        "smoker": True,
        "botox": {"date": "2026-11-10", "areas": ["forehead"]},
        "dermal_filler": {"status": "current", "date": "2026-06-01", "areas": ["cheeks"]},
        "laser_or_peel": {"date": "2026-10-01", "note": "fractional CO2", "areas": ["cheeks"]},
        "metal_implant": {"areas": ["thighs"]},
        "tattoo": {"areas": ["chest"]},
        "allergy_anaesthetic": True,
        "hair_dye": True,
        "pregnant": False,
    },
}

# The floor's "rule table": a severity per condition, read once like the product's.
FLOOR_SEVERITY = {
    rule.condition: rule.severity for rule in rule_table().rules if rule.condition is not None
}


def floor(consultation: Consultation) -> str:
    """The least code that looks at the same answers: a dict lookup per history item."""
    worst = 0
    for key, entry in consultation.history.items():
        if not entry.present:
            continue
        severity = FLOOR_SEVERITY.get(key, "precautions")
        if key == "isotretinoin" and entry.status == "current":
            severity = "defer"
        if key == "tattoo" and entry.areas:
            severity = "decline"
        worst = max(worst, RANK[severity])
    if consultation.patient.age_on(consultation.consultation_date) < 18:
        worst = RANK["decline"]
    return next(name for name, rank in RANK.items() if rank == worst)


def per_call_us(function: Callable[[Consultation], object], consultation: Consultation) -> float:
    """Best of five runs, microseconds per call."""
    runs = 2000
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(runs):
            function(consultation)
        best = min(best, (time.perf_counter() - start) / runs)
    return best * 1e6


def main() -> int:
    consultation = fileformat.from_dict(RICH)
    result = screen(consultation)  # loads and checks the rules once
    print(f"rules: {len(rule_table().rules)}, history items: {len(consultation.history)}")
    print(f"findings: {len(result.findings)}, verdict: {result.verdict}")
    product = per_call_us(screen, consultation)
    baseline = per_call_us(floor, consultation)
    print(f"product screen: {product:.1f} us per screening")
    print(f"floor (dict lookups): {baseline:.1f} us per screening")
    print(f"under 1 ms per screening: {'yes' if product < 1000 else 'NO'}")
    print(f"ratio={product / baseline:.2f}")
    return 0 if product < 1000 else 1


if __name__ == "__main__":
    sys.exit(main())
