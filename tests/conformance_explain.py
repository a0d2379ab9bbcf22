"""Explain cases every registered engine must pass (issue 16): value transitions, deltas,
segments and full-row samples, on tables whose planted differences are written down here.
Run by tests/test_explain_conformance.py through ``conformance.run_case``, as
tests/test_engine_conformance.py runs the comparison table; the rules are docs/semantics.md,
"What explains a change".

THE PLANTED FIXTURE (``planted_production`` / ``planted_candidate``): ids 0..999 on both sides,
plus id 1000 only in production (country DE) and id 1001 only in candidate.

- ``country``: DE for ids 0-99 (100 rows), FR for 100-549 (450), US for 550-999 (450).
- ``tier``: High for ids 0-299, Mid for 300-699, Low for 700-999. Planted: ids 0-11 High -> Low
  (``TIER_HIGH_LOW`` = 12 rows, all DE), ids 600-602 Mid -> High (3 rows, US).
- ``amount`` = 100 + id. Planted: ids 40-88 + 10.0 (49 rows, all DE, tier High), id 700 + 2.5:
  50 changed rows, 98% of them DE against DE's 10% of the matched rows (lift 9.8).
- ``score`` = id / 2. Planted: ids 20-33 become null (``SCORE_TO_NULL`` = 14 value -> null).
- ``price`` = id. Planted: ids 200-229 + 100: 30 distinct changed values, so binned on edges
  of 20: [200, 220) -> [300, 320) 20 rows, [220, 240) -> [320, 340) 10 rows.
"""

from __future__ import annotations

import math
import statistics
from decimal import Decimal
from typing import Any

import pyarrow as pa
from conformance import BIG, INF, NAN, Case, spec, table

from dataops_diff.model import DatasetDiff

N = 1000
TIER_HIGH_LOW = range(12)
TIER_MID_HIGH = (600, 601, 602)
AMOUNT_PLUS_10 = range(40, 89)
AMOUNT_PLUS_2_5 = 700
SCORE_TO_NULL = range(20, 34)
PRICE_PLUS_100 = range(200, 230)


def _country(i: int) -> str:
    return "DE" if i < 100 else "FR" if i < 550 else "US"


def _tier(i: int) -> str:
    return "High" if i < 300 else "Mid" if i < 700 else "Low"


def planted_production() -> pa.Table:
    ids = list(range(N))
    return table(
        id=[*ids, 1000],
        country=[*map(_country, ids), "DE"],
        tier=[*map(_tier, ids), "High"],
        amount=[100.0 + i for i in [*ids, 1000]],
        score=[i / 2 for i in [*ids, 1000]],
        price=[float(i) for i in [*ids, 1000]],
    )


def planted_candidate() -> pa.Table:
    ids = list(range(N))
    tier = [
        "Low" if i in TIER_HIGH_LOW else "High" if i in TIER_MID_HIGH else _tier(i) for i in ids
    ]
    amount = [
        100.0 + i + (10.0 if i in AMOUNT_PLUS_10 else 2.5 if i == AMOUNT_PLUS_2_5 else 0.0)
        for i in ids
    ]
    return table(
        id=[*ids, 1001],
        country=[*map(_country, ids), "FR"],
        tier=[*tier, "Low"],
        amount=[*amount, 0.0],
        score=pa.array([None if i in SCORE_TO_NULL else i / 2 for i in ids] + [0.0], pa.float64()),
        price=[float(i) + (100.0 if i in PRICE_PLUS_100 else 0.0) for i in [*ids, 1001]],
    )


def _amount_relative() -> list[float]:
    return [10.0 / (100 + i) for i in AMOUNT_PLUS_10] + [2.5 / (100 + AMOUNT_PLUS_2_5)]


def _segment(
    column: str, value: Any, changed: int, changed_total: int, matched: int
) -> tuple[Any, ...]:
    return (column, value, changed, changed_total, matched, N)


PLANTED = {
    "columns.country.transitions": (),
    "columns.country.segments": (),
    "columns.tier.transitions": (("High", "Low", len(TIER_HIGH_LOW)), ("Mid", "High", 3)),
    "columns.tier.transitions_total": 2,
    "columns.tier.delta.absolute": None,
    # 12 of 15 changed rows are DE (80%), against 100 of 1,000 matched rows (id 1000 is DE but
    # only in production, so not matched): lift 8
    "columns.tier.segments": (_segment("country", "DE", 12, 15, 100),),
    "columns.amount.transitions": (
        ("[100, 200)", "[100, 200)", len(AMOUNT_PLUS_10)),
        ("[800, 900)", "[800, 900)", 1),
    ),
    "columns.amount.transitions_total": 2,
    "columns.amount.delta.absolute": (50, 2.5, 10.0, 10.0),
    "columns.amount.delta.absolute.histogram": (1, *[0] * 18, len(AMOUNT_PLUS_10)),
    "columns.amount.delta.relative": (
        50,
        min(_amount_relative()),
        statistics.median(_amount_relative()),
        max(_amount_relative()),
    ),
    "columns.amount.segments": (
        _segment("country", "DE", 49, 50, 100),  # lift 9.8
        _segment("tier", "High", 49, 50, 300),  # lift 3.27
    ),
    "columns.score.transitions": tuple((i / 2, None, 1) for i in list(SCORE_TO_NULL)[:10]),
    "columns.score.transitions_total": len(SCORE_TO_NULL),
    "columns.score.delta.absolute": None,  # no changed row has a number on both sides
    "columns.price.transitions": (
        ("[200, 220)", "[300, 320)", 20),
        ("[220, 240)", "[320, 340)", 10),
    ),
    "columns.price.transitions_total": 2,
    "columns.price.delta.absolute": (30, 100.0, 100.0, 100.0),
    "columns.price.delta.absolute.edges": (100.0, 100.0),
    "columns.price.delta.relative": (
        30,
        100 / 229,
        statistics.median(100 / i for i in PRICE_PLUS_100),
        0.5,
    ),
    "columns.price.segments": (
        _segment("tier", "High", 30, 30, 300),  # lift 3.33
        _segment("country", "FR", 30, 30, 450),  # lift 2.22
    ),
    "row_samples": (((0,), ("tier",)), ((1,), ("tier",)), ((2,), ("tier",))),
    "row_samples.first": (
        {"country": "DE", "tier": "High", "amount": 100.0, "score": 0.0, "price": 0.0},
        {"country": "DE", "tier": "Low", "amount": 100.0, "score": 0.0, "price": 0.0},
    ),
}


def explained(diff: DatasetDiff) -> dict[str, Any]:
    """Every explain field a case can expect, flattened to ``a.b.c`` names."""
    out: dict[str, Any] = {}
    for c in diff.columns:
        p = f"columns.{c.name}."
        out[p + "transitions"] = tuple((t.production, t.candidate, t.count) for t in c.transitions)
        out[p + "transitions_total"] = c.transitions_total
        out[p + "segments"] = tuple(
            (s.column, s.value, s.changed_rows, s.changed_total, s.matched_rows, s.matched_total)
            for s in c.segments
        )
        for kind in ("absolute", "relative"):
            dist = getattr(c.delta, kind) if c.delta else None
            stats = None if dist is None else (dist.count, dist.min, dist.median, dist.max)
            out[p + f"delta.{kind}"] = stats
            out[p + f"delta.{kind}.histogram"] = dist.histogram if dist else ()
            out[p + f"delta.{kind}.edges"] = dist.bin_edges if dist else ()
    out["row_samples"] = tuple((tuple(r.key.values()), r.changed) for r in diff.row_samples)
    first = diff.row_samples[0] if diff.row_samples else None
    out["row_samples.first"] = (first.production, first.candidate) if first else None
    return out


def _f64(values: list[Any]) -> pa.Array:
    return pa.array(values, pa.float64())


def _i64(values: list[Any]) -> pa.Array:
    return pa.array(values, pa.int64())


HOSTILE = 'a"b\n\u202ec'  # a quote, a newline and a right-to-left override
_IDS = list(range(40))
_GROUPS = ["x" if i < 10 else "y" for i in _IDS]  # x: 25% of the rows, every changed row

EXPLAIN_CASES: list[Case] = [
    Case(
        "explain_planted",
        "transitions, deltas, segments and full rows on the planted fixture, exact counts",
        planted_production(),
        planted_candidate(),
        spec("id", samples=3),
        PLANTED,
    ),
    Case(
        "explain_nothing_changed",
        "no changed row: every explanation is empty",
        table(id=[1, 2, 3], g=["a", "a", "b"], v=[1.0, 2.0, 3.0]),
        table(id=[3, 2, 1], g=["b", "a", "a"], v=[3.0, 2.0, 1.0]),
        spec("id"),
        {
            "columns.g.transitions": (),
            "columns.v.transitions": (),
            "columns.v.transitions_total": 0,
            "columns.v.delta.absolute": None,
            "columns.v.segments": (),
            "row_samples": (),
        },
    ),
    Case(
        "explain_hostile_names",
        "SQL keywords, quotes, newlines and bidi characters as segment and changed column names",
        table(id=_IDS, select=_GROUPS, **{HOSTILE: ["High"] * 40, "from": [1.0] * 40}),
        table(
            id=_IDS,
            select=_GROUPS,
            **{HOSTILE: ["Low" if i < 6 else "High" for i in _IDS], "from": [1.0] * 40},
        ),
        spec("id", samples=1),
        {
            f"columns.{HOSTILE}.transitions": (("High", "Low", 6),),
            f"columns.{HOSTILE}.segments": (("select", "x", 6, 6, 10, 40),),
            "row_samples": (((0,), (HOSTILE,)),),
        },
    ),
    Case(
        "explain_all_null",
        "an all-null column that gains values: null -> value transitions, no delta",
        table(id=[1, 2, 3, 4], n=_f64([None] * 4), s=pa.array([None] * 4, pa.string())),
        table(id=[1, 2, 3, 4], n=_f64([None, 5.0, 5.0, None]), s=pa.array([None] * 4, pa.string())),
        spec("id"),
        {
            "columns.n.transitions": ((None, 5.0, 2),),
            "columns.n.delta.absolute": None,
            "columns.s.transitions": (),
        },
    ),
    Case(
        "explain_nonfinite",
        "NaN and infinities are transitions by name and left out of the deltas",
        table(id=[1, 2, 3, 4, 5], v=_f64([NAN, 1.0, INF, 2.0, 4.0])),
        table(id=[1, 2, 3, 4, 5], v=_f64([1.0, NAN, 1.0, -INF, 7.0])),
        spec("id"),
        {
            "columns.v.transitions": (
                (1.0, "NaN", 1),
                (2.0, "-inf", 1),
                (4.0, 7.0, 1),
                ("inf", 1.0, 1),
                ("NaN", 1.0, 1),
            ),
            "columns.v.delta.absolute": (1, 3.0, 3.0, 3.0),
            "columns.v.delta.relative": (1, 0.75, 0.75, 0.75),
        },
    ),
    Case(
        "explain_exact_numbers",
        "int64 beyond 2**53 subtract exactly; decimals show as text in transitions",
        table(
            id=[1, 2],
            big=_i64([BIG, -BIG]),
            dec=pa.array([Decimal("1.10"), Decimal("2.00")], pa.decimal128(10, 2)),
        ),
        table(
            id=[1, 2],
            big=_i64([BIG + 1, -BIG - 3]),
            dec=pa.array([Decimal("1.20"), Decimal("2.00")], pa.decimal128(10, 2)),
        ),
        spec("id"),
        {
            "columns.big.transitions": ((-BIG, -BIG - 3, 1), (BIG, BIG + 1, 1)),
            "columns.big.delta.absolute": (2, -3.0, -1.0, 1.0),
            "columns.dec.transitions": (("1.10", "1.20", 1),),
            "columns.dec.delta.absolute": (1, 0.1, 0.1, 0.1),
        },
    ),
    Case(
        "explain_nested",
        "nested values are grouped and shown as their text",
        table(id=[1, 2, 3], v=pa.array([[1, 2], [1, 2], [5]], pa.list_(pa.int64()))),
        table(id=[1, 2, 3], v=pa.array([[1, 3], [1, 3], [5]], pa.list_(pa.int64()))),
        spec("id"),
        {"columns.v.transitions": (("[1, 2]", "[1, 3]", 2),), "columns.v.delta.absolute": None},
    ),
    Case(
        "explain_duplicate_keys",
        "with duplicated keys, transitions are kept and segments left out",
        table(id=[1, 1, 2, 3, 4, 5, 6], g=["a"] * 7, t=["p"] * 7),
        table(id=[1, 2, 3, 4, 5, 6], g=["a"] * 6, t=["p", "q", "q", "q", "q", "q"]),
        spec("id"),
        {"columns.t.transitions": (("p", "q", 5),), "columns.t.segments": ()},
    ),
    Case(
        "explain_no_profiles",
        "--no-profiles leaves segments out; transitions and deltas stay",
        table(id=_IDS, g=_GROUPS, v=[1.0] * 40),
        table(id=_IDS, g=_GROUPS, v=[2.0 if i < 6 else 1.0 for i in _IDS]),
        spec("id", profiles=False),
        {
            "columns.v.transitions": ((1.0, 2.0, 6),),
            "columns.v.delta.absolute": (6, 1.0, 1.0, 1.0),
            "columns.v.segments": (),
        },
    ),
]


def _wide(width: int = 300) -> Case:
    """``width`` columns of 3 values each; only the last changes (10 rows, to 10 distinct
    values). The last but one is 0 on exactly the changed rows (lift 6) and would lead its
    segments, but it is beyond the cap of segment columns; c0, c1, c2 (0 on every changed row,
    on 1/3 of the matched rows: lift 3) lead instead, ties in schema order."""
    names = [f"c{j}" for j in range(width)]
    last, planted = names[-1], names[-2]
    changed = [i for i in range(60) if i % 3 == 0 and i < 30]
    prod = {n: [i % 3 for i in range(60)] for n in names}
    prod[planted] = [0 if i in changed else 1 for i in range(60)]
    cand = dict(prod)
    cand[last] = [i + 100 if i in changed else i % 3 for i in range(60)]
    return Case(
        "explain_wide" if width == 300 else f"explain_wide_{width}",
        "a wide table: only the first segment columns are considered (the cap holds)",
        table(id=list(range(60)), **prod),
        table(id=list(range(60)), **cand),
        spec("id", samples=1),
        {
            f"columns.{last}.transitions_total": len(changed),
            f"columns.{last}.segments": tuple((f"c{j}", 0, 10, 10, 20, 60) for j in range(3)),
            "row_samples": (((0,), (last,)),),
        },
    )


# Cases an engine cannot run here, and why (reported to the lead): the Spark engine's column
# profiles of 300 columns took the JVM past 6.5 GB, and the kernel killed it (spark_profile);
# explain_wide_60 holds the same rule on Spark.
SKIP = {("spark", "explain_wide"): "Spark's profiles of 300 columns exhaust the JVM's memory"}
EXPLAIN_CASES += [_wide(), _wide(60)]


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def explain_mismatches(diff: DatasetDiff, expect: dict[str, Any]) -> list[str]:
    got = explained(diff)
    return [
        f"{name}: got {got.get(name, '<absent>')!r}, expected {want!r}"
        for name, want in expect.items()
        if name not in got or not _same(got[name], want)
    ]
