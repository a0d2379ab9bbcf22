"""The Spark engine's profiles follow DuckDB's plan: quantiles exact up to QUANTILE_SAMPLE rows
(then DuckDB's values), beyond from a deterministic key-hash sample of the rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_spark import _both, data, duckdb, needs_spark, spark  # noqa: F401 (fixtures)

from dataops_diff.engines import spark_profile
from dataops_diff.model import DatasetDiff
from dataops_diff.spec import DatasetSpec


def quantiles(diff: DatasetDiff) -> dict[str, Any]:
    """Each column's production and candidate quantiles (the keys' too)."""
    out = {}
    for c in diff.columns:
        if c.shift is not None:
            out[c.name] = (c.shift.production.quantiles, c.shift.candidate.quantiles)
    for name, shift in diff.key_shifts:
        out[name] = (shift.production.quantiles, shift.candidate.quantiles)
    return out


@needs_spark
def test_quantiles_are_exact_and_equal_to_duckdbs_up_to_the_sample_size(
    data: Path,  # noqa: F811
    spark: Any,  # noqa: F811
    duckdb: Any,  # noqa: F811
) -> None:
    spark_diff, duckdb_diff = _both(
        spark, duckdb, data / "production.parquet", data / "candidate.parquet", DatasetSpec(("id",))
    )
    found, expected = quantiles(spark_diff), quantiles(duckdb_diff)
    assert any(p for p, _ in found.values())  # numbers and times have quantiles
    assert found.keys() == expected.keys()
    for name, sides in found.items():  # the same values; times as epoch seconds, to the micro
        for got, want in zip(sides, expected[name], strict=True):
            assert [q for q, _ in got] == [q for q, _ in want], name
            assert [v for _, v in got] == pytest.approx([v for _, v in want], rel=1e-12), name


@needs_spark
def test_beyond_the_sample_size_quantiles_come_from_the_same_key_sample_each_time(
    data: Path,  # noqa: F811
    spark: Any,  # noqa: F811
    duckdb: Any,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """2,000 rows against a sample size of 500: about 1 row in 4, picked by key hash."""
    spec = DatasetSpec(("id",))
    files = data / "production.parquet", data / "candidate.parquet"
    exact = quantiles(_both(spark, duckdb, *files, spec)[0])
    monkeypatch.setattr(spark_profile, "QUANTILE_SAMPLE", 500)
    seen = []
    for _ in range(2):
        seen.append(quantiles(_both(spark, duckdb, *files, spec)[0]))
    assert seen[0] == seen[1]  # deterministic
    assert seen[0] != exact  # a sample, not every row
    assert seen[0].keys() == exact.keys()
    for name, (sampled, full) in ((n, (seen[0][n][0], exact[n][0])) for n in exact):
        assert [q for q, _ in sampled] == [q for q, _ in full], name
        values = [v for _, v in sampled]
        assert values == sorted(values), name  # quantiles of one sample: in order
