"""Where each engine's changed rows come from, for ``explain``: DuckDB keeps them in a temporary
table while the rows that may differ are still set aside (``save_duckdb``, called from the value
pass), and reads it after the profiles; Spark reads them from its persisted differing rows.
"""

from __future__ import annotations

from typing import Any

from ..datasets import DatasetRef
from ..model import ColumnDiff, FullRowSample
from ..spec import DatasetSpec
from .explain import Rows, Source, explain
from .plan import Plan
from .sql import explain as sql
from .sql.compare import CHANGED_ROWS, Views, differing_join, side_rows
from .sql.dialect import DUCKDB, SPARK

Explained = tuple[tuple[ColumnDiff, ...], tuple[FullRowSample, ...]]


def save_duckdb(
    execute: Any, plan: Plan, spec: DatasetSpec, views: Views, dups: bool,
    relations: tuple[str, str], numbers: dict[str, Any],
) -> None:  # fmt: skip
    """Keep the changed rows of ``relations`` (the value pass's) in ``sql.CHANGED_TABLE``,
    when there are any: one more join of the rows set aside, on the changed rows only."""
    if not int(numbers.get(CHANGED_ROWS) or 0):
        return
    p_rows, p_shown = side_rows(DUCKDB, plan, spec, "production", views, dups, True, relations[0])
    c_rows, c_shown = side_rows(DUCKDB, plan, spec, "candidate", views, dups, True, relations[1])
    source = f"({differing_join(DUCKDB, plan, p_rows, c_rows)}) j"
    query = sql.changed_rows(plan, source, p_shown, c_shown)
    execute("explaining changes", f"CREATE OR REPLACE TEMP TABLE {sql.CHANGED_TABLE} AS {query}")


def read_duckdb(
    rows: Rows, execute: Any, plan: Plan, spec: DatasetSpec, columns: tuple[ColumnDiff, ...],
    matched: int, production: DatasetRef, dups: bool,
) -> Explained:  # fmt: skip
    """The explanation from ``save_duckdb``'s table, which is dropped afterwards."""
    if not any(c.unequal for c in columns):
        return columns, ()
    src = Source(rows, DUCKDB, sql.CHANGED_TABLE, "production", production)
    try:
        return explain(src, plan, spec, columns, matched, spec.profiles and not dups)
    finally:
        execute("", f"DROP TABLE IF EXISTS {sql.CHANGED_TABLE}")


def spark(
    rows: Rows, plan: Plan, spec: DatasetSpec, views: Views, dups: bool,
    columns: tuple[ColumnDiff, ...], matched: int, production: DatasetRef,
) -> Explained:  # fmt: skip
    """The explanation from the persisted differing rows (``views.diff``)."""
    if not any(c.unequal for c in columns):
        return columns, ()
    _, p_shown = side_rows(SPARK, plan, spec, "production", views, dups)
    _, c_shown = side_rows(SPARK, plan, spec, "candidate", views, dups)
    changed = f"({sql.changed_rows(plan, views.diff, p_shown, c_shown)}) x"
    src = Source(rows, SPARK, changed, views.production, production)
    return explain(src, plan, spec, columns, matched, spec.profiles and not dups)
