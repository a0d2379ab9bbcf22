"""The DuckDB engine's value pass, over batches of columns.

One aggregate query over hundreds of columns costs DuckDB far more than its share: at 500
columns one query took 20 s on 1,000 rows, its binder and planner working on thousands of
aggregates. So the compared columns are split into batches of ``BATCH`` (one batch, the query
as before, for narrower data): each batch is the same value pass over the same rows set aside,
with its own columns (``sql.value_pass`` of a plan that compares those columns only), and its
numbers are renamed to the columns' places in the whole plan. What depends on whole rows (the
count of changed rows; the distinct keys and the samples of rows on one side only) comes from
the first batch when there is one, else from one more query over every column.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ..model import ColumnDiff, RowSample
from ..spec import DatasetSpec
from . import explain_run
from .duckdb_run import Runner
from .plan import Plan
from .results import KeyCounts, read_values, with_samples
from .sql import compare
from .sql import duckdb_passes as sql
from .sql.compare import CHANGED_ROWS
from .sql.dialect import DUCKDB as D
from .sql.duckdb_passes import VIEWS

BATCH = 48  # compared columns per value-pass query
_NUMBERED = re.compile(r"^(?P<field>[a-z_]+?)__(?P<i>\d+)$|^s(?P<s>\d+)$")


def batches(plan: Plan) -> list[tuple[int, Plan]]:
    """(offset, a plan comparing ``BATCH`` columns from ``offset``) covering every column."""
    n = len(plan.compared)
    if n <= BATCH:
        return [(0, plan)]
    return [(a, replace(plan, compared=plan.compared[a : a + BATCH])) for a in range(0, n, BATCH)]


def _renamed(row: dict[str, Any], offset: int) -> dict[str, Any]:
    """A batch's numbers (``field__i``) and samples (``s{i}``) under their whole-plan names."""
    out: dict[str, Any] = {}
    for name, value in row.items():
        m = _NUMBERED.match(name)
        if m and m["s"] is not None:
            out[f"s{int(m['s']) + offset}"] = value
        elif m:
            out[f"{m['field']}__{int(m['i']) + offset}"] = value
        else:
            out[name] = value
    return out


def values(
    run: Runner, plan: Plan, spec: DatasetSpec, k: KeyCounts, dups: bool,
    one_sided_checked: bool, most: dict[str, Any],
) -> tuple[tuple[ColumnDiff, ...], int, KeyCounts, int]:  # fmt: skip
    """Per-column counts and maxima, the count of changed rows, the key counts with the
    duplicates of keys on one side only counted exactly, and the number of value tables.

    ``most``: the maxima of columns with a tolerance over every matched row (``key_join``),
    used when the rows within tolerance were not set aside."""
    # Every key on both sides unique: set the equal rows aside first. Not for CSV or
    # JSON, where reading the changed rows again costs a whole parse of the file.
    residue = not dups and not one_sided_checked
    relations = ("production", "candidate")
    if residue:
        run.execute("finding changed rows", sql.residue_table(plan, spec))
        run.execute("reading changed rows", sql.candidate_residue_table(plan, spec))
        relations = sql.residue_relations(plan)
    parts = batches(plan)
    numbers: dict[str, Any] = {}
    for b, (offset, part) in enumerate(parts):
        table = sql.values_table(b)
        query = sql.value_pass(part, spec, dups, spec.samples, relations, table, b == 0)
        run.execute("comparing values", query)
        numbers.update({**_renamed(run.one("", sql.numbers_query(part, table)), offset), **numbers})
    if len(parts) > 1:
        numbers[CHANGED_ROWS] = run.one("", sql.changed_rows(plan, spec, dups, relations))["n"]
    explain_run.save_duckdb(run.execute, plan, spec, VIEWS, dups, relations, numbers)
    if residue:
        run.execute("", sql.drop_residue())
        numbers = {**numbers, **_greatest(numbers, most)}
    columns, changed_rows = read_values(plan, numbers, k.matched_rows)
    if not one_sided_checked and (
        numbers["dp"] < k.only_in_production or numbers["dc"] < k.only_in_candidate
    ):
        # a key on one side only is duplicated there: count the duplicates exactly
        found = run.one("counting duplicate keys", compare.key_pass(D, plan, spec, VIEWS))
        k = KeyCounts.read(found)
    return columns, changed_rows, k, len(parts)


def _greatest(numbers: dict[str, Any], most: dict[str, Any]) -> dict[str, Any]:
    """The larger of each maximum in ``most`` and the same in ``numbers`` (None: no value)."""
    found = {}
    for name, value in most.items():
        values = [v for v in (value, numbers.get(name)) if v is not None]
        found[name] = max(values) if values else None
    return found


def samples(
    plan: Plan, columns: tuple[ColumnDiff, ...], run: Runner, one_sided: bool
) -> tuple[tuple[ColumnDiff, ...], tuple[RowSample, ...], tuple[RowSample, ...]]:
    """The samples the value pass kept, as lists of structs in key order; read only from the
    batches with an unequal value (and the first, for rows on one side only: ``one_sided``)."""
    row: dict[str, Any] = {"sp": None, "sc": None}
    for b, (offset, part) in enumerate(batches(plan)):
        unequal = any(c.unequal for c in columns[offset : offset + len(part.compared)])
        if not unequal and (b or not one_sided):
            continue  # nothing to show: one query less (of hundreds, for wide tables)
        query = sql.value_samples(part, sql.values_table(b), b == 0)
        row.update(_renamed(run.one("", query), offset))
    per_column = [row.get(f"s{i}") for i in range(len(plan.compared))]
    return with_samples(
        plan,
        columns,
        [[(tuple(s["k"].values()), s["p"], s["c"]) for s in found or ()] for found in per_column],
        [tuple(s["v"].values()) for s in row["sp"] or ()],
        [tuple(s["v"].values()) for s in row["sc"] or ()],
    )
