"""Profiles of compared columns in Spark: what ``duckdb_profile`` computes, in Spark SQL.

Per version: one aggregate for the simple statistics of every column; once both versions' ranges
are known, one grouped scan for every histogram and every exact value count (each row emits one
``(column, bin or value)`` entry per profiled column); and, for the rare string column with many
but not mostly unique values, one query per column for the top values of both versions, counted
exactly. The shift measures come from ``profiles.shift``, so both engines agree on them.

Quantiles follow DuckDB's plan: exact up to QUANTILE_SAMPLE rows, beyond over the rows whose key
hashes into a 1-in-k share (about QUANTILE_SAMPLE rows, deterministic; the report says
"(sampled)"), in their own scan. Differences from DuckDB, all in approximate figures: distinct
counts are Spark's HyperLogLog++ at its default 5% relative standard deviation (a smaller one
makes Spark generate code for thousands of buffer fields: minutes per query), and the sampled
rows are picked by Spark's ``hash``, not DuckDB's. Top values of the rare high-cardinality string
columns are exact (DuckDB counts a sketch's candidates exactly). The standard deviation uses
DuckDB's two-pass formula (``stddev_samp`` loses digits on large values such as ids).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from ..model import Column, ColumnShift, Profile, TopValue
from . import profiles
from .arrow_types import Category, category
from .sql.dialect import SPARK
from .sql.duckdb_profile import QUANTILE_SAMPLE
from .sql.profile import (
    SKETCH_K,
    ProfileColumn,
    bin_of,
    fits,
    hist,
    key,
    keyed,
    kind_of,
    layout,
    number_values,
    quantiles,
    simple_aggregates,
    std,
)

q, finite, _lit = SPARK.q, SPARK.finite, SPARK.double

Collect = Callable[[str, str], list[dict[str, Any]]]  # (phase, query) -> rows by column name
_EPOCH = dt.datetime(1970, 1, 1)
EXACT = 4 * QUANTILE_SAMPLE  # percentile_approx's accuracy: exact over QUANTILE_SAMPLE values
_NULLS = {"s": "STRING", "t": "BOOLEAN", "y": "BINARY"}


@dataclass(frozen=True)
class _Col:
    i: int
    kind: str  # "number", "time", "category", "other"
    raw: str  # the value as counted (text when profiled as text)
    num: str  # numbers and times (epoch seconds) as DOUBLE, NULL unless finite
    native: str  # min/max: the value, or epoch micros (timestamps) / days (dates)
    field: str  # the entry field an exact value count goes to: s(tring), t (bool), y (binary)
    time: str = ""  # "timestamp", "timestamptz" or "date": how ``native`` becomes a value

    @property
    def string(self) -> bool:
        return self.field == "s"


def _family(arrow_type: str) -> str:
    cat = category(arrow_type)
    if cat == "temporal":
        return "datetime" if arrow_type.startswith(("timestamp", "date")) else "time"
    return {"integer": "number", "decimal": "number"}.get(cat, cat)


def _column(i: int, name: str, arrow_type: str, cat: Category) -> _Col:
    ident, kind, fam = q(name), kind_of(cat), _family(arrow_type)
    raw, num, native, time = ident, "CAST(NULL AS DOUBLE)", "NULL", ""
    if kind == "number":
        num, native = number_values(SPARK, ident, fam)
    elif kind == "time" and arrow_type.startswith("timestamp"):
        native = f"unix_micros(CAST({ident} AS TIMESTAMP))"  # the session time zone is UTC
        num = f"{native} / 1000000.0D"
        time = "timestamptz" if "tz=" in arrow_type else "timestamp"
    elif kind == "time" and arrow_type.startswith("date"):
        native, time = f"unix_date({ident})", "date"
        num = f"CAST({native} AS DOUBLE) * 86400.0D"
    elif cat == "string" and fam != "string":
        raw = f"CAST({ident} AS STRING)"
    field = {"bool": "t", "binary": "y"}.get(cat, "s")
    return _Col(i, kind, raw, num, native, field, time)


def _scan(view: str, cols: Sequence[_Col]) -> str:
    inner = ["1 AS __one"]
    for c in cols:
        inner += [f"{c.raw} AS r{c.i}", f"{c.num} AS f{c.i}", f"{c.native} AS t{c.i}"]
    return f"(SELECT {', '.join(inner)} FROM {view})"


def _simple_sql(view: str, cols: Sequence[_Col]) -> str:
    """Pass 1: every simple statistic of every column, one scan (quantiles: ``_quantile_sql``)."""
    outer = ["count(*) AS n_rows"]
    for c in cols:
        outer += simple_aggregates(c, "")
    return f"SELECT {', '.join(outer)} FROM {_scan(view, cols)}"


def sample_of(keys: Sequence[str], rows: int) -> str:
    """``duckdb_profile.sample_of`` in Spark SQL: every row up to QUANTILE_SAMPLE rows, else the
    rows whose key hashes (Spark's murmur3 ``hash``; ``pmod``, as it may be negative) into a
    1-in-k share, about QUANTILE_SAMPLE rows, the same rows in both versions."""
    rate = -(-rows // QUANTILE_SAMPLE)
    if rate <= 1 or not keys:
        return "TRUE"
    return f"pmod(hash({', '.join(q(k) for k in keys)}), {rate}) = 0"


def _quantile_sql(
    view: str, cols: Sequence[_Col], first: dict[str, Any], sample: str
) -> str | None:
    """Pass 1b: the quantiles of the number and time columns over the rows ``sample`` picks, as
    DuckDB's ``quantile_sql``. ``percentile_approx`` at accuracy ``EXACT`` keeps every value of
    up to EXACT / 2 rows (its rank error is below one), so over at most QUANTILE_SAMPLE rows it
    is exact: the smallest value with at least q * n values at or below it, as ``quantile_disc``;
    every row (``TRUE``) asks for q' = (floor(q * (n - 1)) + 0.5) / n to get the lower of the two
    neighbours, as DuckDB does. Beyond QUANTILE_SAMPLE rows only the sampled rows are sketched."""
    nums = [c for c in cols if c.kind in ("number", "time")]
    if not nums:
        return None
    exact, outer = sample == "TRUE", []
    for c in nums:
        n, qs = int(first.get(f"c{c.i}_finite") or 0), profiles.QUANTILES
        if exact and n:
            qs = tuple((math.floor(x * (n - 1)) + 0.5) / n for x in profiles.QUANTILES)
        fractions = ", ".join(f"{x!r}D" for x in qs)
        outer.append(f"percentile_approx(f{c.i}, array({fractions}), {EXACT}) AS c{c.i}_quantiles")
    inner = ", ".join(f"{c.num} AS f{c.i}" for c in nums)
    where = "" if exact else f" WHERE {sample}"
    return f"SELECT {', '.join(outer)} FROM (SELECT {inner} FROM {view}{where})"


def _simple(collect: Collect, view: str, cols: Sequence[_Col], sample: str) -> dict[str, Any]:
    """Pass 1, then its quantiles (``_quantile_sql``) over the rows ``sample`` picks."""
    first = collect("profiling columns", _simple_sql(view, cols))[0]
    query = _quantile_sql(view, cols, first, sample)
    return first | (collect("profiling columns", query)[0] if query else {})


@dataclass(frozen=True)
class Sample:
    """The rows quantiles are taken over (``sample_of``): each version's key columns, and the
    larger version's row count."""

    keys: tuple[tuple[str, ...], tuple[str, ...]]
    rows: int


def _entry(i: int, b: str = "NULL", field: str = "", value: str = "NULL", sq: str = "NULL") -> str:
    """One row's entry for column ``i``: a histogram bin ``b``, a value to count (in the field of
    its type), or (bin -1) a squared deviation from the mean, summed for the standard deviation."""
    values = {k: (value if k == field else f"CAST(NULL AS {t})") for k, t in _NULLS.items()}
    fields = ", ".join(f"'{k}', {v}" for k, v in values.items())
    return f"named_struct('i', {i}, 'b', CAST({b} AS INT), {fields}, 'q', CAST({sq} AS DOUBLE))"


def _counts_sql(view: str, cols: Sequence[_Col], edges: dict[int, tuple[float, ...]],
                exact: frozenset[int], first: dict[str, Any]) -> str | None:  # fmt: skip
    """Histogram bins, exact value counts and the sums of squared deviations from the mean (the
    two-pass variance, as DuckDB's: stable where ``stddev_samp`` is not) in one grouped scan."""
    entries = []
    for c in cols:
        f = f"f{c.i}"
        mean = first.get(f"c{c.i}_mean")
        if c.i in edges and mean is not None and math.isfinite(mean):
            entries.append(_entry(c.i, "-1", sq=f"({f} - {_lit(mean)}) * ({f} - {_lit(mean)})"))
        if c.i in edges:
            b = bin_of(SPARK, f, edges[c.i])
            entries.append(_entry(c.i, f"CASE WHEN {f} IS NOT NULL THEN {b} END"))
        elif c.i in exact:
            entries.append(_entry(c.i, field=c.field, value=f"r{c.i}"))
    if not entries:
        return None
    return f"""
SELECT e.i, e.b, e.s, e.t, e.y, count(*) AS n, sum(e.q) AS sq
FROM (SELECT inline(array({", ".join(entries)})) AS (i, b, s, t, y, q) FROM {_scan(view, cols)}) e
WHERE NOT (e.b IS NULL AND e.s IS NULL AND e.t IS NULL AND e.y IS NULL)
GROUP BY e.i, e.b, e.s, e.t, e.y"""


def _top_sql(views: tuple[str, str], pc: _Col, cc: _Col) -> str:
    """Both versions' most frequent values of one column, each counted exactly in both."""

    def counts(view: str, c: _Col) -> str:
        return (
            f"SELECT {c.raw} AS v, count(*) AS n FROM {view} WHERE {c.raw} IS NOT NULL GROUP BY 1"
        )

    top = " UNION ".join(
        f"(SELECT v FROM {s} ORDER BY n DESC, v LIMIT {SKETCH_K})" for s in ("pc", "cc")
    )
    return f"""
WITH pc AS ({counts(views[0], pc)}), cc AS ({counts(views[1], cc)}), top AS ({top})
SELECT top.v AS v, coalesce(pc.n, 0) AS production_count, coalesce(cc.n, 0) AS candidate_count
FROM top LEFT JOIN pc ON top.v = pc.v LEFT JOIN cc ON top.v = cc.v"""


def profile_columns(
    collect: Collect,
    views: tuple[str, str],
    schemas: tuple[Sequence[Column], Sequence[Column]],
    columns: Sequence[ProfileColumn],
    sample: Sample | None = None,
) -> dict[str, ColumnShift]:
    """Profiles of both versions of ``columns`` and their shift, by production column name.

    ``sample``: quantiles over the rows ``sample_of`` picks by key (without: over every row, at
    the same accuracy; exact up to QUANTILE_SAMPLE values)."""
    if not columns:
        return {}
    ptypes, ctypes = ({c.name: c.type for c in s} for s in schemas)
    pcols, ccols = [], []
    for i, c in enumerate(columns):
        pt, ct = ptypes[c.production], ctypes[c.candidate]
        ok = fits(c.category, _family(pt)) and fits(c.category, _family(ct))
        cat: Category = c.category if ok else "string"
        pcols.append(_column(i, c.production, pt, cat))
        ccols.append(_column(i, c.candidate, ct, cat))
    many, keys = (sample.rows, sample.keys) if sample else (QUANTILE_SAMPLE + 1, ((), ()))
    ps, cs = (
        _simple(collect, v, cols, sample_of(k, many))
        for v, cols, k in ((views[0], pcols, keys[0]), (views[1], ccols, keys[1]))
    )
    plan = layout(pcols, ccols, ps, cs)
    edges, exact, sketched = plan.edges, plan.exact, plan.sketched
    found: list[dict[tuple[int, Any], int]] = []
    for view, cols, first in ((views[0], pcols, ps), (views[1], ccols, cs)):
        query = _counts_sql(view, cols, edges, exact, first)
        rows = collect("profiling columns", query) if query else []
        found.append({
            (int(r["i"]), r["b"] if r["b"] is not None else _value(r["s"], r["t"], r["y"])):
            int(r["n"]) for r in rows if r["b"] != -1
        })  # fmt: skip
        first |= {f"c{r['i']}_squares": r["sq"] for r in rows if r["b"] == -1}
    tops: dict[int, tuple[dict[Hashable, int], dict[Hashable, int]]] = {}
    for i in sorted(sketched):
        rows = collect("profiling columns", _top_sql(views, pcols[i], ccols[i]))
        tops[i] = (
            {key(r["v"]): int(r["production_count"]) for r in rows},
            {key(r["v"]): int(r["candidate_count"]) for r in rows},
        )
    out: dict[str, ColumnShift] = {}
    for col, pc, cc in zip(columns, pcols, ccols, strict=True):
        i, bins = pc.i, len(edges[pc.i]) - 1 if pc.i in edges else 0
        pf, cf = ({v: n for (j, v), n in f.items() if j == i} for f in found)
        if i in exact:
            ptop, ctop = profiles.select_top(keyed(pf), keyed(cf))
        else:
            ptop, ctop = profiles.select_top(*tops.get(i, ({}, {})), min_count=2)
        out[col.production] = profiles.shift(
            _profile(pc, ps, hist(pf, bins), ptop),
            _profile(cc, cs, hist(cf, bins), ctop),
            edges.get(i, ()),
        )
    return out


def _time(value: Any, time: str) -> Any:
    if value is None or not time:
        return value
    if time == "date":
        return (_EPOCH + dt.timedelta(days=int(value))).date().isoformat()
    iso = (_EPOCH + dt.timedelta(microseconds=int(value))).isoformat()
    return iso + "+00:00" if time == "timestamptz" else iso


def _profile(
    c: _Col, s: dict[str, Any], hist: tuple[int, ...], top: tuple[TopValue, ...]
) -> Profile:
    p, rows = f"c{c.i}_", int(s["n_rows"])
    finite_values = int(s[p + "finite"]) if c.kind == "number" else 0
    distinct, count = s.get(p + "distinct"), int(s[p + "count"])
    return Profile(
        rows=rows,
        nulls=rows - count,
        distinct=None if distinct is None else int(distinct),
        min=profiles.json_value(_time(s.get(p + "min"), c.time)),
        max=profiles.json_value(_time(s.get(p + "max"), c.time)),
        mean=profiles.stable(s.get(p + "mean")),
        std=profiles.stable(std(s.get(p + "squares"), finite_values)),
        quantiles=quantiles(s.get(p + "quantiles")),
        histogram=hist,
        top=top,
        nonfinite=count - finite_values if c.kind == "number" else 0,
    )


def _value(s: Any, t: Any, y: Any) -> Any:
    return s if s is not None else t if t is not None else y
