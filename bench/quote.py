"""How fast the quote engine prices a consultation (the app re-prices on every change).

    .venv/bin/python bench/quote.py [--quotes N]

Builds N varied consultations (seeded, 1 to 6 areas with their concerns, add-ons,
discounts, blocked areas), then times `build_quote` + `to_json` over all of them and
prints the median per quote of several rounds beside a floor: the same pricing done
the simplest way (a dict of unit prices, one course length, Decimal sums, no validation,
no course planning), and `ratio=X.XX` last. Goal: well under 1 ms per quote, so the
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

from consult.clinic.settings import ClinicSettings  # noqa: E402
from consult.clinical.catalogue import catalogue  # noqa: E402
from consult.clinical.fileformat import AreaRequest, Consultation, Patient  # noqa: E402
from consult.pricing import QuoteOptions, build_quote, default_price_list  # noqa: E402

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


CENT = Decimal("0.01")


def floor_quote(consultation, unit_prices, add_on_prices, options, blocked, tax_rate) -> dict:
    """The simplest code that produces the same kind of answer."""
    region_of = {area.id: area.region for area in catalogue().areas.values()}
    regions = {region_of[r.area] for r in consultation.areas if r.area not in blocked}
    sessions = 4
    lines = [
        (unit_prices[(consultation.treatment, region)] * sessions).quantize(CENT)
        for region in sorted(regions)
    ]
    lines += [
        (add_on_prices[(consultation.treatment, a)] * sessions).quantize(CENT)
        for a in options.add_ons
    ]
    subtotal = sum(lines, Decimal(0))
    percent = options.manual_discount_percent + (10 if options.pay_upfront else 0)
    discount = min(subtotal, (subtotal * percent / 100).quantize(CENT))
    tax = ((subtotal - discount) * tax_rate).quantize(CENT)
    return {
        "lines": [str(x) for x in lines],
        "subtotal": str(subtotal),
        "total": str(subtotal - discount + tax),
    }


def time_rounds(run, count: int) -> float:
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        run()
        timings.append((time.perf_counter() - start) / count)
    return statistics.median(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quotes", type=int, default=5000)
    count = parser.parse_args().quotes
    work = cases(count)
    prices = default_price_list()
    settings = ClinicSettings(tax_rate=Decimal("0.0825"))
    unit_prices = {
        (item.treatment, item.item): item.unit_price
        for item in prices.items.values()
        if item.kind == "region"
    }
    add_on_prices = {
        (item.treatment, item.item): item.unit_price
        for item in prices.items.values()
        if item.kind == "addon"
    }

    def product() -> None:
        for consultation, options, blocked in work:
            build_quote(consultation, prices, settings, options, blocked).to_json()

    def floor() -> None:
        for consultation, options, blocked in work:
            floor_quote(
                consultation, unit_prices, add_on_prices, options, blocked, settings.tax_rate
            )

    product_s = time_rounds(product, count)
    floor_s = time_rounds(floor, count)
    print(f"quotes={count} rounds={ROUNDS}")
    print(f"product: {product_s * 1000:.3f} ms per quote")
    print(f"floor:   {floor_s * 1000:.3f} ms per quote")
    print(f"ratio={product_s / floor_s:.2f}")


if __name__ == "__main__":
    main()
