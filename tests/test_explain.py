"""What explains a change (issue 16): the rules (bins, labels, the segment rule) and exact
counts on the planted fixture of tests/conformance_explain.py and on hive partitions. The same
fixture runs on every engine in tests/test_explain_conformance.py."""

from __future__ import annotations

import math
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conformance import ENGINES, engine_for, run_case
from conformance_explain import (
    AMOUNT_PLUS_10,
    EXPLAIN_CASES,
    SCORE_TO_NULL,
    TIER_HIGH_LOW,
    N,
    explained,
)

from dataops_diff.datasets import open_dataset
from dataops_diff.engines import explain_values as rules
from dataops_diff.engines.plan import ColumnPair
from dataops_diff.model import Segment
from dataops_diff.spec import DatasetSpec

PLANTED = next(c for c in EXPLAIN_CASES if c.name == "explain_planted")


# ------------------------------------------------------------------------------------ the rules
def test_bins_have_round_edges_covering_the_values() -> None:
    assert rules.nice_bins(200, 329) == (200, 20, 7)
    origin, step, bins = rules.nice_bins(0.13, 0.91)
    assert (origin, step) == (0.1, 0.1)
    assert bins == 9
    assert rules.nice_bins(0, 23)[1] == 2.5
    assert rules.nice_bins(5, 5)[1] > 0  # one value: a bin around it, never a zero width


def test_bin_labels_read_as_people_write_numbers() -> None:
    assert rules.bin_label(1, 200, 20) == "[220, 240)"
    assert rules.bin_label(1, 0, 2.5) == "[2.5, 5.0)"
    assert rules.bin_label(2, 0, 0.1) == "[0.2, 0.3)"  # no float noise (0.30000000000000004)
    assert [rules.bin_label(i, 0, 1) for i in (-1, -2, -3, None)] == ["NaN", "inf", "-inf", None]


def test_values_read_back_by_category() -> None:
    assert rules.from_text(str(2**53 + 1), "integer") == 2**53 + 1
    assert rules.from_text("Infinity", "float") == "inf"  # Spark's spelling
    assert rules.from_text("-inf", "float") == "-inf"  # DuckDB's
    assert rules.from_text("NaN", "float") == "NaN"
    assert rules.from_text("true", "bool") is True
    assert rules.from_text("1.10", "decimal") == "1.10"
    assert rules.from_text(None, "string") is None


def _pair(name: str, category: str) -> ColumnPair:
    return ColumnPair(name, name, "t", "t", category, category, 0.0, 0.0)  # type: ignore[arg-type]


def test_segment_columns_partitions_first_low_cardinality_no_floats_capped() -> None:
    pairs = [_pair("f", "float"), _pair("hi", "string"), _pair("g", "string")]
    pairs += [_pair(f"c{j}", "integer") for j in range(40)] + [_pair("day", "string")]
    distinct: list[int | None] = [3, rules.SEGMENT_DISTINCT + 1, 2, *[3] * 40, 365]
    found = rules.segment_columns(pairs, distinct, {"day"})
    assert found[:2] == [len(pairs) - 1, 2]  # the partition, then g; not f, not hi
    assert len(found) == rules.SEGMENT_COLUMNS
    assert rules.segment_columns(pairs[:3], [None, None, None], set()) == []  # no profile


def test_segment_thresholds_are_inclusive() -> None:
    def seg(changed: int, total: int, matched: int) -> Segment:
        return Segment("g", "x", changed, total, matched, 1000)

    order = {"g": 0}
    kept = seg(10, 100, 66)  # share 10%, base 6.6%: lift 1.52
    assert rules.pick_segments([kept], order) == (kept,)
    assert rules.pick_segments([seg(9, 100, 50)], order) == ()  # share 9%
    assert rules.pick_segments([seg(50, 100, 334)], order) == ()  # lift 1.497
    assert rules.pick_segments([seg(4, 4, 10)], order) == ()  # 4 changed rows
    many = [Segment("g", v, 10, 10, 100 + v, 1000) for v in range(5)]
    assert [s.value for s in rules.pick_segments(many, order)] == [0, 1, 2]  # highest lift


# ---------------------------------------------------------------------- the planted fixture
def test_planted_fixture_exact_counts(tmp_path: Path) -> None:
    diff = run_case("duckdb", PLANTED, tmp_path)
    by = {c.name: c for c in diff.columns}
    tier, amount, score = by["tier"], by["amount"], by["score"]
    assert tier.transitions[0].count == len(TIER_HIGH_LOW)
    assert (tier.transitions[0].production, tier.transitions[0].candidate) == ("High", "Low")
    assert score.value_to_null == len(SCORE_TO_NULL)
    assert score.transitions_total == len(SCORE_TO_NULL)
    assert len(score.transitions) == rules.TRANSITIONS
    top = amount.segments[0]
    assert (top.column, top.value) == ("country", "DE")
    assert top.share == len(AMOUNT_PLUS_10) / amount.unequal == 0.98
    assert top.matched_rows == 100
    assert top.matched_total == N
    assert top.lift == pytest.approx(0.98 / 0.1)
    assert amount.delta is not None
    assert amount.delta.absolute.median == 10.0
    assert sum(amount.delta.absolute.histogram) == amount.delta.absolute.count == amount.unequal
    assert len(amount.delta.absolute.bin_edges) == rules.DELTA_BINS + 1
    assert diff.row_samples[0].key == {"id": 0}
    assert diff.row_samples[0].changed == ("tier",)


def test_no_samples_no_full_rows(tmp_path: Path) -> None:
    from dataclasses import replace

    case = replace(PLANTED, spec=DatasetSpec(key=("id",), samples=0))
    diff = run_case("duckdb", case, tmp_path)
    assert diff.row_samples == ()
    assert {c.name: c.transitions_total for c in diff.columns}["tier"] == 2


# -------------------------------------------------------------------------- hive partitions
DAYS = 60  # more partition values than SEGMENT_DISTINCT: partitions segment all the same


def _hive(folder: Path, changed_day: int | None) -> Path:
    for day in range(DAYS):
        part = folder / f"day={day}"
        part.mkdir(parents=True)
        ids = list(range(day * 10, day * 10 + 10))
        v = [1.0 if changed_day == day and i % 10 < 6 else 0.0 for i in ids]
        pq.write_table(pa.table({"id": ids, "v": v}), part / "part-0.parquet")
    return folder


@pytest.mark.parametrize(
    "engine", [pytest.param(e, marks=[pytest.mark.spark] if e == "spark" else []) for e in ENGINES]
)
def test_hive_partition_is_a_segment(engine: str, tmp_path: Path) -> None:
    production = _hive(tmp_path / "production" / "events", None)
    candidate = _hive(tmp_path / "candidate" / "events", 7)
    diff = engine_for(engine).diff(
        open_dataset(str(production), "production"),
        open_dataset(str(candidate), "candidate"),
        DatasetSpec(key=("id",)),
    )
    (v,) = [c for c in diff.columns if c.name == "v"]
    assert v.unequal == 6
    assert [(s.column, str(s.value), s.changed_rows, s.matched_rows) for s in v.segments] == [
        ("day", "7", 6, 10)
    ]
    assert math.isclose(v.segments[0].lift or 0, 1.0 / (10 / (DAYS * 10)))


def test_text_formats_explain_alike(tmp_path: Path) -> None:
    """CSV (the value pass joins the whole files) gives the Parquet fixture's explanation."""
    import pyarrow.csv as pcsv

    pcsv.write_csv(PLANTED.production, tmp_path / "production.csv")
    pcsv.write_csv(PLANTED.candidate, tmp_path / "candidate.csv")
    paths = (
        open_dataset(str(tmp_path / "production.csv"), "production", name="data"),
        open_dataset(str(tmp_path / "candidate.csv"), "candidate", name="data"),
    )
    diff = engine_for("duckdb").diff(paths[0], paths[1], PLANTED.spec)
    got = explained(diff)
    for name in ("columns.tier.transitions", "columns.tier.segments", "columns.price.segments",
                 "columns.score.transitions_total", "row_samples"):  # fmt: skip
        assert got[name] == PLANTED.expect[name], name


@pytest.mark.parametrize(
    "engine", [pytest.param(e, marks=[pytest.mark.spark] if e == "spark" else []) for e in ENGINES]
)
def test_extreme_magnitudes_neither_overflow_nor_fail(engine: str, tmp_path: Path) -> None:
    """Values near the float64 maximum with both signs: bins and deltas whose spans overflow
    float64 still come out, every changed row counted once."""
    from conformance import Case, spec, table

    values = [(i - 12) * 7e306 for i in range(25)]  # one is 0.0: -0.0 equals it, not changed
    case = Case(
        "extreme", "", table(id=list(range(25)), v=values),
        table(id=list(range(25)), v=[-v for v in values]), spec("id"),
    )  # fmt: skip
    (v,) = run_case(engine, case, tmp_path).columns
    assert v.unequal == 24
    assert sum(t.count for t in v.transitions) <= 24
    assert v.transitions_total >= len(v.transitions) > 0
    assert v.delta is not None
    deltas = sorted(-2 * x for x in values if x)
    absolute = v.delta.absolute
    assert (absolute.count, absolute.min, absolute.max) == (24, deltas[0], deltas[-1])
    assert absolute.median == 0.0
    assert sum(absolute.histogram) == 24
