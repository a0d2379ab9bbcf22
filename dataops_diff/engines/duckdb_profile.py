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
from ..plan import Category
from . import duckdb_profile_sql as sql
from .duckdb_profile_sql import QUANTILE_SAMPLE, Col, Layout

__all__ = ["QUANTILE_SAMPLE", "ProfileColumn", "profile_columns"]

LOW_CARDINALITY = 10_000  # up to this many distinct values, every value is counted exactly
MOSTLY_UNIQUE = 0.5  # more distinct values than this share of values: no top values (ids)


@dataclass(frozen=True)
class ProfileColumn:
    production: str  # column name in the production view
    candidate: str  # column name in the candidate view
    category: Category  # how both versions are profiled (dataops_diff.plan.category)


def _top_counts(
    con: duckdb.DuckDBPyConnection, view: str, cols: Sequence[Col], wanted: dict[int, list[str]]
) -> dict[int, dict[Hashable, int]]:
    out: dict[int, dict[Hashable, int]] = {i: {} for i in wanted}
    query = sql.top_counts_sql(view, cols, wanted)
    if query is not None:
        for i, v, n in con.execute(*query).fetchall():
            out[int(i)][v] = int(n)
    return out


def _std(squares: float | None, n: int) -> float | None:
    return math.sqrt(squares / (n - 1)) if squares is not None and n > 1 else None


def _profile(
    c: Col, s: dict[str, Any], second: dict[str, Any], hist: tuple[int, ...],
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
        mean=profiles.stable(s.get(p + "mean")),
        std=profiles.stable(_std(second.get(f"v{c.i}"), finite)),
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
    rel = con.sql(f"SELECT * FROM {sql.quote(view)}")
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
    except (duckdb.OutOfMemoryException, duckdb.IOException):
        raise  # resources, not a bug: the engine maps them to out-of-memory / disk-full errors
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
        ok = sql.fits(c.category, sql.family(pt)) and sql.fits(c.category, sql.family(ct))
        category: Category = c.category if ok else "string"
        pcols.append(sql.column(i, c.production, pt, category))
        ccols.append(sql.column(i, c.candidate, ct, category))
    # One view profiled against itself (byte-identical versions): read it once.
    same = production == candidate and all(c.production == c.candidate for c in columns)
    ps = _one_row(con, sql.simple_sql(production, pcols))
    cs = ps if same else _one_row(con, sql.simple_sql(candidate, ccols))
    layout = _layout(pcols, ccols, ps, cs)
    q = sql.histogram_sql(production, pcols, layout, ps)
    prow = _one_row(con, q) if q else {}
    q = None if same else sql.histogram_sql(candidate, ccols, layout, cs)
    crow = prow if same else (_one_row(con, q) if q else {})
    wanted = {
        i: sorted({str(v) for row in (prow, crow) for v in row[f"s{i}"] or ()})
        for i in layout.sketched
    }
    pcounts = _top_counts(con, production, pcols, wanted)
    ccounts = pcounts if same else _top_counts(con, candidate, ccols, wanted)
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


def _layout(pcols: Sequence[Col], ccols: Sequence[Col], ps: dict[str, Any],
            cs: dict[str, Any]) -> Layout:  # fmt: skip
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
    return Layout(edges, frozenset(exact), frozenset(sketched))


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
