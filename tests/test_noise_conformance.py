"""Every engine learns the same noise floor from the same production and baseline (issue 15).

The nondeterministic pipeline of tests/noise_fixture.py (float order, a run timestamp, UUIDs, a
tie at the cut of a top-N) plus a dataset whose nulls move, diffed production-vs-baseline by
each engine of tests/conformance.py (Spark where pyspark and Java are present, marked ``spark``).
"""

from __future__ import annotations

import math
from typing import Any

import noise_fixture as nf
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conformance import ENGINES

from dataops_diff import api
from dataops_diff.model import ColumnFloor, DatasetFloor, to_dict
from dataops_diff.pairing import pair
from dataops_diff.spec import DatasetSpec

NULLS_PRODUCTION = [1.0, None, 3.0, 4.0, None, 6.0]
NULLS_BASELINE = [1.0, 2.0, None, 4.0, None, 6.5]  # null->value 1, value->null 1, 6.0 -> 6.5


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    root = tmp_path_factory.mktemp("noise_conformance")
    production, baseline = nf.write_run(root / "production", 1), nf.write_run(root / "baseline", 2)
    for folder, values in ((production, NULLS_PRODUCTION), (baseline, NULLS_BASELINE)):
        ids = pa.array(range(len(values)), pa.int64())
        pq.write_table(pa.table({"id": ids, "v": pa.array(values, pa.float64())}),
                       folder / "nulls.parquet")  # fmt: skip
    return str(production), str(baseline)


_learnt: dict[str, tuple[DatasetFloor, ...]] = {}


def learnt(engine: str, outputs: tuple[str, str]) -> tuple[DatasetFloor, ...]:
    """Each engine's floor, learnt once (a Spark session is slow to start)."""
    if engine not in _learnt:
        spec = DatasetSpec(key=("id",))
        _learnt[engine] = api.learn_floor(pair(*outputs), lambda _: spec, engine=engine)
    return _learnt[engine]


@pytest.fixture(scope="module")
def reference(outputs: tuple[str, str]) -> tuple[DatasetFloor, ...]:
    return learnt("duckdb", outputs)


def _same(a: Any, b: Any) -> bool:
    """Equal, floats to 1e-9 relative (each engine subtracts in its own runtime)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=0.0)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b) and type(a) is type(b)


def _engine(name: str) -> object:
    return pytest.param(name, marks=[pytest.mark.spark] if name == "spark" else [], id=name)


@pytest.mark.parametrize("engine", [_engine(e) for e in ENGINES])
def test_every_engine_learns_the_planted_floor(engine: str, outputs: tuple[str, str]) -> None:
    nulls, scores, top = learnt(engine, outputs)
    assert [f.name for f in (nulls, scores, top)] == ["nulls", "scores", "top"]
    assert sorted(c.name for c in scores.columns if c.volatile) == sorted(nf.VOLATILE)
    amount = scores.column("amount")
    assert amount is not None
    assert 0 < amount.unequal < nf.ROWS
    assert amount.max_abs_diff is not None
    assert 0 < amount.max_abs_diff < 1e-9
    assert scores.column("segment") == ColumnFloor("segment", nf.ROWS, 0)  # deterministic
    assert (top.matched_rows, top.only_in_production, top.only_in_baseline) == (nf.TOP_N - 1, 1, 1)
    (v,) = nulls.columns
    assert (v.unequal, v.null_to_value, v.value_to_null, v.max_abs_diff) == (3, 1, 1, 0.5)
    assert not v.volatile


@pytest.mark.parametrize("engine", [_engine(e) for e in ENGINES if e != "duckdb"])
def test_every_engine_learns_the_floor_duckdb_learns(
    engine: str, outputs: tuple[str, str], reference: tuple[DatasetFloor, ...]
) -> None:
    got = to_dict(learnt(engine, outputs))
    assert _same(got, to_dict(reference)), (got, to_dict(reference))
