"""Engine-neutral assembly of results: from a Plan and the rows an engine's queries return to
ColumnDiff and samples. Both engines lay their query results out the same way (see
duckdb_sql.value_pass and sample_pass), so they share this code and cannot drift apart.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from ..model import ColumnDiff, JSONValue, RowSample, ValueSample
from ..plan import Plan

PER_COLUMN = 5  # value-pass numbers per column: unequal, null->value, value->null, 2 maxima


def identical_columns(plan: Plan, matched: int) -> tuple[ColumnDiff, ...]:
    return tuple(
        ColumnDiff(
            name=p.name,
            candidate_name=p.candidate_name,
            production_type=p.production_type,
            candidate_type=p.candidate_type,
            compared=matched,
            unequal=0,
            null_to_value=0,
            value_to_null=0,
            max_abs_diff=0.0 if p.numeric and matched else None,
            max_rel_diff=0.0 if p.numeric and matched else None,
            abs_tol=p.abs_tol,
            rel_tol=p.rel_tol,
        )
        for p in plan.compared
    )


def read_values(
    plan: Plan, row: tuple[Any, ...], matched: int
) -> tuple[tuple[ColumnDiff, ...], int]:
    columns = []
    for i, pair in enumerate(plan.compared):
        unequal, n2v, v2n, max_abs, max_rel = row[i * PER_COLUMN : (i + 1) * PER_COLUMN]
        columns.append(
            ColumnDiff(
                name=pair.name,
                candidate_name=pair.candidate_name,
                production_type=pair.production_type,
                candidate_type=pair.candidate_type,
                compared=matched,
                unequal=int(unequal),
                null_to_value=int(n2v),
                value_to_null=int(v2n),
                max_abs_diff=_max(max_abs, pair.numeric, matched),
                max_rel_diff=_max(max_rel, pair.numeric, matched),
                abs_tol=pair.abs_tol,
                rel_tol=pair.rel_tol,
            )
        )
    return tuple(columns), int(row[len(plan.compared) * PER_COLUMN])


def attach_samples(
    plan: Plan, columns: tuple[ColumnDiff, ...], rows: list[tuple[Any, ...]], n: int
) -> tuple[tuple[ColumnDiff, ...], tuple[RowSample, ...], tuple[RowSample, ...]]:
    """Attach the fetched sample rows (already in key order): the first ``n`` of each kind."""
    nk, m = len(plan.keys), len(plan.compared)
    marks, eqs, vals, shown_p = nk, nk + 2, nk + 2 + m, nk + 2 + 3 * m
    shown_c = shown_p + len(plan.production_columns)
    per_column: list[list[ValueSample]] = [[] for _ in range(m)]
    only_p: list[RowSample] = []
    only_c: list[RowSample] = []
    for r in rows:
        in_p, in_c = r[marks], r[marks + 1]
        if in_p and in_c:
            key = {k.name: jsonable(r[j]) for j, k in enumerate(plan.keys)}
            for i in range(m):
                if not r[eqs + i] and len(per_column[i]) < n:
                    p, c = r[vals + 2 * i], r[vals + 2 * i + 1]
                    per_column[i].append(ValueSample(key, jsonable(p), jsonable(c)))
        elif in_p and len(only_p) < n:
            cols = plan.production_columns
            only_p.append(RowSample({c.name: jsonable(r[shown_p + j]) for j, c in enumerate(cols)}))
        elif in_c and len(only_c) < n:
            cols = plan.candidate_columns
            only_c.append(RowSample({c.name: jsonable(r[shown_c + j]) for j, c in enumerate(cols)}))
    with_samples = tuple(
        replace(col, samples=tuple(found)) for col, found in zip(columns, per_column, strict=True)
    )
    return with_samples, tuple(only_p), tuple(only_c)


def jsonable(value: Any) -> JSONValue:
    """A value from data as plain JSON: non-finite floats and other types as strings."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    iso = getattr(value, "isoformat", None)
    return str(iso() if callable(iso) else value)


def _max(value: Any, numeric: bool, matched: int) -> float | None:
    """A column's max difference: 0.0 when no matched pair of numbers differs (the query then has
    no row to take a maximum over); None for other types or when nothing was matched."""
    if not numeric or not matched:
        return None
    return 0.0 if value is None else _finite(value)


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    f = float(value)
    return f if math.isfinite(f) else None
