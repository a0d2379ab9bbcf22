"""The DuckDB engine's plans for speed give the same answers as the plain ones.

- the value pass in batches of columns (``engines.duckdb_values.BATCH``): the whole conformance
  table again with batches of one column, so every case with two or more compared columns runs
  several batches and merges them;
- columns with a tolerance compared in the hash join (``sql.duckdb_residue.residue_table``), their
  maxima taken over every matched row by the key join: rows whose only differences are within
  tolerance are not set aside, yet counts, maxima and samples stay exact;
- rows joined whole, none set aside, when the key join finds most matched rows unequal beyond
  tolerance (``engines.duckdb._mostly_unequal``): the whole table again, with that plan forced;
- quantiles from the sorted values of rows sampled by key hash (``duckdb_profile.Sample``):
  exact as before up to QUANTILE_SAMPLE rows, deterministic beyond.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest
from conformance import CASES, Case, close_engines, mismatches, run_case, spec, table

from dataops_diff.engines import duckdb as duckdb_engine
from dataops_diff.engines import duckdb_values, profiles
from dataops_diff.engines.duckdb_profile import (
    QUANTILE_SAMPLE,
    ProfileColumn,
    Sample,
    profile_columns,
)
from dataops_diff.engines.sql import duckdb_residue as residue


@pytest.fixture(scope="module", autouse=True)
def _engines() -> Iterator[None]:
    yield
    close_engines()


@pytest.mark.parametrize(
    "case", [pytest.param(c, id=c.name) for c in CASES if c.error is None and not c.known_bug]
)
def test_value_pass_in_batches_of_one_column(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(duckdb_values, "BATCH", 1)
    diff = run_case("duckdb", case, tmp_path)
    assert mismatches(diff, case.expect) == [], case.rule


def _f64(values: list[float | None]) -> pa.Array:
    return pa.array(values, type=pa.float64())


TOLERATED = [
    Case(
        "noise_on_every_row",
        "every row differs within tolerance: nothing unequal, the maximum over all of them",
        table(id=[1, 2, 3, 4], v=_f64([1.0, 2.0, 3.0, 4.0]), s=["a", "b", "c", "d"]),
        table(id=[1, 2, 3, 4], v=_f64([1.0 + 1e-9, 2.0 - 3e-9, 3.0 + 2e-9, 4.0]),
              s=["a", "b", "c", "d"]),
        spec("id", abs_tol=1e-6),
        {"rows_with_differences": 0, "columns.v.unequal": 0, "columns.s.unequal": 0},
    ),
    Case(
        "noise_and_real_changes",
        "noise everywhere, one value beyond tolerance, a null flip, another column changed",
        table(id=[1, 2, 3, 4, 5], v=_f64([1.0, 2.0, None, 4.0, 5.0]),
              s=["a", "b", "c", "d", "e"]),
        table(id=[1, 2, 3, 4, 6], v=_f64([1.0 + 1e-9, 2.5, 3.0, None, 6.0]),
              s=["a", "b", "c", "x", "f"]),
        spec("id", abs_tol=1e-6),
        {
            "matched_rows": 4, "only_in_production": 1, "only_in_candidate": 1,
            "rows_with_differences": 3, "columns.v.unequal": 3, "columns.v.null_to_value": 1,
            "columns.v.value_to_null": 1, "columns.v.max_abs_diff": 0.5,
            "columns.v.sample_keys": ((2,), (3,), (4,)), "columns.s.unequal": 1,
        },
    ),
    Case(
        "nan_and_inf_within_a_tolerance",
        "NaN == NaN and inf == inf stay equal, NaN != 1.0, with a tolerance in the join",
        table(id=[1, 2, 3, 4], v=_f64([float("nan"), float("inf"), 1.0, float("nan")])),
        table(id=[1, 2, 3, 4], v=_f64([float("nan"), float("inf"), 1.0 + 1e-7, 1.0])),
        spec("id", abs_tol=1e-6),
        {"rows_with_differences": 1, "columns.v.unequal": 1, "columns.v.sample_keys": ((4,),)},
    ),
]  # fmt: skip


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in TOLERATED])
def test_tolerance_in_the_hash_join(case: Case, tmp_path: Path) -> None:
    diff = run_case("duckdb", case, tmp_path)
    assert mismatches(diff, case.expect) == [], case.rule


def test_noise_maxima_come_from_every_matched_row(tmp_path: Path) -> None:
    diff = run_case("duckdb", TOLERATED[0], tmp_path)
    (v,) = [c for c in diff.columns if c.name == "v"]
    assert v.max_abs_diff is not None
    assert 2.9e-9 < v.max_abs_diff < 3.1e-9
    assert v.max_rel_diff is not None
    assert 1.4e-9 < v.max_rel_diff < 1.6e-9


@pytest.mark.parametrize(
    "case",
    [
        pytest.param(c, id=c.name)
        for c in [*CASES, *TOLERATED]
        if c.error is None and not c.known_bug
    ],
)
def test_rows_joined_whole_when_most_differ(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The plan for data whose rows mostly differ (no rows set aside) gives the same answers."""
    monkeypatch.setattr(duckdb_engine, "_mostly_unequal", lambda k, unequal: True)
    diff = run_case("duckdb", case, tmp_path)
    assert mismatches(diff, case.expect) == [], case.rule


MOSTLY_CHANGED = Case(
    "every_row_beyond_tolerance",
    "every matched row unequal beyond tolerance: no rows are set aside, the counts exact",
    table(id=[1, 2, 3, 4, 5], v=_f64([1.0, 2.0, 3.0, 4.0, 5.0]), s=["a", "b", "c", "d", "e"]),
    table(id=[1, 2, 3, 4, 6], v=_f64([1.5, 2.5, 3.5, 4.0 + 1e-9, 6.0]),
          s=["a", "b", "x", "d", "f"]),
    spec("id", abs_tol=1e-6),
    {
        "matched_rows": 4, "only_in_production": 1, "only_in_candidate": 1,
        "rows_with_differences": 3, "columns.v.unequal": 3, "columns.v.max_abs_diff": 0.5,
        "columns.v.sample_keys": ((1,), (2,), (3,)), "columns.s.unequal": 1,
    },
)  # fmt: skip


def test_mostly_changed_rows_are_not_set_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """3 of 4 matched rows differ beyond tolerance (the key join counts them): the engine joins
    whole rows once instead of setting equal rows aside, and the answers stay exact."""

    def refused(*_: Any) -> str:
        raise AssertionError("rows were set aside although most of them differ")

    monkeypatch.setattr(residue, "residue_table", refused)
    diff = run_case("duckdb", MOSTLY_CHANGED, tmp_path)
    assert mismatches(diff, MOSTLY_CHANGED.expect) == [], MOSTLY_CHANGED.rule


def test_few_changed_rows_are_set_aside(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """1 of 4 matched rows differs beyond tolerance: the equal rows are set aside as before."""
    called: list[bool] = []
    original = residue.residue_table

    def watched(*args: Any) -> str:
        called.append(True)
        return original(*args)

    monkeypatch.setattr(residue, "residue_table", watched)
    few = Case(
        "one_row_beyond_tolerance",
        "noise on every row, one of four beyond tolerance",
        table(id=[1, 2, 3, 4], v=_f64([1.0, 2.0, 3.0, 4.0])),
        table(id=[1, 2, 3, 4], v=_f64([1.0 + 1e-9, 2.5, 3.0 - 1e-9, 4.0])),
        spec("id", abs_tol=1e-6),
        {"rows_with_differences": 1, "columns.v.unequal": 1, "columns.v.max_abs_diff": 0.5},
    )
    diff = run_case("duckdb", few, tmp_path)
    assert mismatches(diff, few.expect) == [], few.rule
    assert called


def _profile(values: Any, rows: int, keyed: bool = True) -> Any:
    con = duckdb.connect()
    con.register("p", pa.table({"id": np.arange(len(values)), "x": values}))
    sample = Sample(("id",), ("id",), rows) if keyed else None
    return profile_columns(con, "p", "p", [ProfileColumn("x", "x", "float")], sample)["x"]


@pytest.mark.parametrize("n", [1, 2, 3, 7, 10, 99, 100, 101, 997, 5_000])
def test_quantiles_up_to_the_sample_size_are_exact_as_before(n: int) -> None:
    """Every row (rate 1): what ``reservoir_quantile`` gives exactly, the lower neighbour."""
    values = np.random.default_rng(n).normal(0.0, 1.0, n)
    by_key = _profile(values, n).production.quantiles
    assert by_key == _profile(values, n, keyed=False).production.quantiles
    ranked = np.sort(values)
    assert by_key == tuple(
        (q, float(ranked[int(np.floor(q * (len(values) - 1)))])) for q in profiles.QUANTILES
    )


def test_quantiles_of_many_rows_come_from_a_key_sample_deterministically() -> None:
    n = 4 * QUANTILE_SAMPLE
    values = np.random.default_rng(4).lognormal(0.0, 1.0, n)
    first = _profile(values, n).production.quantiles
    assert first == _profile(values, n).production.quantiles  # the same rows every time
    assert [q for q, _ in first] == list(profiles.QUANTILES)
    for q, v in first:  # a sample of about QUANTILE_SAMPLE rows: rank error well under 1.5 %
        lo, hi = np.quantile(values, [max(q - 0.015, 0.0), min(q + 0.015, 1.0)])
        assert lo <= v <= hi, (q, v)
