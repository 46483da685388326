"""Regenerate ``sales.csv``, the demo pipeline's shipped data set, deterministically.

    python definitions/demo/data/generate_sales.py            # rewrites sales.csv beside this file
    python definitions/demo/data/generate_sales.py --check    # exits 1 if sales.csv differs

The committed file is the source of truth for the pipeline and its tests; this script only
documents how it was made (a fixed seed, integer cents, no floats), so it reproduces byte for byte.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import sys
from pathlib import Path

SEED = 20240601
ROWS = 3000
START = dt.date(2024, 1, 1)
DAYS = 182  # 2024-01-01 .. 2024-06-30
REGIONS = ("north", "south", "east", "west", "central")
REGION_WEIGHTS = (30, 20, 25, 15, 10)
# product -> list price in cents
PRODUCTS = {
    "widget": 1250,
    "gadget": 2499,
    "gizmo": 899,
    "sprocket": 375,
    "flange": 1575,
    "doohickey": 4999,
}
DISCOUNTS = (0, 0, 0, 5, 10, 15)  # percent
HEADER = ("order_id", "date", "region", "product", "quantity", "unit_price")
OUT = Path(__file__).with_name("sales.csv")


def generate() -> str:
    """The CSV text: ``ROWS`` orders sorted by date, prices as decimal strings with two places."""
    rng = random.Random(SEED)
    products = sorted(PRODUCTS)
    rows = []
    for _ in range(ROWS):
        day = START + dt.timedelta(days=rng.randrange(DAYS))
        region = rng.choices(REGIONS, weights=REGION_WEIGHTS)[0]
        product = products[rng.randrange(len(products))]
        quantity = 1 + min(rng.randrange(12), rng.randrange(12)) + (rng.randrange(20) if rng.random() < 0.05 else 0)
        cents = PRODUCTS[product] * (100 - DISCOUNTS[rng.randrange(len(DISCOUNTS))]) // 100
        rows.append((day.isoformat(), region, product, quantity, cents))
    rows.sort(key=lambda r: r[0])
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(HEADER)
    for i, (day, region, product, quantity, cents) in enumerate(rows, start=1):
        writer.writerow((f"SO-{i:05d}", day, region, product, quantity, f"{cents // 100}.{cents % 100:02d}"))
    return buf.getvalue()


def main(argv: list[str]) -> int:
    text = generate()
    if "--check" in argv:
        same = OUT.exists() and OUT.read_text(encoding="utf-8") == text
        print(f"{OUT}: {'up to date' if same else 'DIFFERS from the generator'}")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {OUT} ({ROWS} rows, {len(text.encode())} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
