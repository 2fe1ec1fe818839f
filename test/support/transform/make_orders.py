"""Writes the transform tests' dataset: 10,000 orders with mixed types, dates and missing values,
as orders.csv and orders.xlsx (the same rows) in the directory given. Deterministic.

With a row count and a name after the directory, writes only <name>.csv of that many orders (a file
too large to send in a request)."""

import csv
import random
import sys
from datetime import date, timedelta

from openpyxl import Workbook

REGIONS = ["north", "south", "east", "west", "centre"]
COLUMNS = ["order_id", "region", "ordered", "quantity", "price", "amount", "returned", "note"]


def rows(count=10_000, seed=7):
    rng = random.Random(seed)
    start = date(2022, 6, 1)
    for order_id in range(1, count + 1):
        quantity = rng.randint(1, 9)
        price = round(rng.uniform(1, 200), 2)
        yield {
            "order_id": order_id,
            # About one in twenty regions missing.
            "region": "" if rng.random() < 0.05 else rng.choice(REGIONS),
            "ordered": start + timedelta(days=rng.randint(0, 900)),
            "quantity": quantity,
            "price": price,
            # About one in ten amounts missing.
            "amount": "" if rng.random() < 0.1 else round(quantity * price, 2),
            "returned": rng.random() < 0.08,
            "note": rng.choice(["", "", "gift", "rush, priority", "late"]),
        }


def main(out_dir, count=10_000, name="orders"):
    data = list(rows(count))
    with open(f"{out_dir}/{name}.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in data:
            writer.writerow({**row, "ordered": row["ordered"].isoformat(), "returned": str(row["returned"]).lower()})
    if name != "orders":
        return
    book = Workbook()
    sheet = book.active
    sheet.title = "Orders"
    sheet.append(COLUMNS)
    for row in data:
        sheet.append([None if row[name] == "" else row[name] for name in COLUMNS])
    book.save(f"{out_dir}/orders.xlsx")


if len(sys.argv) == 4:
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
else:
    main(sys.argv[1])
