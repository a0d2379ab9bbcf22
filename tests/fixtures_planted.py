"""Planted fixtures for tests/test_compare_rules.py: every difference is written down and counted.

``write_outputs(root)`` writes two pipeline output folders, ``root/production`` and
``root/candidate``, each holding eight datasets. Keys: ``--key id`` for every dataset plus
``--key orders=order_id --key lines=order_id,line --key events=event_id
--key customers=customer_id`` (``KEY_ARGS``).

orders.parquet (key order_id; production ids 1..20, candidate ids 1..18 and 21..23)
  rows only in production: 19, 20 ..................................... ORDERS_ONLY_P = 2
  rows only in candidate: 21, 22, 23 ................................... ORDERS_ONLY_C = 3
  amount: ids 1, 2, 3 + 0.001 (within --abs-tol 0.01); ids 4, 5 + 5.0 .. 5 unequal, 2 beyond 0.01
  status: ids 6, 7 upper-cased ......................................... 2 unequal, 0 --ignore-case
  customer: ids 8, 9 gain a trailing space ......................... 2 unequal, 0 --ignore-spaces
  note: ids 10..13 rewritten ........................................... 4 unequal, gone with
                                                                         --ignore-column note
  vendor (production) is renamed supplier (candidate), id 14 changed ... 1 unequal with --rename
  legacy: only in production; channel: only in candidate
  qty: int64 -> double with equal values ............................... a type change, 0 unequal
  created: timestamp[us] -> timestamp[us, tz=UTC], same instants ....... a type change, 0 unequal
  region: dictionary-encoded in production, plain in candidate ......... not a change
  rows with differences: ids 1..13 (13; 10 with --abs-tol 0.01)
lines/ (hive partitions day=1, day=2 of Parquet part files; key order_id, line)
  price of (1, 2) changed .............................................. 1 unequal
  (3, 1) only in candidate ............................................. 1 row
events.jsonl (JSON lines; key event_id): kind of event 2 changed ........ 1 unequal
customers.csv (CSV; key customer_id)
  customer 3 twice in candidate, once in production .................... 1 differing group,
                                                                         1 candidate row unmatched
  one row with an empty (null) key on each side: they match ............ 1 null-key row per side
metrics.arrow (Arrow IPC; key id): value of id 2 changed ................ 1 unequal
static.parquet: byte-identical on both sides ............................ identical, no join
dropped.parquet: only in production; added.parquet: only in candidate
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.feather as feather
import pyarrow.parquet as pq

KEY_ARGS = ["--key", "id", "--key", "orders=order_id", "--key", "lines=order_id,line",
            "--key", "events=event_id", "--key", "customers=customer_id"]  # fmt: skip
DATASETS = ("added", "customers", "dropped", "events", "lines", "metrics", "orders", "static")
ORDERS_ROWS_P, ORDERS_ROWS_C = 20, 21
ORDERS_ONLY_P, ORDERS_ONLY_C = 2, 3
ORDERS_ONLY_P_IDS, ORDERS_ONLY_C_IDS = (19, 20), (21, 22, 23)
AMOUNT_SMALL_IDS, AMOUNT_BIG_IDS = (1, 2, 3), (4, 5)
STATUS_IDS, CUSTOMER_IDS, NOTE_IDS, VENDOR_IDS = (6, 7), (8, 9), (10, 11, 12, 13), (14,)
ORDERS_CHANGED_ROWS = 13
TYPE_CHANGES = ("qty", "created")


def _orders(side: str) -> pa.Table:
    prod = side == "production"
    ids = list(range(1, 21)) if prod else [*range(1, 19), 21, 22, 23]
    n = len(ids)

    def amount(i: int) -> float:
        base = 100.0 + i
        if prod:
            return base
        return base + (0.001 if i in AMOUNT_SMALL_IDS else 5.0 if i in AMOUNT_BIG_IDS else 0.0)

    def pick(i: int, ids_: tuple[int, ...], same: str, changed: str) -> str:
        return changed if not prod and i in ids_ else same

    start = dt.datetime(2024, 1, 1)
    created = [start + dt.timedelta(hours=i) for i in ids]
    region = pa.array(["north" if i % 2 else "south" for i in ids])
    columns: dict[str, Any] = {
        "order_id": pa.array(ids, pa.int64()),
        "customer": [pick(i, CUSTOMER_IDS, f"c{i}", f"c{i} ") for i in ids],
        "amount": pa.array([amount(i) for i in ids], pa.float64()),
        "status": [pick(i, STATUS_IDS, "open", "OPEN") for i in ids],
        "note": [pick(i, NOTE_IDS, "ok", "rewritten") for i in ids],
        "vendor" if prod else "supplier": [pick(i, VENDOR_IDS, "acme", "globex") for i in ids],
        "qty": pa.array([i % 5 for i in ids], pa.int64() if prod else pa.float64()),
        "created": pa.array(created, pa.timestamp("us") if prod else pa.timestamp("us", "UTC")),
        "region": region.dictionary_encode() if prod else region,
        "legacy" if prod else "channel": ["x"] * n,
    }
    return pa.table(columns)


def _write_lines(folder: Path, side: str) -> None:
    rows = [(1, 1, 1, 9.5), (1, 1, 2, 3.0), (2, 2, 1, 4.0)]
    if side == "candidate":
        rows = [(1, 1, 1, 9.5), (1, 1, 2, 3.5), (2, 2, 1, 4.0), (2, 3, 1, 1.0)]
    for day in (1, 2):
        part = [r for r in rows if r[0] == day]
        t = pa.table({"order_id": pa.array([r[1] for r in part], pa.int64()),
                      "line": pa.array([r[2] for r in part], pa.int64()),
                      "price": pa.array([r[3] for r in part], pa.float64())})  # fmt: skip
        (folder / f"day={day}").mkdir(parents=True)
        pq.write_table(t, folder / f"day={day}" / "part-0.parquet")


def _write_events(path: Path, side: str) -> None:
    kinds = ["view", "click" if side == "production" else "buy", "view"]
    path.write_text("".join(json.dumps({"event_id": i + 1, "kind": k}) + "\n"
                            for i, k in enumerate(kinds)))  # fmt: skip


def _write_customers(path: Path, side: str) -> None:
    rows = ["1,ann", "2,bob", "3,cy", ",nobody"] + (["3,cy"] if side == "candidate" else [])
    path.write_text("customer_id,name\n" + "\n".join(rows) + "\n")


def write_outputs(root: Path) -> tuple[Path, Path]:
    """Both output folders under ``root``; returns (production, candidate)."""
    folders = {}
    for side in ("production", "candidate"):
        out = root / side
        out.mkdir(parents=True)
        pq.write_table(_orders(side), out / "orders.parquet")
        _write_lines(out / "lines", side)
        _write_events(out / "events.jsonl", side)
        _write_customers(out / "customers.csv", side)
        metrics = pa.table({"id": [1, 2], "value": [1.0, 2.0 if side == "production" else 2.5]})
        feather.write_feather(metrics, str(out / "metrics.arrow"))
        one_side = "dropped" if side == "production" else "added"
        pq.write_table(pa.table({"id": [1]}), out / f"{one_side}.parquet")
        folders[side] = out
    pq.write_table(
        pa.table({"id": [1, 2], "v": ["a", "b"]}), folders["production"] / "static.parquet"
    )
    shutil.copyfile(
        folders["production"] / "static.parquet", folders["candidate"] / "static.parquet"
    )
    return folders["production"], folders["candidate"]


# --------------------------------------------------------------------- one small table, 5 formats
SMALL_P = pa.table({"id": [1, 2, 3], "name": ["a", "b", "c"], "v": [1.5, 2.5, 3.5]})
SMALL_C = pa.table({"id": [1, 2, 4], "name": ["a", "B", "d"], "v": [1.5, 2.5, 4.5]})
# id 3 only in production, id 4 only in candidate, name of id 2 changed: the same in every format.
SMALL_EXPECT = {"only_in_production": 1, "only_in_candidate": 1, "matched_rows": 2,
                "columns.name.unequal": 1, "columns.v.unequal": 0}  # fmt: skip


def write_small(path: Path, table: pa.Table, fmt: str) -> None:
    if fmt == "parquet":
        pq.write_table(table, path)
    elif fmt == "csv":
        pacsv.write_csv(table, path)
    elif fmt == "json":
        path.write_text("".join(json.dumps(r) + "\n" for r in table.to_pylist()))
    else:
        feather.write_feather(table, str(path))
