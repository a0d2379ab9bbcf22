"""Engine-neutral assembly of results: from a Plan and the rows an engine's queries return to
ColumnDiff and samples. Query results are read by column name (the names ``sql.compare`` gives
them), never by position. Both engines hand their samples over in the same form
(``with_samples``), so they share this code and cannot drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any

from ..datasets import DatasetRef
from ..model import (
    Column,
    ColumnDiff,
    ColumnShift,
    DatasetDiff,
    Duplicates,
    JSONValue,
    RowSample,
    ValueSample,
)
from ..spec import DatasetSpec
from .plan import Plan
from .sql.compare import CHANGED_ROWS, COLUMN_NUMBERS, column_number

Row = Mapping[str, Any]  # one result row, by column name


@dataclass(frozen=True)
class KeyCounts:
    """The key pass's numbers (``sql.compare.KEY_NUMBERS``, the same names)."""

    production_rows: int
    candidate_rows: int
    only_in_production: int
    only_in_candidate: int
    matched_rows: int
    duplicate_keys_production: int = 0
    duplicate_rows_production: int = 0
    duplicate_keys_candidate: int = 0
    duplicate_rows_candidate: int = 0
    groups: int = 0
    null_key_rows_production: int = 0
    null_key_rows_candidate: int = 0
    group_rows_production: int = 0
    group_rows_candidate: int = 0

    @classmethod
    def read(cls, row: Row) -> KeyCounts:
        """The fields ``row`` has (the keys-only join has no duplicate counts): 0 otherwise."""
        return cls(**{f.name: int(row[f.name]) for f in fields(cls) if f.name in row})


def duplicates_of(k: KeyCounts, groups: Row | None = None) -> Duplicates:
    """The duplicate keys of the key pass, and (``groups``: ``sql.compare.duplicate_pass``'s
    row) how the groups on both sides compared as multisets."""
    found = {n: int(groups[n]) for n in _GROUP_NUMBERS} if groups is not None else {}
    return Duplicates(
        production_group_rows=k.group_rows_production,
        candidate_group_rows=k.group_rows_candidate,
        production_keys=k.duplicate_keys_production,
        production_rows=k.duplicate_rows_production,
        candidate_keys=k.duplicate_keys_candidate,
        candidate_rows=k.duplicate_rows_candidate,
        groups=k.groups,
        groups_differing=found.get("differing", 0),
        production_rows_unmatched=found.get("unmatched_production", 0),
        candidate_rows_unmatched=found.get("unmatched_candidate", 0),
    )


_GROUP_NUMBERS = ("differing", "unmatched_production", "unmatched_candidate")


def compared_diff(
    production: DatasetRef, candidate: DatasetRef, spec: DatasetSpec, plan: Plan, k: KeyCounts,
    duplicates: Duplicates, columns: tuple[ColumnDiff, ...], changed_rows: int,
    samples: tuple[tuple[RowSample, ...], tuple[RowSample, ...]],
    key_shifts: tuple[tuple[str, ColumnShift], ...], identical: bool,
) -> DatasetDiff:  # fmt: skip
    """The DatasetDiff of a dataset both versions have, as every engine reports it."""
    return DatasetDiff(
        name=production.name,
        status="compared",
        production_path=production.path,
        candidate_path=candidate.path,
        key=spec.key,
        production_rows=k.production_rows,
        candidate_rows=k.candidate_rows,
        identical=identical,
        matched_rows=k.matched_rows,
        rows_with_differences=changed_rows,
        only_in_production=k.only_in_production,
        only_in_candidate=k.only_in_candidate,
        null_key_rows_production=k.null_key_rows_production,
        null_key_rows_candidate=k.null_key_rows_candidate,
        duplicates=duplicates,
        schema=plan.schema,
        columns=columns,
        ignored_columns=plan.ignored,
        only_in_production_samples=samples[0],
        only_in_candidate_samples=samples[1],
        key_shifts=key_shifts,
    )


def side_samples(columns: tuple[Column, ...], rows: Sequence[Row]) -> tuple[RowSample, ...]:
    """Rows of ``sql.compare.side_sample`` as samples."""
    return tuple(
        RowSample({c.name: jsonable(r[f"v{j}"]) for j, c in enumerate(columns)}) for r in rows
    )


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


def read_values(plan: Plan, row: Row, matched: int) -> tuple[tuple[ColumnDiff, ...], int]:
    """Each compared column's numbers (``COLUMN_NUMBERS``, named as the ColumnDiff fields they
    fill: counts are ints, maxima finite floats) and the count of changed rows."""
    columns = []
    for i, pair in enumerate(plan.compared):
        numbers: dict[str, Any] = {}
        for field in COLUMN_NUMBERS:
            value = row[column_number(field, i)]
            numbers[field] = (
                _max(value, pair.numeric, matched) if field.startswith("max_") else int(value)
            )
        columns.append(
            ColumnDiff(
                name=pair.name,
                candidate_name=pair.candidate_name,
                production_type=pair.production_type,
                candidate_type=pair.candidate_type,
                compared=matched,
                abs_tol=pair.abs_tol,
                rel_tol=pair.rel_tol,
                **numbers,
            )
        )
    return tuple(columns), int(row[CHANGED_ROWS])


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
    plan: Plan, columns: tuple[ColumnDiff, ...], rows: Sequence[Row], layout: Row, n: int
) -> tuple[tuple[ColumnDiff, ...], tuple[RowSample, ...], tuple[RowSample, ...]]:
    """Attach sample rows fetched in key order: the first ``n`` of each kind. ``layout`` names
    the column of each role (``sql.spark_passes.sample_rows``)."""

    def get(r: Row, role: str) -> Any:
        return r[layout[role]]

    m = len(plan.compared)
    per_column: list[list[tuple[Sequence[Any], Any, Any]]] = [[] for _ in range(m)]
    only_p: list[Sequence[Any]] = []
    only_c: list[Sequence[Any]] = []
    for r in rows:
        in_p, in_c = get(r, "in_p"), get(r, "in_c")
        if in_p and in_c:
            key = [get(r, f"key{i}") for i in range(len(plan.keys))]
            for i in range(m):
                if not get(r, f"eq{i}") and len(per_column[i]) < n:
                    per_column[i].append((key, get(r, f"p{i}"), get(r, f"c{i}")))
        elif in_p and len(only_p) < n:
            only_p.append([get(r, f"sp{j}") for j in range(len(plan.production_columns))])
        elif in_c and len(only_c) < n:
            only_c.append([get(r, f"sc{j}") for j in range(len(plan.candidate_columns))])
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
