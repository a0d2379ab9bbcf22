"""Engine-neutral assembly of results: from a Plan and the rows an engine's queries return to
ColumnDiff and samples. Both engines hand their samples over in the same
form (``with_samples``), so they share this code and cannot drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from ..model import Column, ColumnDiff, JSONValue, RowSample, ValueSample
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


def with_samples(
    plan: Plan,
    columns: tuple[ColumnDiff, ...],
    per_column: Sequence[Sequence[tuple[Sequence[Any], Any, Any]]],
    only_p: Sequence[Sequence[Any]],
    only_c: Sequence[Sequence[Any]],
) -> tuple[tuple[ColumnDiff, ...], tuple[RowSample, ...], tuple[RowSample, ...]]:
    """Attach samples already chosen and in key order: per compared column, (key values in
    ``plan.keys`` order, production value, candidate value); rows on one side only as their
    values in ``plan.production_columns`` / ``plan.candidate_columns`` order."""
    names = [k.name for k in plan.keys]
    attached = tuple(
        replace(
            col,
            samples=tuple(
                ValueSample(
                    {n: jsonable(v) for n, v in zip(names, key, strict=True)},
                    jsonable(p),
                    jsonable(c),
                )
                for key, p, c in found
            ),
        )
        for col, found in zip(columns, per_column, strict=True)
    )

    def rows(found: Sequence[Sequence[Any]], cols: tuple[Column, ...]) -> tuple[RowSample, ...]:
        return tuple(
            RowSample({c.name: jsonable(v) for c, v in zip(cols, r, strict=True)}) for r in found
        )

    return (
        attached,
        rows(only_p, plan.production_columns),
        rows(only_c, plan.candidate_columns),
    )


def attach_samples(
    plan: Plan, columns: tuple[ColumnDiff, ...], rows: list[tuple[Any, ...]], n: int
) -> tuple[tuple[ColumnDiff, ...], tuple[RowSample, ...], tuple[RowSample, ...]]:
    """Attach sample rows fetched in key order (the Spark engine's layout: shown keys, the two
    side marks, one equality flag per compared column, each compared column's production then
    candidate value, every shown column of production, then of candidate): the first ``n`` of
    each kind."""
    nk, m = len(plan.keys), len(plan.compared)
    marks, eqs, vals, shown_p = nk, nk + 2, nk + 2 + m, nk + 2 + 3 * m
    shown_c = shown_p + len(plan.production_columns)
    end = shown_c + len(plan.candidate_columns)
    per_column: list[list[tuple[Sequence[Any], Any, Any]]] = [[] for _ in range(m)]
    only_p: list[Sequence[Any]] = []
    only_c: list[Sequence[Any]] = []
    for r in rows:
        in_p, in_c = r[marks], r[marks + 1]
        if in_p and in_c:
            for i in range(m):
                if not r[eqs + i] and len(per_column[i]) < n:
                    per_column[i].append((r[:nk], r[vals + 2 * i], r[vals + 2 * i + 1]))
        elif in_p and len(only_p) < n:
            only_p.append(r[shown_p:shown_c])
        elif in_c and len(only_c) < n:
            only_c.append(r[shown_c:end])
    return with_samples(plan, columns, per_column, only_p, only_c)


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
