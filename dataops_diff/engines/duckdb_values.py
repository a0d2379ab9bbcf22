"""The DuckDB engine's value pass, over batches of columns.

One aggregate query over hundreds of columns costs DuckDB far more than its share: at 500
columns one query took 20 s on 1,000 rows, its binder and planner working on thousands of
aggregates. So the compared columns are split into batches of ``BATCH`` (one batch, the query
as before, for narrower data): each batch is the same value pass over the same rows set aside,
with its own columns (``sql.value_pass`` of a plan that compares those columns only), and its
numbers are renamed to the columns' places in the whole plan. Wide data first counts the
unequal values of every column (``sql.changed_columns``: one cheap aggregate per column, and the
count of changed rows), then runs the full pass only over the columns that differ: their
maxima and samples cost DuckDB's planner most. What depends on whole rows (the distinct keys and
the samples of rows on one side only) comes from the first batch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
from .sql import duckdb_residue as aside
from .sql.compare import CHANGED_ROWS, COLUMN_NUMBERS, column_number
from .sql.dialect import DUCKDB as D
from .sql.duckdb_passes import VIEWS

BATCH = 48  # compared columns per value-pass query
_NUMBERED = re.compile(r"^(?P<field>[a-z_]+?)__(?P<i>\d+)$|^s(?P<s>\d+)$")
Batch = tuple[tuple[int, ...], Plan]  # the columns' places in the whole plan, a plan of them


def batches(plan: Plan, chosen: Sequence[int] | None = None) -> list[Batch]:
    """Plans comparing ``BATCH`` columns each, covering ``chosen`` (default: every column),
    each with its columns' places in ``plan``."""
    n = len(plan.compared)
    if chosen is None and n <= BATCH:
        return [(tuple(range(n)), plan)]
    places = list(range(n) if chosen is None else chosen)
    out = []
    for a in range(0, len(places), BATCH):
        part = tuple(places[a : a + BATCH])
        out.append((part, replace(plan, compared=tuple(plan.compared[i] for i in part))))
    return out


def _renamed(row: dict[str, Any], places: Sequence[int]) -> dict[str, Any]:
    """A batch's numbers (``field__i``) and samples (``s{i}``) under their whole-plan names."""
    out: dict[str, Any] = {}
    for name, value in row.items():
        m = _NUMBERED.match(name)
        if m and m["s"] is not None:
            out[f"s{places[int(m['s'])]}"] = value
        elif m:
            out[f"{m['field']}__{places[int(m['i'])]}"] = value
        else:
            out[name] = value
    return out


def values(
    run: Runner, plan: Plan, spec: DatasetSpec, k: KeyCounts, dups: bool,
    one_sided_checked: bool, most: dict[str, Any], set_aside: bool = True,
) -> tuple[tuple[ColumnDiff, ...], int, KeyCounts, list[Batch]]:  # fmt: skip
    """Per-column counts and maxima, the count of changed rows, the key counts with the
    duplicates of keys on one side only counted exactly, and the batches run (``samples``
    reads their tables).

    ``most``: the maxima of columns with a tolerance over every matched row (``key_join``),
    used when the rows within tolerance were not set aside. ``set_aside``: False when most
    rows differ (the engine's estimate), so that setting the equal ones aside saves nothing."""
    # Every key on both sides unique: set the equal rows aside first. Not for CSV or
    # JSON, where reading the changed rows again costs a whole parse of the file.
    residue = set_aside and not dups and not one_sided_checked
    relations = ("production", "candidate")
    if residue:
        run.execute("finding changed rows", aside.residue_table(plan, spec))
        run.execute("reading changed rows", aside.candidate_residue_table(plan, spec))
        relations = aside.residue_relations(plan)
    parts = batches(plan)
    numbers: dict[str, Any] = {}
    changed: int | None = None
    if len(parts) > 1:
        # Wide: count the unequal values of every column first (one cheap aggregate each),
        # then run the full pass only over the columns that differ.
        found = run.one("comparing values", sql.changed_columns(plan, spec, dups, relations))
        changed = int(found["n"])
        parts = batches(plan, _to_compare(plan, found, residue))
        numbers = _equal_columns(len(plan.compared))
    one_sided = bool(k.only_in_production or k.only_in_candidate)
    for b, (places, part) in enumerate(parts):
        table = sql.values_table(b)
        whole_rows = b == 0 and one_sided  # whole rows cost the planner every column
        query = sql.value_pass(part, spec, dups, spec.samples, relations, table, whole_rows)
        run.execute("comparing values", query)
        numbers.update(_renamed(run.one("", sql.numbers_query(part, table)), places))
    if changed is not None:
        numbers[CHANGED_ROWS] = changed
    explain_run.save_duckdb(run.execute, plan, spec, VIEWS, dups, relations, numbers)
    if residue:
        run.execute("", aside.drop_residue())
    numbers = {**numbers, **_greatest(numbers, most)}  # ``most``: over every matched row
    columns, changed_rows = read_values(plan, numbers, k.matched_rows)
    if not one_sided_checked and (
        numbers["dp"] < k.only_in_production or numbers["dc"] < k.only_in_candidate
    ):
        # a key on one side only is duplicated there: count the duplicates exactly
        found = run.one("counting duplicate keys", compare.key_pass(D, plan, spec, VIEWS))
        k = KeyCounts.read(found)
    return columns, changed_rows, k, parts


def _to_compare(plan: Plan, unequal: dict[str, Any], residue: bool) -> list[int]:
    """The columns the full value pass must see: those with an unequal value; the first (its
    batch also finds the rows on one side only); and those with a tolerance whose maxima the
    key join did not take (over every matched row, ``most``), as the pass takes them over
    equal values too."""
    tolerant = set(sql.tolerant_columns(plan)) if residue else set()
    return [
        i
        for i, pair in enumerate(plan.compared)
        if i == 0 or unequal[f"u{i}"] or (pair.tolerant and i not in tolerant)
    ]


def _equal_columns(n: int) -> dict[str, Any]:
    """The numbers of columns with no unequal value, which the full pass then skips."""
    zero = {"unequal": 0, "null_to_value": 0, "value_to_null": 0}
    return {column_number(f, i): zero.get(f) for i in range(n) for f in COLUMN_NUMBERS}


def _greatest(numbers: dict[str, Any], most: dict[str, Any]) -> dict[str, Any]:
    """The larger of each maximum in ``most`` and the same in ``numbers`` (None: no value)."""
    found = {}
    for name, value in most.items():
        values = [v for v in (value, numbers.get(name)) if v is not None]
        found[name] = max(values) if values else None
    return found


def samples(
    plan: Plan, columns: tuple[ColumnDiff, ...], run: Runner, one_sided: bool,
    parts: list[Batch],
) -> tuple[tuple[ColumnDiff, ...], tuple[RowSample, ...], tuple[RowSample, ...]]:  # fmt: skip
    """The samples the value pass kept (in ``parts``, as ``values`` ran them), as lists of
    structs in key order; read only from the batches with an unequal value (and the first, for
    rows on one side only: ``one_sided``)."""
    row: dict[str, Any] = {"sp": None, "sc": None}
    for b, (places, part) in enumerate(parts):
        unequal = any(columns[i].unequal for i in places)
        if not unequal and (b or not one_sided):
            continue  # nothing to show: one query less (of hundreds, for wide tables)
        query = sql.value_samples(part, sql.values_table(b), b == 0 and one_sided)
        row.update(_renamed(run.one("", query), places))
    per_column = [row.get(f"s{i}") for i in range(len(plan.compared))]
    return with_samples(
        plan,
        columns,
        [[(tuple(s["k"].values()), s["p"], s["c"]) for s in found or ()] for found in per_column],
        [tuple(s["v"].values()) for s in row["sp"] or ()],
        [tuple(s["v"].values()) for s in row["sc"] or ()],
    )
