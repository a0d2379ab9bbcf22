"""Where each engine's changed rows come from, for ``explain``. DuckDB keeps them in temporary
tables while the rows that may differ are still set aside (``save_duckdb``, called from the
value pass): the changed columns of every changed row, and every column of the first rows by
key; it reads them after the profiles and drops them. Spark reads its persisted differing rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..datasets import DatasetRef
from ..model import ColumnDiff, FullRowSample
from ..spec import DatasetSpec
from .explain import Rows, Source, explain
from .plan import Plan
from .sql import explain as sql
from .sql.compare import (
    CHANGED_ROWS,
    Views,
    column_number,
    differing_join,
    normalized,
    side_rows,
)
from .sql.dialect import DUCKDB, SPARK

Explained = tuple[tuple[ColumnDiff, ...], tuple[FullRowSample, ...]]
Execute = Callable[[str, str], Any]
SEGMENT_TABLE = "__dd_changed_segments"


def _keys(plan: Plan, spec: DatasetSpec, side: str) -> list[str]:
    """Each key column as compared, over the side's own column names."""
    prod = side == "production"
    return [
        normalized(DUCKDB, plan.sql_name(side, k.name if prod else k.candidate_name), k, spec)
        for k in plan.keys
    ]


def save_duckdb(
    execute: Execute, plan: Plan, spec: DatasetSpec, views: Views, dups: bool,
    relations: tuple[str, str], numbers: dict[str, Any],
) -> None:  # fmt: skip
    """Keep the changed rows of ``relations`` (the value pass's) when there are any: the
    changed columns in ``sql.CHANGED_TABLE``, every column of the first ``--samples`` rows by
    key in ``sql.FULL_TABLE``. Each is one more join of the rows set aside; when the value pass
    joined the whole files, every column in the one table instead."""
    if not int(numbers.get(CHANGED_ROWS) or 0):
        return
    changed = [
        i for i in range(len(plan.compared)) if int(numbers[column_number("unequal", i)] or 0)
    ]

    def keep(table: str, rel: tuple[str, str], columns: list[int]) -> None:
        p_rows, p_shown = side_rows(DUCKDB, plan, spec, "production", views, dups, True, rel[0])
        c_rows, c_shown = side_rows(DUCKDB, plan, spec, "candidate", views, dups, True, rel[1])
        source = f"({differing_join(DUCKDB, plan, p_rows, c_rows)}) j"
        query = sql.changed_rows(plan, source, p_shown, c_shown, columns)
        execute("explaining changes", f"CREATE OR REPLACE TEMP TABLE {table} AS {query}")

    if relations == (views.production, views.candidate):
        # the whole files (CSV, JSON, duplicate keys): one read more, not two
        keep(sql.CHANGED_TABLE, relations, list(range(len(plan.compared))))
        return
    keep(sql.CHANGED_TABLE, relations, changed)
    if spec.samples:
        wanted = sql.first_keys(plan, sql.CHANGED_TABLE, spec.samples)
        first = (
            sql.with_keys(DUCKDB, relations[0], _keys(plan, spec, "production"), wanted),
            sql.with_keys(DUCKDB, relations[1], _keys(plan, spec, "candidate"), wanted),
        )
        keep(sql.FULL_TABLE, first, list(range(len(plan.compared))))


def read_duckdb(
    rows: Rows, execute: Execute, plan: Plan, spec: DatasetSpec, columns: tuple[ColumnDiff, ...],
    matched: int, production: DatasetRef, dups: bool,
) -> Explained:  # fmt: skip
    """The explanation from ``save_duckdb``'s tables, which are dropped afterwards."""
    if not any(c.unequal for c in columns):
        return columns, ()

    def segment_rows(js: list[int]) -> str:
        values = {j: DUCKDB.q(plan.sql_name("production", plan.compared[j].name)) for j in js}
        keys = _keys(plan, spec, "production")
        found = sql.segment_rows(DUCKDB, plan, sql.CHANGED_TABLE, "production", keys, values)
        execute("explaining changes", f"CREATE OR REPLACE TEMP TABLE {SEGMENT_TABLE} AS "
                f"SELECT * FROM {found} j")  # fmt: skip
        return SEGMENT_TABLE

    kept = f"SELECT count(*) AS n FROM duckdb_tables() WHERE table_name = '{sql.FULL_TABLE}'"
    full = sql.FULL_TABLE if rows("", kept)[0]["n"] else sql.CHANGED_TABLE
    src = Source(rows, DUCKDB, sql.CHANGED_TABLE, full, "production", production, segment_rows)
    try:
        return explain(src, plan, spec, columns, matched, spec.profiles and not dups)
    finally:
        for table in (sql.CHANGED_TABLE, sql.FULL_TABLE, SEGMENT_TABLE):
            execute("", f"DROP TABLE IF EXISTS {table}")


def spark(
    rows: Rows, plan: Plan, spec: DatasetSpec, views: Views, dups: bool,
    columns: tuple[ColumnDiff, ...], matched: int, production: DatasetRef,
) -> Explained:  # fmt: skip
    """The explanation from the persisted differing rows (``views.diff``): every column."""
    if not any(c.unequal for c in columns):
        return columns, ()
    _, p_shown = side_rows(SPARK, plan, spec, "production", views, dups)
    _, c_shown = side_rows(SPARK, plan, spec, "candidate", views, dups)
    every = list(range(len(plan.compared)))
    changed = f"({sql.changed_rows(plan, views.diff, p_shown, c_shown, every)}) x"

    def segment_rows(js: list[int]) -> str:
        return f"(SELECT *, {', '.join(f'__xp{j} AS __xs{j}' for j in js)} FROM {changed})"

    src = Source(rows, SPARK, changed, changed, views.production, production, segment_rows)
    return explain(src, plan, spec, columns, matched, spec.profiles and not dups)
