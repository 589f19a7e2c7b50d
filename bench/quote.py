"""How fast the quote engine prices a consultation (the app re-prices on every change).

    .venv/bin/python bench/quote.py [--quotes N]

Builds N varied consultations (seeded, 1 to 6 areas with their concerns, add-ons,
discounts, blocked areas), then times `build_quote` + `to_json` over all of them and
prints the median per quote of several rounds. Goal: well under 1 ms per quote, so the
quote step can update on every keystroke without a worker thread.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from consult.catalogue import catalogue  # noqa: E402
from consult.fileformat import AreaRequest, Consultation, Patient  # noqa: E402
from consult.pricing import QuoteOptions, build_quote, default_price_list  # noqa: E402
from consult.pricing.settings import ClinicSettings  # noqa: E402

ROUNDS = 5


def cases(count: int, seed: int = 7) -> list[tuple[Consultation, QuoteOptions, tuple[str, ...]]]:
    pick = random.Random(seed)
    areas = sorted(catalogue().areas)
    concerns = sorted(catalogue().concerns)
    add_ons = sorted(default_price_list().add_ons("microneedling"))
    made = []
    for _ in range(count):
        chosen = pick.sample(areas, pick.randint(1, 6))
        requests = tuple(
            AreaRequest(a, tuple(pick.sample(concerns, pick.randint(0, 2)))) for a in chosen
        )
        consultation = Consultation(
            date(2026, 11, 20),
            Patient("Bench Patient", date(1980, 1, 1)),
            pick.choice(sorted(catalogue().treatments)),
            requests,
        )
        options = QuoteOptions(
            add_ons=tuple(pick.sample(add_ons, pick.randint(0, len(add_ons)))),
            pay_upfront=pick.random() < 0.5,
            manual_discount_percent=Decimal(pick.randint(0, 2000)) / 100,
        )
        blocked = tuple(a for a in chosen if pick.random() < 0.1)
        made.append((consultation, options, blocked))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=5000)
    count = parser.parse_args().quotes
    work = cases(count)
    prices = default_price_list()
    settings = ClinicSettings(tax_rate=Decimal("0.0825"))
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        for consultation, options, blocked in work:
            build_quote(consultation, prices, settings, options, blocked).to_json()
        timings.append((time.perf_counter() - start) / count)
    per_quote_ms = statistics.median(timings) * 1000
    print(f"quotes={count} rounds={ROUNDS}")
    print(f"per_quote_ms={per_quote_ms:.3f}")


if __name__ == "__main__":
    main()
