"""Seeded benchmark data: production Parquet and a shuffled candidate with planted differences.

    python bench/generate.py --rows 1000000 --seed 42 --out bench/data/n1000000-s42

writes ``production.parquet``, ``candidate.parquet`` and ``planted.json`` (the exact counts of every
planted difference; written last, so its presence marks a complete data set).

Rows are generated in chunks of ``--chunk-rows`` (one Parquet row group each), so 50M rows never
need more than a chunk or two in memory. Chunk ``c`` draws from ``default_rng([seed, c, k])``, so
the output depends only on (rows, seed, chunk_rows), never on the order of generation.

Planted differences, per production chunk:
- ~0.1% of rows removed; ~0.1% rows added (odd ids; production ids are even);
- ~1% of the kept rows changed in a non-empty subset of ``amount`` (+0.01..50.00), ``status``
  (another of the 20 values) and ``updated_at`` (+1 s..1 day); none of these three columns holds
  nulls, so every change is a value-to-different-value change;
- ``legacy_code`` removed, ``channel`` added, ``quantity`` retyped int32 -> int64 (equal values);
- rows permuted within each chunk, and chunks written in a permuted order.
Nullable columns hold ~5% nulls, identical on both sides.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

ID_BASE = 10_000_000_000  # production id of row i: ID_BASE + 2 * i; added rows get odd ids
NULL_SHARE = 0.05
REMOVED_SHARE = 0.001
ADDED_SHARE = 0.001
CHANGED_SHARE = 0.01
CHANGED_COLUMNS = ("amount", "status", "updated_at")
REMOVED_COLUMN = "legacy_code"
ADDED_COLUMN = "channel"
RETYPED_COLUMN = "quantity"
T0_US = 1_704_067_200_000_000  # 2024-01-01T00:00:00Z in microseconds
YEAR_US = 365 * 86_400 * 1_000_000
TS = pa.timestamp("us", tz="UTC")
# Cases (``--case``): favourable (the above), and with float noise on every row of NOISY_COLUMNS
# (compare with --abs-tol TOLERANCE): realistic (plus value<->null flips of ``price``),
# all-changed (every kept row changed), all-tolerated (noise only, nothing really changed).
CASES = ("favourable", "realistic", "all-changed", "all-tolerated")
NOISY_COLUMNS = ("amount", "price", "score")
NULL_FLIP_SHARE = 0.002
TOLERANCE = 1e-6

STATUSES = pa.array([f"status_{i:02d}" for i in range(20)])
COUNTRIES = pa.array(["DE", "FR", "US", "GB", "NL", "ES", "IT", "PL", "SE", "JP", "BR", "IN"])
CATEGORIES = pa.array([f"category-{c}" for c in "abcdefghijklmnopqrst"])
CHANNELS = pa.array(["web", "app", "store", "phone", "partner"])
LEGACY = pa.array([f"L{i:03d}" for i in range(20)])


def _nulls(rng: np.random.Generator, n: int) -> np.ndarray[Any, np.dtype[np.bool_]]:
    return rng.random(n) < NULL_SHARE


def _pick(values: pa.Array, idx: np.ndarray[Any, Any], mask: Any = None) -> pa.Array:
    return values.take(pa.array(idx, type=pa.int32(), mask=mask))


def _text(
    prefix: str, numbers: np.ndarray[Any, Any], suffix: str = "", mask: Any = None
) -> pa.Array:
    digits = pc.cast(pa.array(numbers, mask=mask), pa.string())
    return pc.binary_join_element_wise(prefix, digits, suffix, "")


def production_chunk(seed: int, chunk: int, start: int, n: int, odd_ids: Any = None) -> pa.Table:
    """Production rows ``start .. start+n`` (or, with ``odd_ids``, added rows with those ids)."""
    rng = np.random.default_rng([seed, chunk, 0 if odd_ids is None else 2])
    if odd_ids is None:
        ids = ID_BASE + 2 * np.arange(start, start + n)
    else:
        ids = ID_BASE + 2 * np.asarray(odd_ids) + 1
    created = T0_US + rng.integers(0, YEAR_US, n)
    cols: dict[str, pa.Array] = {
        "id": pa.array(ids, type=pa.int64()),
        "customer_id": pa.array(rng.integers(1, 2_000_000, n), type=pa.int64()),
        RETYPED_COLUMN: pa.array(rng.integers(1, 100, n, dtype=np.int32)),
        "amount": pa.array(np.round(rng.lognormal(4.0, 1.2, n), 2)),
        "price": pa.array(np.round(rng.uniform(0.5, 500.0, n), 2), mask=_nulls(rng, n)),
        "discount": pa.array(rng.random(n).astype(np.float32), mask=_nulls(rng, n)),
        "score": pa.array(rng.normal(0.0, 1.0, n), mask=_nulls(rng, n)),
        "status": _pick(STATUSES, rng.integers(0, len(STATUSES), n)),
        "country": _pick(COUNTRIES, rng.integers(0, len(COUNTRIES), n), _nulls(rng, n)),
        "category": _pick(CATEGORIES, rng.integers(0, len(CATEGORIES), n)),
        "email": _text("user", rng.integers(0, 10**12, n), "@example.com"),
        "session": _text("s-", rng.integers(0, 2**62, n), "", _nulls(rng, n)),
        "is_active": pa.array(rng.random(n) < 0.7),
        "is_flagged": pa.array(rng.random(n) < 0.1, mask=_nulls(rng, n)),
        "created_at": pa.array(created, type=pa.int64()).cast(TS),
        "updated_at": pa.array(created + rng.integers(0, 30 * 86_400_000_000, n)).cast(TS),
        "shipped_at": pa.array(created + 86_400_000_000, mask=_nulls(rng, n)).cast(TS),
        "rank": pa.array(rng.integers(0, 10_000, n), type=pa.int64(), mask=_nulls(rng, n)),
        "batch": pa.array(rng.integers(0, 500, n, dtype=np.int16)),
        REMOVED_COLUMN: _pick(LEGACY, rng.integers(0, len(LEGACY), n), _nulls(rng, n)),
    }
    return pa.table(cols)


def _apply_changes(
    table: pa.Table, rng: np.random.Generator, share: float = CHANGED_SHARE
) -> tuple[pa.Table, dict[str, int], Any]:
    """Change ``share`` of the rows in a non-empty subset of CHANGED_COLUMNS; return the exact
    counts and which rows changed."""
    n = table.num_rows
    changed = rng.random(n) < share
    bits = rng.integers(1, 8, n)  # which of the three columns change, as a 3-bit mask
    counts: dict[str, int] = {}
    for i, name in enumerate(CHANGED_COLUMNS):
        mask = changed & ((bits >> i) & 1).astype(bool)
        counts[name] = int(mask.sum())
        old = table.column(name).combine_chunks()
        if name == "amount":
            delta = np.round(rng.uniform(0.01, 50.0, n), 2)
            new = pa.array(np.where(mask, old.to_numpy() + delta, old.to_numpy()))
        elif name == "status":
            idx = pc.index_in(old, value_set=STATUSES).to_numpy()
            shifted = (idx + rng.integers(1, len(STATUSES), n)) % len(STATUSES)
            new = _pick(STATUSES, np.where(mask, shifted, idx))
        else:
            us = old.cast(pa.int64()).to_numpy()
            new = pa.array(np.where(mask, us + rng.integers(1, 86_400, n) * 1_000_000, us)).cast(TS)
        table = table.set_column(table.schema.get_field_index(name), name, new)
    return table, counts, changed


def _null_changes(table: pa.Table, rng: np.random.Generator) -> tuple[pa.Table, int, int, Any]:
    """``realistic``: ~0.2% of the rows flip ``price`` between a value and null (both ways)."""
    n = table.num_rows
    price = table.column("price").combine_chunks()
    isnull = price.is_null().to_numpy(zero_copy_only=False)
    flip = rng.random(n) < NULL_FLIP_SHARE
    to_null, to_value = flip & ~isnull, flip & isnull
    values = np.where(
        to_value, np.round(rng.uniform(0.5, 500.0, n), 2), price.fill_null(0.0).to_numpy()
    )
    new = pa.array(values, mask=(isnull & ~to_value) | to_null)
    table = table.set_column(table.schema.get_field_index("price"), "price", new)
    return table, int(to_value.sum()), int(to_null.sum()), flip


def _noise(table: pa.Table, rng: np.random.Generator) -> pa.Table:
    """Float noise of 1e-10..1e-9 (either sign) on every row of NOISY_COLUMNS, as summation
    order produces: equal under ``--abs-tol 1e-6``, never bit-identical."""
    n = table.num_rows
    for name in NOISY_COLUMNS:
        old = table.column(name).combine_chunks()
        noise = rng.uniform(1e-10, 1e-9, n) * rng.choice([-1.0, 1.0], n)
        isnull = old.is_null().to_numpy(zero_copy_only=False)
        new = pa.array(old.fill_null(0.0).to_numpy() + noise, mask=isnull)
        table = table.set_column(table.schema.get_field_index(name), name, new)
    return table


def _to_candidate_schema(table: pa.Table, rng: np.random.Generator) -> pa.Table:
    table = table.drop_columns([REMOVED_COLUMN])
    i = table.schema.get_field_index(RETYPED_COLUMN)
    table = table.set_column(i, RETYPED_COLUMN, table.column(i).cast(pa.int64()))
    channel = _pick(CHANNELS, rng.integers(0, len(CHANNELS), table.num_rows))
    return table.append_column(ADDED_COLUMN, channel)


def candidate_chunk(
    seed: int, chunk: int, start: int, n: int, case: str = "favourable"
) -> tuple[pa.Table, dict[str, int]]:
    """The candidate rows derived from production chunk ``chunk``, shuffled, and their counts."""
    rng = np.random.default_rng([seed, chunk, 1])
    keep = rng.random(n) >= REMOVED_SHARE
    kept = production_chunk(seed, chunk, start, n).filter(pa.array(keep))
    share = {"all-changed": 1.0, "all-tolerated": 0.0}.get(case, CHANGED_SHARE)
    kept, changed, changed_rows = _apply_changes(kept, rng, share)
    if case != "favourable":  # a stream of its own: the favourable case stays as it was
        extra = np.random.default_rng([seed, chunk, 3])
        if case == "realistic":
            kept, to_value, to_null, flipped = _null_changes(kept, extra)
            changed.update({"price": to_value + to_null, "null_to_value:price": to_value})
            changed["value_to_null:price"] = to_null
            changed_rows = changed_rows | flipped
        kept = _noise(kept, extra)
    rows_changed = int(changed_rows.sum())
    n_added = int(rng.binomial(n, ADDED_SHARE))
    added_idx = np.sort(rng.choice(n, size=n_added, replace=False)) + start
    added = production_chunk(seed, chunk, start, n_added, odd_ids=added_idx)
    table = pa.concat_tables([kept, added])
    table = _to_candidate_schema(table, rng)
    table = table.take(pa.array(rng.permutation(table.num_rows)))
    counts = {"removed": n - int(keep.sum()), "added": n_added, "rows_changed": rows_changed}
    counts.update({f"changed:{k}": v for k, v in changed.items()})
    return table, counts


def _chunks(rows: int, chunk_rows: int) -> list[tuple[int, int]]:
    return [(s, min(chunk_rows, rows - s)) for s in range(0, rows, chunk_rows)]


def generate(
    rows: int, seed: int, out: Path, chunk_rows: int = 1_000_000, case: str = "favourable"
) -> dict[str, Any]:
    """Write the data set to ``out`` and return what planted.json holds."""
    if rows < 1 or chunk_rows < 1 or case not in CASES:
        raise ValueError("--rows and --chunk-rows must be positive")
    out.mkdir(parents=True, exist_ok=True)
    chunks = _chunks(rows, chunk_rows)
    schema = production_chunk(seed, 0, 0, 1).schema
    with pq.ParquetWriter(out / "production.parquet", schema) as writer:
        for c, (start, n) in enumerate(chunks):
            writer.write_table(production_chunk(seed, c, start, n), row_group_size=chunk_rows)
    totals: dict[str, int] = {}
    order = np.random.default_rng([seed]).permutation(len(chunks))
    writer = None
    try:
        for c in order:
            start, n = chunks[c]
            table, counts = candidate_chunk(seed, int(c), start, n, case)
            writer = writer or pq.ParquetWriter(out / "candidate.parquet", table.schema)
            writer.write_table(table, row_group_size=max(table.num_rows, 1))
            for k, v in counts.items():
                totals[k] = totals.get(k, 0) + v
    finally:
        if writer is not None:
            writer.close()
    planted = _planted(rows, seed, chunk_rows, totals, schema)
    if case != "favourable":
        planted.update(case=case, abs_tol=TOLERANCE)
    tmp = out / "planted.json.tmp"
    tmp.write_text(json.dumps(planted, indent=2) + "\n")
    os.replace(tmp, out / "planted.json")
    return planted


def _planted(
    rows: int, seed: int, chunk_rows: int, totals: dict[str, int], schema: pa.Schema
) -> dict[str, Any]:
    return {
        "rows": rows,
        "seed": seed,
        "chunk_rows": chunk_rows,
        "key": ["id"],
        "production_rows": rows,
        "candidate_rows": rows - totals["removed"] + totals["added"],
        "only_in_production": totals["removed"],
        "only_in_candidate": totals["added"],
        "matched_rows": rows - totals["removed"],
        "rows_with_differences": totals["rows_changed"],
        "changed_columns": {
            name: totals[f"changed:{name}"]
            for name in (*CHANGED_COLUMNS, "price")
            if totals.get(f"changed:{name}")
        },
        "null_changes": {
            name: [totals[f"changed:null_to_value:{name}"], totals[f"changed:value_to_null:{name}"]]
            for name in ("price",)
            if totals.get(f"changed:{name}")
        },
        "columns_only_in_production": [REMOVED_COLUMN],
        "columns_only_in_candidate": [ADDED_COLUMN],
        "type_changes": [
            {"column": RETYPED_COLUMN, "production_type": "int32", "candidate_type": "int64"}
        ],
        "production_columns": schema.names,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--chunk-rows", type=int, default=1_000_000)
    parser.add_argument("--case", choices=CASES, default="favourable")
    args = parser.parse_args(argv)
    tmp = args.out.with_name(args.out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    planted = generate(args.rows, args.seed, tmp, args.chunk_rows, args.case)
    shutil.rmtree(args.out, ignore_errors=True)
    os.replace(tmp, args.out)
    print(json.dumps({k: planted[k] for k in ("production_rows", "candidate_rows")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
