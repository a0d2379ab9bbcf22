"""Profiles and shift measures: the pure math, and the DuckDB queries checked against numpy."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import math
from collections import Counter
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pytest

from dataops_diff.engines import duckdb_profile as dp
from dataops_diff.engines import profiles
from dataops_diff.engines.duckdb_profile import ProfileColumn, profile_columns
from dataops_diff.engines.sql import profile as profile_sql
from dataops_diff.errors import EngineError
from dataops_diff.model import ColumnShift, Profile, TopValue, _from_json, to_dict

N = 20_000


# ------------------------------------------------------------------------------- pure math
def test_bin_edges_equal_width_and_max_in_last_bin() -> None:
    edges = profiles.bin_edges(0.0, 10.0)
    assert len(edges) == profiles.BINS + 1
    assert edges[0] == 0.0
    assert edges[-1] == 10.0
    assert np.allclose(np.diff(edges), 0.5)
    assert profiles.bin_index(10.0, edges) == profiles.BINS - 1
    assert profiles.bin_index(0.0, edges) == 0
    assert profiles.bin_index(0.49, edges) == 0
    assert profiles.bin_index(0.51, edges) == 1


def test_bin_edges_unit_bins_for_small_integer_ranges() -> None:
    assert profiles.bin_edges(3, 5, integers=True) == (2.5, 3.5, 4.5, 5.5)
    assert [profiles.bin_index(x, (2.5, 3.5, 4.5, 5.5)) for x in (3, 4, 5)] == [0, 1, 2]
    # a wide integer range falls back to equal-width bins
    assert len(profiles.bin_edges(0, 1000, integers=True)) == profiles.BINS + 1
    # one value: one bin
    assert profiles.bin_edges(7.0, 7.0) == (7.0, 7.0)
    assert profiles.bin_index(7.0, (7.0, 7.0)) == 0
    with pytest.raises(ValueError, match="hi"):
        profiles.bin_edges(2.0, 1.0)


def _np_psi(p: np.ndarray[Any, Any], c: np.ndarray[Any, Any], eps: float) -> float:
    ps, cs = p / p.sum(), c / c.sum()
    used = (ps > 0) | (cs > 0)
    ps, cs = np.maximum(ps[used], eps), np.maximum(cs[used], eps)
    return float(np.sum((cs - ps) * np.log(cs / ps)))


def test_psi_and_ks_match_numpy() -> None:
    rng = np.random.default_rng(7)
    p = rng.integers(0, 500, 20)
    c = rng.integers(0, 500, 20)
    p[3] = 0  # empty in one version: epsilon
    p[5] = c[5] = 0  # empty in both: no contribution
    got = profiles.psi(p.tolist(), c.tolist())
    assert got == pytest.approx(_np_psi(p, c, profiles.PSI_EPSILON), rel=1e-12)
    ks = np.max(np.abs(np.cumsum(p / p.sum()) - np.cumsum(c / c.sum())))
    assert profiles.ks(p.tolist(), c.tolist()) == pytest.approx(ks, rel=1e-12)


def test_psi_ks_identical_and_undefined() -> None:
    assert profiles.psi([1, 2, 3], [2, 4, 6]) == pytest.approx(0.0)
    assert profiles.ks([1, 2, 3], [2, 4, 6]) == pytest.approx(0.0)
    assert profiles.psi([0, 0], [1, 2]) is None  # a version with no values
    assert profiles.ks([1, 2], [0, 0]) is None
    assert profiles.psi([1], [1, 2]) is None  # not the same bins
    assert profiles.ks([5, 0], [0, 5]) == pytest.approx(1.0)


def test_tvd_with_other_bucket() -> None:
    # production: a 50, b 30, rest 20 of 100 non-null; candidate: a 20, b 30, c 40, rest 10 of 100
    prod = Profile(rows=110, nulls=10, top=(TopValue("a", 50), TopValue("b", 30), TopValue("c", 0)))
    cand = Profile(rows=100, nulls=0, top=(TopValue("c", 40), TopValue("b", 30), TopValue("a", 20)))
    # |.5-.2| + |.3-.3| + |0-.4| + |other .2 - .1| = .3 + 0 + .4 + .1 = .8 -> .4
    assert profiles.tvd(prod, cand) == pytest.approx(0.4)
    assert profiles.tvd(prod, prod) == pytest.approx(0.0)
    assert profiles.tvd(Profile(rows=3, nulls=3), cand) is None
    assert profiles.null_share_change(prod, cand) == pytest.approx(0.0 - 10 / 110)
    assert profiles.null_share_change(Profile(rows=0, nulls=0), cand) is None


def test_select_top_lists_union_with_zero_counts_in_order() -> None:
    prod = {"x": 5, "y": 5, "z": 1}
    cand = {"w": 9, "x": 2}
    ptop, ctop = profiles.select_top(prod, cand, k=2)
    assert ptop == (TopValue("x", 5), TopValue("y", 5), TopValue("w", 0))
    assert ctop == (TopValue("w", 9), TopValue("x", 2), TopValue("y", 0))
    # sketch counts: values seen at most once in both versions are left out
    assert profiles.select_top({"id1": 1, "hot": 4}, {"id2": 1}, min_count=2) == (
        (TopValue("hot", 4),),
        (TopValue("hot", 0),),
    )


def test_shift_omits_measures_that_do_not_apply() -> None:
    prod = Profile(rows=4, nulls=0, histogram=(1, 3))
    cand = Profile(rows=4, nulls=2, histogram=(2, 0))
    s = profiles.shift(prod, cand, (0.0, 1.0, 2.0))
    assert s.ks == pytest.approx(0.75)
    assert s.psi is not None
    assert s.psi > 0
    assert s.tvd is None
    assert s.null_share_change == pytest.approx(0.5)
    assert profiles.shift(Profile(rows=1, nulls=0), Profile(rows=1, nulls=0)).psi is None


def test_json_value() -> None:
    assert profiles.json_value(decimal.Decimal("1.50")) == "1.50"
    assert profiles.json_value(dt.date(2024, 2, 29)) == "2024-02-29"
    assert profiles.json_value(b"\x00\xff") == "0x00ff"
    assert profiles.json_value(float("nan")) is None
    assert profiles.json_value(dt.timedelta(seconds=90)) == "PT90.0S"
    long = profiles.json_value("x" * 2000)
    assert isinstance(long, str)
    assert len(long) == profiles.MAX_TEXT + 1


# ------------------------------------------------------------------------------ DuckDB
def _float_column(rng: np.random.Generator, loc: float) -> tuple[pa.Array, np.ndarray[Any, Any]]:
    x = rng.normal(loc, 2.0, N)
    x[:15] = np.nan
    x[15:20] = np.inf
    x[20:22] = -np.inf
    nulls = np.zeros(N, dtype=bool)
    nulls[100::50] = True
    return pa.array(x, mask=nulls), x[~nulls]


def _views(prod: pa.Table, cand: pa.Table) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register("prod view", prod)
    con.register("cand", cand)
    return con


def _rank_ok(values: np.ndarray[Any, Any], q: float, got: float, slack: float = 0.015) -> bool:
    """The approximate quantile lies between the exact (q - slack) and (q + slack) quantiles."""
    lo, hi = np.quantile(values, [max(q - slack, 0.0), min(q + slack, 1.0)])
    return bool(lo <= got <= hi)


def test_numeric_profile_matches_numpy() -> None:
    rng = np.random.default_rng(42)
    parr, pvals = _float_column(rng, 0.0)
    carr, cvals = _float_column(rng, 0.5)
    con = _views(pa.table({"score": parr}), pa.table({"new score": carr}))
    shifts = profile_columns(
        con, "prod view", "cand", [ProfileColumn("score", "new score", "float")]
    )
    s = shifts["score"]
    pf, cf = pvals[np.isfinite(pvals)], cvals[np.isfinite(cvals)]
    for prof, vals, arr in ((s.production, pf, parr), (s.candidate, cf, carr)):
        assert prof.rows == N
        assert prof.nulls == arr.null_count
        assert prof.nonfinite == 22
        assert prof.min == vals.min()
        assert prof.max == vals.max()
        assert prof.mean == pytest.approx(vals.mean(), rel=1e-9)
        assert prof.std == pytest.approx(vals.std(ddof=1), rel=1e-9)
        assert [q for q, _ in prof.quantiles] == list(profiles.QUANTILES)
        for q, v in prof.quantiles:  # exact up to QUANTILE_SAMPLE values
            assert v == np.quantile(vals, q, method="lower"), q
        assert prof.distinct is not None
        assert abs(prof.distinct - len(np.unique(vals))) < 0.05 * N  # HyperLogLog
    lo, hi = min(pf.min(), cf.min()), max(pf.max(), cf.max())
    assert s.bin_edges[0] == lo
    assert s.bin_edges[-1] == hi
    p_hist, _ = np.histogram(pf, bins=profiles.BINS, range=(lo, hi))
    c_hist, _ = np.histogram(cf, bins=profiles.BINS, range=(lo, hi))
    assert s.production.histogram == tuple(p_hist.tolist())
    assert s.candidate.histogram == tuple(c_hist.tolist())
    assert s.psi == pytest.approx(_np_psi(p_hist, c_hist, profiles.PSI_EPSILON), rel=1e-9)
    ks = np.max(np.abs(np.cumsum(p_hist) / p_hist.sum() - np.cumsum(c_hist) / c_hist.sum()))
    assert s.ks == pytest.approx(ks, rel=1e-9)
    assert s.psi is not None
    assert s.psi > 0.01  # the candidate moved by a quarter of a standard deviation
    assert s.null_share_change == pytest.approx(0.0)


def test_same_data_has_no_shift() -> None:
    rng = np.random.default_rng(3)
    t = pa.table({"v": rng.normal(0, 1, 5000), "s": [f"k{i % 7}" for i in range(5000)]})
    con = _views(t, t)
    cols = [ProfileColumn("v", "v", "float"), ProfileColumn("s", "s", "string")]
    shifts = profile_columns(con, "prod view", "cand", cols)
    assert shifts["v"].psi == 0.0
    assert shifts["v"].ks == 0.0
    assert shifts["s"].tvd == 0.0
    assert shifts["s"].null_share_change == 0.0
    assert shifts["v"].production == shifts["v"].candidate


def test_integer_profile_uses_unit_bins() -> None:
    rng = np.random.default_rng(5)
    p, c = rng.integers(0, 6, N), rng.integers(2, 9, N)
    con = _views(pa.table({"n": p}), pa.table({"n": c.astype(np.int32)}))
    s = profile_columns(con, "prod view", "cand", [ProfileColumn("n", "n", "integer")])["n"]
    assert s.bin_edges == tuple(x - 0.5 for x in range(10))
    assert s.production.histogram == tuple(np.bincount(p, minlength=9).tolist())
    assert s.candidate.histogram == tuple(np.bincount(c, minlength=9).tolist())
    assert (s.production.min, s.production.max) == (0, 5)
    assert isinstance(s.candidate.max, int)
    assert s.candidate.max == 8
    assert s.ks is not None
    assert s.ks > 0.2


def test_low_cardinality_strings_have_exact_top_values_and_tvd() -> None:
    rng = np.random.default_rng(11)
    pvals = rng.choice(["a", "b", "c", "d"], N, p=[0.4, 0.3, 0.2, 0.1]).tolist()
    cvals = rng.choice(["a", "b", "c", "e"], N, p=[0.25, 0.3, 0.25, 0.2]).tolist()
    cvals[:500] = [None] * 500
    con = _views(pa.table({"cat": pvals}), pa.table({"cat": cvals}))
    s = profile_columns(con, "prod view", "cand", [ProfileColumn("cat", "cat", "string")])["cat"]
    pc, cc = Counter(pvals), Counter(v for v in cvals if v is not None)
    assert {t.value: t.count for t in s.production.top} == {v: pc[v] for v in "abcde"}
    assert {t.value: t.count for t in s.candidate.top} == {v: cc[v] for v in "abcde"}
    counts = [t.count for t in s.production.top]
    assert counts == sorted(counts, reverse=True)
    assert s.candidate.nulls == 500
    assert s.null_share_change == pytest.approx(500 / N)
    pn, cn = len(pvals), N - 500
    expected = 0.5 * sum(abs(pc[v] / pn - cc[v] / cn) for v in "abcde")
    assert s.tvd == pytest.approx(expected, rel=1e-12)
    assert (s.production.min, s.production.max) == ("a", "d")
    assert s.psi is None
    assert s.bin_edges == ()


def test_quantiles_of_many_values_come_from_a_sample() -> None:
    n = 3 * dp.QUANTILE_SAMPLE
    vals = np.random.default_rng(8).lognormal(0.0, 1.0, n)
    con = _views(pa.table({"x": vals}), pa.table({"x": vals[: n // 2]}))
    s = profile_columns(con, "prod view", "cand", [ProfileColumn("x", "x", "float")])["x"]
    for prof, data in ((s.production, vals), (s.candidate, vals[: n // 2])):
        assert [q for q, _ in prof.quantiles] == list(profiles.QUANTILES)
        for q, v in prof.quantiles:
            assert _rank_ok(data, q, v), (q, v)
        assert sum(prof.histogram) == len(data)


def test_high_cardinality_strings_count_the_frequent_values_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(profile_sql, "LOW_CARDINALITY", 100)  # the sketch path, on small data
    monkeypatch.setattr(profile_sql, "MOSTLY_UNIQUE", 0.95)
    ids = [f"id{i:05d}" for i in range(N)]
    pvals = ["hot" if i % 5 == 0 else "warm" if i % 7 == 0 else v for i, v in enumerate(ids)]
    cvals = ["hot" if i % 4 == 0 else v for i, v in enumerate(ids)]
    con = _views(pa.table({"s": pvals}), pa.table({"s": cvals}))
    s = profile_columns(con, "prod view", "cand", [ProfileColumn("s", "s", "string")])["s"]
    assert s.production.distinct is not None
    assert s.production.distinct > 100
    pc, cc = Counter(pvals), Counter(cvals)
    assert s.production.top == (TopValue("hot", pc["hot"]), TopValue("warm", pc["warm"]))
    assert s.candidate.top == (TopValue("hot", cc["hot"]), TopValue("warm", 0))
    expected = 0.5 * (
        abs(pc["hot"] - cc["hot"]) / N + pc["warm"] / N
        + abs((N - pc["hot"] - pc["warm"]) - (N - cc["hot"])) / N
    )  # fmt: skip
    assert s.tvd == pytest.approx(expected, rel=1e-12)


def test_mostly_unique_columns_have_no_top_values() -> None:
    vals = [f"user{i}" if i % 4 else "unknown" for i in range(N)]
    con = _views(pa.table({"u": vals}), pa.table({"u": vals}))
    s = profile_columns(con, "prod view", "cand", [ProfileColumn("u", "u", "string")])["u"]
    assert s.production.top == ()
    assert s.tvd is None
    assert s.production.distinct is not None
    assert s.production.distinct > N // 2


def test_times_bools_binary_decimals_and_quoted_names() -> None:
    base = dt.datetime(2024, 1, 1)
    hours = np.arange(100)
    utc = dt.UTC
    prod = pa.table({
        'ts "x"': [base + dt.timedelta(hours=int(h)) for h in hours],
        "tz": pa.array([base.replace(tzinfo=utc)] * 100, type=pa.timestamp("us", tz="UTC")),
        "day": [dt.date(2024, 1, 1 + int(h) % 28) for h in hours],
        "flag": [bool(h % 3) for h in hours],
        "blob": [b"\x01" if h % 2 else b"\x02\x03" for h in hours],
        "amount": pa.array([decimal.Decimal(f"{h}.25") for h in hours], type=pa.decimal128(10, 2)),
    })  # fmt: skip
    con = _views(prod, prod)
    cols = [
        ProfileColumn('ts "x"', 'ts "x"', "temporal"),
        ProfileColumn("tz", "tz", "temporal"),
        ProfileColumn("day", "day", "temporal"),
        ProfileColumn("flag", "flag", "bool"),
        ProfileColumn("blob", "blob", "binary"),
        ProfileColumn("amount", "amount", "decimal"),
    ]
    shifts = profile_columns(con, "prod view", "cand", cols)
    ts = shifts['ts "x"'].production
    assert (ts.min, ts.max) == ("2024-01-01T00:00:00", "2024-01-05T03:00:00")
    assert ts.mean is None  # times: quantiles in epoch seconds, no mean or std
    assert ts.std is None
    assert ts.quantiles[3][1] == base.replace(tzinfo=utc).timestamp() + 49 * 3600  # "lower"
    assert sum(ts.histogram) == 100
    assert shifts["tz"].production.min == "2024-01-01T00:00:00+00:00"
    assert shifts["day"].production.max == "2024-01-28"
    assert shifts["flag"].production.top == (TopValue(True, 66), TopValue(False, 34))
    assert shifts["blob"].production.top == (TopValue("0x01", 50), TopValue("0x0203", 50))
    amount = shifts["amount"].production
    assert (amount.min, amount.max) == ("0.25", "99.25")
    assert amount.mean == pytest.approx(49.75)


def test_type_change_is_profiled_as_text_and_empty_and_null_columns() -> None:
    prod = pa.table(
        {"code": pa.array([1, 2, 2], pa.int64()), "gone": pa.array([None] * 3, pa.float64())}
    )
    cand = pa.table({"code": ["1", "2", "x"], "gone": pa.array([None] * 3, pa.float64())})
    con = _views(prod, cand)
    cols = [ProfileColumn("code", "code", "integer"), ProfileColumn("gone", "gone", "float")]
    shifts = profile_columns(con, "prod view", "cand", cols)
    code = shifts["code"]
    assert code.production.top == (TopValue("2", 2), TopValue("1", 1), TopValue("x", 0))
    assert code.tvd == pytest.approx(1 / 3)
    gone = shifts["gone"]
    assert gone.production.nulls == 3
    assert gone.production.histogram == ()
    assert gone.psi is None
    con.register("empty", prod.slice(0, 0))  # the connection stays usable
    empty = profile_columns(con, "empty", "prod view", [ProfileColumn("code", "code", "integer")])
    assert empty["code"].production.rows == 0
    assert empty["code"].null_share_change is None
    assert empty["code"].production.histogram == (0, 0)
    assert empty["code"].psi is None
    assert profile_columns(con, "prod view", "cand", []) == {}


def test_profiles_are_json_safe_and_round_trip() -> None:
    rng = np.random.default_rng(9)
    parr, _ = _float_column(rng, 0.0)
    t = pa.table({"x": parr, "s": [f"v{i % 3}" for i in range(N)]})
    con = _views(t, t)
    cols = [ProfileColumn("x", "x", "float"), ProfileColumn("s", "s", "string")]
    for s in profile_columns(con, "prod view", "cand", cols).values():
        text = json.dumps(to_dict(s), allow_nan=False)
        assert _from_json(ColumnShift, json.loads(text)) == s
        for f in (s.psi, s.ks, s.tvd, s.production.mean, s.production.std):
            assert f is None or math.isfinite(f)


def test_duckdb_errors_become_engine_errors() -> None:
    con = duckdb.connect()
    con.register("p", pa.table({"t": ["a"]}))
    con.execute("CREATE VIEW broken AS SELECT CAST(t AS INTEGER) AS t FROM p")
    with pytest.raises(EngineError, match="profiling columns t of 'broken'"):
        profile_columns(con, "broken", "broken", [ProfileColumn("t", "t", "integer")])
