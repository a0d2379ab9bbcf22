"""Profiles of compared columns in DuckDB: both versions, few passes, then ``profiles.shift``.

Per version: one aggregate query computes the simple statistics of every column together (counts,
approximate distinct counts, min/max/mean/std, approximate quantiles, sketch top values); then, once
both versions' ranges are known, one aggregate query computes every histogram on the shared bin
edges and the exact value counts of low-cardinality columns, and (only when some string column has
many distinct values) one query counts the sketch's candidate top values exactly.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from .. import profiles
from ..errors import EngineError
from ..model import ColumnShift, Profile, TopValue
from ..plan import NUMERIC, Category

LOW_CARDINALITY = 1000  # up to this many distinct values, every value is counted exactly
SKETCH_K = 3 * profiles.TOP_K  # candidates per version from approx_top_k for other columns
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
    """One column as seen in one version: the SQL that reads it."""

    i: int
    kind: str  # "number", "time", "category", "other"
    ident: str  # quoted column
    num: str  # numeric expression (numbers; times as epoch seconds)
    value: str  # value expression for top values
    string: bool  # value expression is VARCHAR
    utc: bool  # TIMESTAMP WITH TIME ZONE: min/max converted to UTC


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
    if t.startswith(("TIMESTAMP", "DATE", "TIME", "INTERVAL")):
        return "time"
    return {"VARCHAR": "string", "BOOLEAN": "bool", "BLOB": "binary"}.get(t, "other")


def _fits(category: Category, family: str) -> bool:
    """Whether a version's column can be read as ``category`` (else both are read as text)."""
    if category in NUMERIC:
        return family in ("number", "float")
    if category == "temporal":
        return family == "time"
    return category not in ("bool", "binary") or family == category


def _col(i: int, name: str, duck_type: str, category: Category) -> _Col:
    ident, kind, family = quote(name), _kind(category), _family(duck_type)
    num = f"CAST({ident} AS DOUBLE)" if kind == "number" else f"epoch({ident})"
    string = family == "string"
    value = ident if string or category != "string" else f"CAST({ident} AS VARCHAR)"
    string = string or category == "string"
    utc = duck_type.upper() == "TIMESTAMP WITH TIME ZONE"
    return _Col(i, kind, ident, num, value, string, utc)


def _lit(x: float) -> str:
    return f"CAST('{x!r}' AS DOUBLE)"


def _simple_sql(view: str, cols: Sequence[_Col]) -> str:
    parts = ["count(*) AS n_rows"]
    qs = ", ".join(repr(q) for q in profiles.QUANTILES)
    for c in cols:
        p, ok = f"c{c.i}_", f"FILTER (WHERE isfinite({c.num}))"
        parts += [f"count({c.ident}) AS {p}count"]
        if c.kind != "other":
            parts += [f"approx_count_distinct({c.ident}) AS {p}distinct"]
        if c.kind in ("number", "time"):
            lo, hi = f"min({c.ident}) {ok}", f"max({c.ident}) {ok}"
            if c.utc:
                lo, hi = f"timezone('UTC', {lo})", f"timezone('UTC', {hi})"
            parts += [
                f"{lo} AS {p}min", f"{hi} AS {p}max",
                f"min({c.num}) {ok} AS {p}lo", f"max({c.num}) {ok} AS {p}hi",
                f"count(*) FILTER (WHERE NOT isfinite({c.num})) AS {p}nonfinite",
                f"approx_quantile({c.num}, [{qs}]) {ok} AS {p}quantiles",
            ]  # fmt: skip
        if c.kind == "number":
            parts += [f"avg({c.num}) {ok} AS {p}mean", f"stddev_samp({c.num}) {ok} AS {p}std"]
        if c.kind == "category":
            parts += [f"approx_top_k({c.value}, {SKETCH_K}) AS {p}sketch"]
            if c.string:
                parts += [f"min({c.value}) AS {p}min", f"max({c.value}) AS {p}max"]
    return f"SELECT {', '.join(parts)} FROM {quote(view)}"


def _histogram_sql(view: str, cols: Sequence[_Col], edges: dict[int, tuple[float, ...]],
                   exact: frozenset[int]) -> str | None:  # fmt: skip
    parts = []
    for c in cols:
        if c.i in edges:
            lo, width, bins = profiles.bin_origin_width(edges[c.i])
            ok = f"FILTER (WHERE isfinite({c.num}))"
            b = "0" if width == 0 else f"floor(({c.num} - {_lit(lo)}) / {_lit(width)})"
            parts.append(f"histogram(least(greatest({b}, 0), {bins - 1})::INTEGER) {ok} AS h{c.i}")
        elif c.i in exact:
            parts.append(f"histogram({c.value}) AS h{c.i}")
    return f"SELECT {', '.join(parts)} FROM {quote(view)}" if parts else None


def _top_counts(
    con: duckdb.DuckDBPyConnection, view: str, cols: Sequence[_Col], wanted: dict[int, list[str]]
) -> dict[int, dict[Hashable, int]]:
    """Exact counts of a few candidate values of high-cardinality string columns: one query."""
    selects, params = [], []
    for c in cols:
        if c.i in wanted:
            selects.append(
                f"SELECT {c.i} AS col, v, count(*) AS n FROM (SELECT {c.value} AS v FROM "
                f"{quote(view)}) WHERE v IN (SELECT unnest(?::VARCHAR[])) GROUP BY v"
            )
            params.append(wanted[c.i])
    out: dict[int, dict[Hashable, int]] = {i: {} for i in wanted}
    if selects:
        for i, v, n in con.execute(" UNION ALL ".join(selects), params).fetchall():
            out[int(i)][v] = int(n)
    return out


def _hist(counts: dict[int, int] | None, bins: int) -> tuple[int, ...]:
    counts = counts or {}
    return tuple(int(counts.get(b, 0)) for b in range(bins))


def _profile(
    c: _Col, s: dict[str, Any], hist: tuple[int, ...], top: tuple[TopValue, ...]
) -> Profile:
    p, rows = f"c{c.i}_", int(s["n_rows"])
    lo, hi = s.get(p + "min"), s.get(p + "max")
    if c.utc:
        lo, hi = (None if x is None else x.isoformat() + "+00:00" for x in (lo, hi))
    quantiles = tuple(
        (q, f)
        for q, v in zip(profiles.QUANTILES, s.get(p + "quantiles") or (), strict=False)
        if (f := profiles.finite(v)) is not None
    )
    distinct = s.get(p + "distinct")
    return Profile(
        rows=rows,
        nulls=rows - int(s[p + "count"]),
        distinct=None if distinct is None else int(distinct),
        min=profiles.json_value(lo),
        max=profiles.json_value(hi),
        mean=profiles.finite(s.get(p + "mean")),
        std=profiles.finite(s.get(p + "std")),
        quantiles=quantiles,
        histogram=hist,
        top=top,
        nonfinite=int(s.get(p + "nonfinite") or 0) if c.kind == "number" else 0,
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

    ``production`` and ``candidate`` name views (or tables) registered on ``con``.
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
    phist, pcounts = _distributions(con, production, pcols, layout)
    chist, ccounts = _distributions(con, candidate, ccols, layout)
    out: dict[str, ColumnShift] = {}
    for col, pc, cc in zip(columns, pcols, ccols, strict=True):
        i = pc.i
        min_count = 2 if i in layout.wanted else 1
        ptop, ctop = profiles.select_top(
            pcounts.get(i, {}), ccounts.get(i, {}), min_count=min_count
        )
        pprof = _profile(pc, ps, phist.get(i, ()), ptop)
        cprof = _profile(cc, cs, chist.get(i, ()), ctop)
        out[col.production] = profiles.shift(pprof, cprof, layout.edges.get(i, ()))
    return out


@dataclass(frozen=True)
class _Layout:
    """What the second pass computes, decided from both versions' simple statistics."""

    edges: dict[int, tuple[float, ...]]  # shared bin edges of numbers and times
    exact: frozenset[int]  # categories with few distinct values: count every value
    wanted: dict[int, list[str]]  # other string columns: count the sketches' candidates


def _layout(pcols: Sequence[_Col], ccols: Sequence[_Col], ps: dict[str, Any],
            cs: dict[str, Any]) -> _Layout:  # fmt: skip
    edges: dict[int, tuple[float, ...]] = {}
    exact: set[int] = set()
    wanted: dict[int, list[str]] = {}
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
            if max(ps[p + "distinct"] or 0, cs[p + "distinct"] or 0) <= LOW_CARDINALITY:
                exact.add(i)
            elif pc.string and cc.string:
                sketch = {*(ps[p + "sketch"] or ()), *(cs[p + "sketch"] or ())}
                wanted[i] = sorted(str(v) for v in sketch)
    return _Layout(edges, frozenset(exact), wanted)


def _distributions(
    con: duckdb.DuckDBPyConnection, view: str, cols: Sequence[_Col], layout: _Layout
) -> tuple[dict[int, tuple[int, ...]], dict[int, dict[Hashable, int]]]:
    """One version's histograms and value counts, by column index."""
    sql = _histogram_sql(view, cols, layout.edges, layout.exact)
    row = _one_row(con, sql) if sql else {}
    hists = {i: _hist(row.get(f"h{i}"), len(e) - 1) for i, e in layout.edges.items()}
    counts = {i: _keyed(row.get(f"h{i}")) for i in layout.exact}
    counts.update({i: _keyed(v) for i, v in _top_counts(con, view, cols, layout.wanted).items()})
    return hists, counts


def _keyed(counts: dict[Any, int] | None) -> dict[Hashable, int]:
    """Value counts keyed by model value (bytes become 0x hex, long strings are cut)."""
    out: dict[Hashable, int] = {}
    for v, n in (counts or {}).items():
        if v is not None:
            key = profiles.json_value(v)
            assert not isinstance(key, list | dict)
            out[key] = out.get(key, 0) + int(n)
    return out
