"""A small in-memory engine, pure pyarrow and Python: the seam an engine fills, in one page.

It reads both versions whole (fine for tests, never for real data), plans with the same
``plan.diff_plan`` as the real engines, matches rows by key in a dict and compares values
exactly, within tolerances for numbers. No profiles, no duplicate-key groups. It serves tests of
the layers above the engine (api, policy, reports) without DuckDB or Spark, and shows what a third
engine must provide: ``schema``, ``diff`` and ``close``, plus one entry in
``dataops_diff.engines.ENGINES`` (``register``).
"""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from dataops_diff import engines
from dataops_diff.datasets import DatasetRef
from dataops_diff.engines.base import EngineConfig, ProgressFn, SideSummary
from dataops_diff.engines.plan import ColumnPair, diff_plan
from dataops_diff.engines.results import (
    KeyCounts,
    compared_diff,
    duplicates_of,
    jsonable,
    with_samples,
)
from dataops_diff.model import Column, ColumnDiff, DatasetDiff, RowSample
from dataops_diff.spec import DatasetSpec

NAME = "fake"


def register(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ``--engine fake`` / ``engine="fake"`` resolve to this module for one test."""
    monkeypatch.setitem(engines.ENGINES, NAME, f"{__name__}:FakeEngine")


class FakeEngine:
    name = NAME

    def __init__(self, config: EngineConfig | None = None) -> None:
        self.config = config or EngineConfig()
        self.closed = False

    def _table(self, ref: DatasetRef) -> pa.Table:
        fmt = "parquet" if ref.format == "parquet" else ref.format
        return ds.dataset(list(ref.files), format=fmt).to_table()

    def schema(self, ref: DatasetRef, side: str = "production") -> tuple[Column, ...]:
        return tuple(Column(f.name, str(f.type)) for f in self._table(ref).schema)

    def diff(
        self,
        production: DatasetRef,
        candidate: DatasetRef,
        spec: DatasetSpec,
        progress: ProgressFn | None = None,
    ) -> DatasetDiff:
        p_rows, c_rows = self._table(production).to_pylist(), self._table(candidate).to_pylist()
        schemas = (self.schema(production), self.schema(candidate))
        plan = diff_plan(production, candidate, schemas, spec)
        p_by = {tuple(r[k.name] for k in plan.keys): r for r in p_rows}
        c_by = {tuple(r[k.candidate_name] for k in plan.keys): r for r in c_rows}
        matched = sorted(p_by.keys() & c_by.keys(), key=repr)
        per_column: list[list[tuple[Any, Any, Any]]] = [[] for _ in plan.compared]
        counts = [[0, 0, 0] for _ in plan.compared]
        changed = 0
        for key in matched:
            differs = False
            for i, pair in enumerate(plan.compared):
                p, c = p_by[key][pair.name], c_by[key][pair.candidate_name]
                if not _equal(p, c, pair):
                    differs = True
                    counts[i][0] += 1
                    counts[i][1] += p is None
                    counts[i][2] += c is None
                    per_column[i].append((key, p, c))
            changed += differs
        columns = tuple(
            ColumnDiff(
                name=pair.name,
                candidate_name=pair.candidate_name,
                production_type=pair.production_type,
                candidate_type=pair.candidate_type,
                compared=len(matched),
                unequal=n[0],
                null_to_value=n[1],
                value_to_null=n[2],
                abs_tol=pair.abs_tol,
                rel_tol=pair.rel_tol,
            )
            for pair, n in zip(plan.compared, counts, strict=True)
        )
        only_p = sorted(p_by.keys() - c_by.keys(), key=repr)
        only_c = sorted(c_by.keys() - p_by.keys(), key=repr)
        columns, samples_p, samples_c = with_samples(
            plan,
            columns,
            [found[: spec.samples] for found in per_column],
            [[p_by[k][c.name] for c in plan.production_columns] for k in only_p[: spec.samples]],
            [[c_by[k][c.name] for c in plan.candidate_columns] for k in only_c[: spec.samples]],
        )
        k = KeyCounts(len(p_rows), len(c_rows), len(only_p), len(only_c), len(matched))
        return compared_diff(
            production, candidate, spec, plan, k, duplicates_of(k), columns, changed,
            (samples_p, samples_c), (), False,
        )  # fmt: skip

    def describe(self, ref: DatasetRef, side: str, samples: int) -> SideSummary:
        rows = self._table(ref).to_pylist()
        columns = self.schema(ref, side)
        first = sorted(rows, key=lambda r: [repr(r[c.name]) for c in columns])[:samples]
        return SideSummary(
            len(rows),
            columns,
            tuple(RowSample({k: jsonable(v) for k, v in r.items()}) for r in first),
        )

    def close(self) -> None:
        self.closed = True


def _equal(p: Any, c: Any, pair: ColumnPair) -> bool:
    if p == c or (p is None and c is None):
        return True
    if isinstance(p, float) and isinstance(c, float) and math.isnan(p) and math.isnan(c):
        return True
    if not pair.tolerant or p is None or c is None:
        return False
    pf, cf = float(p), float(c)
    if not (math.isfinite(pf) and math.isfinite(cf)):
        return False
    return abs(pf - cf) <= pair.abs_tol + pair.rel_tol * max(abs(pf), abs(cf))
