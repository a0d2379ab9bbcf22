"""Profiles of compared columns in DuckDB: both versions, few passes, then ``profiles.shift``.

Per version, each pass one scan for all columns together:
1. simple statistics: counts, approximate distinct counts, min/max/mean/std, quantiles (exact up to
   QUANTILE_SAMPLE values, from a reservoir sample beyond);
2. once both versions' ranges are known: histograms on the shared bin edges, exact counts of every
   value of low-cardinality columns, approx_top_k sketches of other string columns;
3. only when a string column has many (but not mostly unique) values: exact counts of the sketches'
   candidates. Mostly unique columns (ids) get no top values.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from .. import profiles
from ..errors import EngineError
from ..model import ColumnShift, Profile, TopValue
from ..plan import NUMERIC, Category

LOW_CARDINALITY = 10_000  # up to this many distinct values, every value is counted exactly
MOSTLY_UNIQUE = 0.5  # more distinct values than this share of values: no top values (ids)
SKETCH_K = 3 * profiles.TOP_K  # candidates per version from approx_top_k for other columns
QUANTILE_SAMPLE = 65_536  # reservoir_quantile: exact up to this many values, a sample beyond
_CATEGORICAL: frozenset[Category] = frozenset({"string", "bool", "binary"})
_FLOATS = frozenset({"FLOAT", "DOUBLE", "REAL"})
_INTEGERS = frozenset(f"{u}{t}INT" for u in ("", "U") for t in ("TINY", "SMALL", "BIG", "HUGE")) | {
    "INTEGER",
    "UINTEGER",
}


@dataclass(frozen=True)
class ProfileColumn:
    production: str  # column name in the production view
    candidate: str  # column name in the candidate view
    category: Category  # how both versions are profiled (dataops_diff.plan.category)


@dataclass(frozen=True)
class _Col:
    """One column as seen in one version: the SQL that reads it (in an inner projection)."""

    i: int
    kind: str  # "number", "time", "category", "other"
    raw: str  # the value: counts, distinct count, top values (text when profiled as text)
    num: str  # numbers and times (epoch seconds) as DOUBLE, NULL unless finite
    native: str  # min/max in the column's own type, NULL unless finite
    string: bool  # ``raw`` is VARCHAR
    utc: bool = False  # ``native`` is a TIMESTAMP WITH TIME ZONE converted to UTC


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _kind(category: Category) -> str:
    if category in NUMERIC:
        return "number"
    if category == "temporal":
        return "time"
    return "category" if category in _CATEGORICAL else "other"


def _family(duck_type: str) -> str:
    t = duck_type.upper()
    if t in _FLOATS:
        return "float"
    if t in _INTEGERS or t.startswith("DECIMAL"):
        return "number"
    if t.startswith(("TIMESTAMP", "DATE")):
        return "datetime"
    if t.startswith(("TIME", "INTERVAL")):
        return "time"
    return {"VARCHAR": "string", "BOOLEAN": "bool", "BLOB": "binary"}.get(t, "other")


def _fits(category: Category, family: str) -> bool:
    """Whether a version's column can be read as ``category`` (else both are read as text)."""
    if category in NUMERIC:
        return family in ("number", "float")
    if category == "temporal":
        return family in ("datetime", "time")
    return category not in ("bool", "binary") or family == category


def _col(i: int, name: str, duck_type: str, category: Category) -> _Col:
    ident, kind, family = quote(name), _kind(category), _family(duck_type)
    raw, num, native, utc = ident, "NULL", "NULL", False
    if kind == "number":
        num = native = f"CAST({ident} AS DOUBLE)"
        if family == "float":  # NaN and ±inf are left out of the statistics
            num = native = f"CASE WHEN isfinite({num}) THEN {num} END"
        else:
            native = ident
    elif kind == "time":
        num, native = f"epoch({ident})", ident  # epoch of ±infinity is NULL
        if family == "datetime":
            native = f"CASE WHEN isfinite({ident}) THEN {ident} END"
            utc = duck_type.upper() == "TIMESTAMP WITH TIME ZONE"
            native = f"timezone('UTC', {native})" if utc else native
    elif category == "string" and family != "string":
        raw = f"CAST({ident} AS VARCHAR)"
    return _Col(i, kind, raw, num, native, category == "string", utc)


def _lit(x: float) -> str:
    return f"CAST('{x!r}' AS DOUBLE)"


def _select(view: str, inner: list[str], outer: list[str]) -> str:
    return f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {quote(view)})"


def _simple_sql(view: str, cols: Sequence[_Col]) -> str:
    """Pass 1: every simple statistic of every column, one scan."""
    inner, outer = ["1 AS one"], ["count(*) AS n_rows"]
    qs = ", ".join(repr(q) for q in profiles.QUANTILES)
    for c in cols:
        r, f, t, p = f"r{c.i}", f"f{c.i}", f"t{c.i}", f"c{c.i}_"
        inner.append(f"{c.raw} AS {r}")
        outer.append(f"count({r}) AS {p}count")
        if c.kind != "other":
            outer.append(f"approx_count_distinct({r}) AS {p}distinct")
        if c.kind in ("number", "time"):
            inner += [f"{c.num} AS {f}", f"{c.native} AS {t}"]
            outer += [
                f"min({t}) AS {p}min", f"max({t}) AS {p}max", f"min({f}) AS {p}lo",
                f"max({f}) AS {p}hi", f"count({f}) AS {p}finite",
                f"reservoir_quantile({f}, [{qs}], {QUANTILE_SAMPLE}) AS {p}quantiles",
            ]  # fmt: skip
        if c.kind == "number":
            outer.append(f"avg({f}) AS {p}mean")  # the std needs the mean: pass 2
        if c.kind == "category" and c.string:
            outer += [f"min({r}) AS {p}min", f"max({r}) AS {p}max"]
    return _select(view, inner, outer)


def _histogram_sql(
    view: str, cols: Sequence[_Col], layout: _Layout, first: dict[str, Any]
) -> str | None:
    """Pass 2: histograms on the shared edges, exact or sketched value counts, one scan.

    Also the sum of squared deviations from pass 1's mean (the two-pass variance: stable, and
    cheaper than stddev_samp).
    """
    inner, outer = [], []
    for c in cols:
        if c.i in layout.edges:
            f = f"f{c.i}"
            inner.append(f"{c.num} AS {f}")
            mean = first.get(f"c{c.i}_mean")
            if mean is not None and math.isfinite(mean):
                outer.append(f"sum(({f} - {_lit(mean)}) * ({f} - {_lit(mean)})) AS v{c.i}")
            lo, width, bins = profiles.bin_origin_width(layout.edges[c.i])
            b = "0"  # least/greatest skip NULLs: the CASE keeps a NULL out of the bins
            if width > 0:
                b = f"least(greatest(floor(({f} - {_lit(lo)}) / {_lit(width)}), 0), {bins - 1})"
            outer.append(
                f"histogram(CASE WHEN {f} IS NOT NULL THEN CAST({b} AS INTEGER) END) AS h{c.i}"
            )
        elif c.i in layout.exact:
            inner.append(f"{c.raw} AS r{c.i}")
            outer.append(f"histogram(r{c.i}) AS h{c.i}")
        elif c.i in layout.sketched:
            inner.append(f"{c.raw} AS r{c.i}")
            outer.append(f"approx_top_k(r{c.i}, {SKETCH_K}) AS s{c.i}")
    return _select(view, inner, outer) if outer else None


def _top_counts(
    con: duckdb.DuckDBPyConnection, view: str, cols: Sequence[_Col], wanted: dict[int, list[str]]
) -> dict[int, dict[Hashable, int]]:
    """Pass 3 (high-cardinality strings only): exact counts of the sketches' candidates."""
    selects, params = [], []
    for c in cols:
        if c.i in wanted:
            selects.append(
                f"SELECT {c.i} AS col, v, count(*) AS n FROM (SELECT {c.raw} AS v FROM "
                f"{quote(view)}) WHERE v IN (SELECT unnest(?::VARCHAR[])) GROUP BY v"
            )
            params.append(wanted[c.i])
    out: dict[int, dict[Hashable, int]] = {i: {} for i in wanted}
    if selects:
        for i, v, n in con.execute(" UNION ALL ".join(selects), params).fetchall():
            out[int(i)][v] = int(n)
    return out


def _std(squares: float | None, n: int) -> float | None:
    return math.sqrt(squares / (n - 1)) if squares is not None and n > 1 else None


def _profile(
    c: _Col, s: dict[str, Any], second: dict[str, Any], hist: tuple[int, ...],
    top: tuple[TopValue, ...],
) -> Profile:  # fmt: skip
    p, rows = f"c{c.i}_", int(s["n_rows"])
    finite = int(s[p + "finite"]) if c.kind == "number" else 0
    lo, hi = s.get(p + "min"), s.get(p + "max")
    if c.utc:
        lo, hi = (None if x is None else x.isoformat() + "+00:00" for x in (lo, hi))
    quantiles = tuple(
        (q, f)
        for q, v in zip(profiles.QUANTILES, s.get(p + "quantiles") or (), strict=False)
        if (f := profiles.finite(v)) is not None
    )
    distinct, count = s.get(p + "distinct"), int(s[p + "count"])
    return Profile(
        rows=rows,
        nulls=rows - count,
        distinct=None if distinct is None else int(distinct),
        min=profiles.json_value(lo),
        max=profiles.json_value(hi),
        mean=profiles.finite(s.get(p + "mean")),
        std=profiles.finite(_std(second.get(f"v{c.i}"), finite)),
        quantiles=quantiles,
        histogram=hist,
        top=top,
        nonfinite=count - finite if c.kind == "number" else 0,
    )


def _one_row(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, Any]:
    cur = con.execute(sql)
    (row,) = cur.fetchall()  # an aggregate without GROUP BY: one row; fetched to the end
    return {d[0]: v for d, v in zip(cur.description, row, strict=True)}


def _types(con: duckdb.DuckDBPyConnection, view: str) -> dict[str, str]:
    rel = con.sql(f"SELECT * FROM {quote(view)}")
    return {name: str(t) for name, t in zip(rel.columns, rel.types, strict=True)}


def profile_columns(
    con: duckdb.DuckDBPyConnection,
    production: str,
    candidate: str,
    columns: Sequence[ProfileColumn],
) -> dict[str, ColumnShift]:
    """Profiles of both versions of ``columns`` and their shift, by production column name.

    ``production`` and ``candidate`` name views (or tables) registered on ``con``. A column whose
    versions do not both fit ``category`` (say integer in one, string in the other) is profiled
    as text.
    """
    if not columns:
        return {}
    try:
        return _profile_columns(con, production, candidate, columns)
    except duckdb.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        names = ", ".join(c.production for c in columns[:5]) + (", ..." if len(columns) > 5 else "")
        raise EngineError(
            f"profiling columns {names} of '{production}' and '{candidate}' failed: {first}; "
            "rerun with --debug and report it"
        ) from exc


def _profile_columns(
    con: duckdb.DuckDBPyConnection,
    production: str,
    candidate: str,
    columns: Sequence[ProfileColumn],
) -> dict[str, ColumnShift]:
    ptypes, ctypes = _types(con, production), _types(con, candidate)
    pcols, ccols = [], []
    for i, c in enumerate(columns):
        pt, ct = ptypes[c.production], ctypes[c.candidate]
        fits = _fits(c.category, _family(pt)) and _fits(c.category, _family(ct))
        category: Category = c.category if fits else "string"
        pcols.append(_col(i, c.production, pt, category))
        ccols.append(_col(i, c.candidate, ct, category))
    ps = _one_row(con, _simple_sql(production, pcols))
    cs = _one_row(con, _simple_sql(candidate, ccols))
    layout = _layout(pcols, ccols, ps, cs)
    prow, crow = (
        _one_row(con, sql) if (sql := _histogram_sql(view, cols, layout, first)) else {}
        for view, cols, first in ((production, pcols, ps), (candidate, ccols, cs))
    )
    wanted = {
        i: sorted({str(v) for row in (prow, crow) for v in row[f"s{i}"] or ()})
        for i in layout.sketched
    }
    pcounts = _top_counts(con, production, pcols, wanted)
    ccounts = _top_counts(con, candidate, ccols, wanted)
    out: dict[str, ColumnShift] = {}
    for col, pc, cc in zip(columns, pcols, ccols, strict=True):
        i = pc.i
        bins = len(layout.edges[i]) - 1 if i in layout.edges else 0
        if i in layout.exact:
            ptop, ctop = profiles.select_top(_keyed(prow[f"h{i}"]), _keyed(crow[f"h{i}"]))
        else:  # sketched or no top values: values seen once are not listed
            ptop, ctop = profiles.select_top(pcounts.get(i, {}), ccounts.get(i, {}), min_count=2)
        phist = _hist(prow.get(f"h{i}"), bins) if bins else ()
        chist = _hist(crow.get(f"h{i}"), bins) if bins else ()
        out[col.production] = profiles.shift(
            _profile(pc, ps, prow, phist, ptop),
            _profile(cc, cs, crow, chist, ctop),
            layout.edges.get(i, ()),
        )
    return out


@dataclass(frozen=True)
class _Layout:
    """What the second pass computes, decided from both versions' simple statistics."""

    edges: dict[int, tuple[float, ...]]  # shared bin edges of numbers and times
    exact: frozenset[int]  # categories with few distinct values: every value counted
    sketched: frozenset[int]  # other string columns: approx_top_k, then exact counts


def _layout(pcols: Sequence[_Col], ccols: Sequence[_Col], ps: dict[str, Any],
            cs: dict[str, Any]) -> _Layout:  # fmt: skip
    edges: dict[int, tuple[float, ...]] = {}
    exact: set[int] = set()
    sketched: set[int] = set()
    for pc, cc in zip(pcols, ccols, strict=True):
        i, p = pc.i, f"c{pc.i}_"
        if pc.kind in ("number", "time"):
            los = [x for x in (ps[p + "lo"], cs[p + "lo"]) if x is not None]
            his = [x for x in (ps[p + "hi"], cs[p + "hi"]) if x is not None]
            ends = [x for s in (ps, cs) for x in (s[p + "min"], s[p + "max"]) if x is not None]
            ints = pc.kind == "number" and all(isinstance(x, int) for x in ends)
            if los and his:
                edges[i] = profiles.bin_edges(min(los), max(his), integers=ints)
        elif pc.kind == "category":
            distinct = max(ps[p + "distinct"] or 0, cs[p + "distinct"] or 0)
            values = max(ps[p + "count"], cs[p + "count"])
            if distinct <= LOW_CARDINALITY:
                exact.add(i)
            elif pc.string and cc.string and distinct <= MOSTLY_UNIQUE * values:
                sketched.add(i)
    return _Layout(edges, frozenset(exact), frozenset(sketched))


def _hist(counts: dict[int, int] | None, bins: int) -> tuple[int, ...]:
    counts = counts or {}
    return tuple(int(counts.get(b, 0)) for b in range(bins))


def _keyed(counts: dict[Any, int] | None) -> dict[Hashable, int]:
    """Value counts keyed by model value (bytes become 0x hex, long strings are cut)."""
    out: dict[Hashable, int] = {}
    for v, n in (counts or {}).items():
        if v is not None:
            key = profiles.json_value(v)
            assert not isinstance(key, list | dict)
            out[key] = out.get(key, 0) + int(n)
    return out
