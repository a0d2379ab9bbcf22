"""Seeded wide benchmark data: N rows x M columns, 1% of one column changed, both shuffled.

    python bench/wide.py --rows 200000 --columns 200 --mix mixed --out bench/data/wide-...

writes ``production.parquet``, ``candidate.parquet`` and ``planted.json`` in the shape
bench/generate.py gives them (bench/compare.py checks reports against it). ``--mix mixed`` cycles
int64, float64, a low-cardinality string, bool and a UTC timestamp (~5% nulls in every fifth
column); ``--mix float`` makes every column float64. Column ``c0001`` changes in ~1% of the rows
(+1, or another string), never to or from null. The candidate is a permutation of production.
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
import pyarrow.parquet as pq

CHANGED_SHARE = 0.01
CHANGED = "c0001"
MIXES = ("mixed", "float")
WORDS = pa.array([f"value-{i:02d}" for i in range(30)])
TS = pa.timestamp("us", tz="UTC")


def _column(rng: np.random.Generator, j: int, n: int, mix: str) -> pa.Array:
    kind = 1 if mix == "float" else j % 5
    mask = rng.random(n) < 0.05 if j % 5 == 4 and j != 1 else None
    if kind == 0:
        return pa.array(rng.integers(0, 1_000_000, n), type=pa.int64(), mask=mask)
    if kind == 1:
        return pa.array(rng.normal(100.0, 30.0, n), mask=mask)
    if kind == 2:
        return WORDS.take(pa.array(rng.integers(0, len(WORDS), n), type=pa.int32(), mask=mask))
    if kind == 3:
        return pa.array(rng.random(n) < 0.4, mask=mask)
    us = 1_704_067_200_000_000 + rng.integers(0, 365 * 86_400, n) * 1_000_000
    return pa.array(us, type=pa.int64(), mask=mask).cast(TS)


def _changed(values: pa.Array, mask: Any) -> pa.Array:
    if pa.types.is_string(values.type):
        shifted = pa.array([f"other-{v}" for v in values.to_pylist()])
        return pa.array(
            np.where(
                mask, shifted.to_numpy(zero_copy_only=False), values.to_numpy(zero_copy_only=False)
            )
        )
    return pa.array(np.where(mask, values.to_numpy() + 1, values.to_numpy()), type=values.type)


def generate(rows: int, columns: int, mix: str, seed: int, out: Path) -> dict[str, Any]:
    if rows < 1 or columns < 2 or mix not in MIXES:
        raise ValueError("--rows >= 1, --columns >= 2 and --mix mixed|float")
    rng = np.random.default_rng([seed, columns, rows])
    data = {"id": pa.array(np.arange(rows, dtype=np.int64))}
    data.update({f"c{j:04d}": _column(rng, j, rows, mix) for j in range(1, columns + 1)})
    production = pa.table(data)
    mask = rng.random(rows) < CHANGED_SHARE
    j = production.schema.get_field_index(CHANGED)
    candidate = production.set_column(
        j, CHANGED, _changed(production.column(j).combine_chunks(), mask)
    )
    out.mkdir(parents=True, exist_ok=True)
    for name, table in (("production", production), ("candidate", candidate)):
        pq.write_table(table.take(pa.array(rng.permutation(rows))), out / f"{name}.parquet")
    planted = {
        "rows": rows, "columns": columns, "mix": mix, "seed": seed, "key": ["id"],
        "production_rows": rows, "candidate_rows": rows, "only_in_production": 0,
        "only_in_candidate": 0, "matched_rows": rows, "rows_with_differences": int(mask.sum()),
        "changed_columns": {CHANGED: int(mask.sum())}, "null_changes": {},
        "columns_only_in_production": [], "columns_only_in_candidate": [], "type_changes": [],
        "production_columns": production.schema.names,
    }  # fmt: skip
    (out / "planted.json").write_text(json.dumps(planted, indent=2) + "\n")
    return planted


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--columns", type=int, required=True)
    parser.add_argument("--mix", choices=MIXES, default="mixed")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    tmp = args.out.with_name(args.out.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    generate(args.rows, args.columns, args.mix, args.seed, tmp)
    shutil.rmtree(args.out, ignore_errors=True)
    os.replace(tmp, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
