"""Profiles of compared columns in DuckDB: both versions, few passes, then ``profiles.shift``.

Per version, each pass one scan for all columns together (in queries of BATCH columns: one
aggregate over hundreds of columns costs DuckDB's planner more than the scan):
1. simple statistics: counts, approximate distinct counts, min/max/mean/std; then the quantiles
   in a scan of the number and time columns of the rows picked by key (``Sample``: exact up to
   QUANTILE_SAMPLE rows, a deterministic sample by key hash beyond);
2. once both versions' ranges are known: histograms on the shared bin edges, exact counts of every
   value of low-cardinality columns, approx_top_k sketches of other string columns;
3. only when a string column has many (but not mostly unique) values: exact counts of the sketches'
   candidates. Mostly unique columns (ids) get no top values.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb

from ..errors import EngineError
from ..model import ColumnShift, Profile, TopValue
from . import profiles
from .arrow_types import Category
from .duckdb_beside import pair
from .plan import Plan
from .sql import duckdb_profile as sql
from .sql.duckdb_profile import QUANTILE_SAMPLE, Col
from .sql.profile import ProfileColumn, fits, hist, keyed, layout, quantiles, std

__all__ = ["QUANTILE_SAMPLE", "ProfileColumn", "Sample", "plan_shifts", "profile_columns"]

BATCH = 40  # columns per profile query


def _top_counts(
    con: duckdb.DuckDBPyConnection, view: str, cols: Sequence[Col], wanted: dict[int, list[str]]
) -> dict[int, dict[Hashable, int]]:
    out: dict[int, dict[Hashable, int]] = {i: {} for i in wanted}
    query = sql.top_counts_sql(view, cols, wanted)
    if query is not None:
        for i, v, n in con.execute(*query).fetchall():
            out[int(i)][v] = int(n)
    return out


def _profile(
    c: Col, s: dict[str, Any], second: dict[str, Any], hist: tuple[int, ...],
    top: tuple[TopValue, ...],
) -> Profile:  # fmt: skip
    p, rows = f"c{c.i}_", int(s["n_rows"])
    finite = int(s[p + "finite"]) if c.kind == "number" else 0
    lo, hi = s.get(p + "min"), s.get(p + "max")
    if c.utc:
        lo, hi = (None if x is None else x.isoformat() + "+00:00" for x in (lo, hi))
    distinct, count = s.get(p + "distinct"), int(s[p + "count"])
    return Profile(
        rows=rows,
        nulls=rows - count,
        distinct=None if distinct is None else int(distinct),
        min=profiles.json_value(lo),
        max=profiles.json_value(hi),
        mean=profiles.stable(s.get(p + "mean")),
        std=profiles.stable(std(second.get(f"v{c.i}"), finite)),
        quantiles=quantiles(s.get(p + "quantiles")),
        histogram=hist,
        top=top,
        nonfinite=count - finite if c.kind == "number" else 0,
    )


def _one_row(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, Any]:
    cur = con.execute(sql)
    (row,) = cur.fetchall()  # an aggregate without GROUP BY: one row; fetched to the end
    return {d[0]: v for d, v in zip(cur.description, row, strict=True)}


def _batched(
    con: duckdb.DuckDBPyConnection,
    cols: Sequence[Col],
    query: Callable[[Sequence[Col]], str | None],
) -> dict[str, Any]:
    """One pass in queries of BATCH columns each, their rows merged (names carry the column's
    number). One aggregate over hundreds of columns costs DuckDB's planner far more than its
    share: at 500 columns of 1,000 rows, one histogram query took 31 s, batches 0.1 s each."""
    row: dict[str, Any] = {}
    for start in range(0, len(cols), BATCH):
        q = query(cols[start : start + BATCH])
        if q:
            row.update(_one_row(con, q))
    return row


def _simple(
    con: duckdb.DuckDBPyConnection, view: str, cols: Sequence[Col], sample: str | None
) -> dict[str, Any]:
    """Pass 1 (``sql.simple_sql``), then the quantiles of the sampled rows (``quantile_sql``).
    Every row (``sample`` TRUE, at most QUANTILE_SAMPLE rows): ``reservoir_quantile`` in pass 1
    holds every value and gives the same exact quantiles, a query less per batch (most of the
    time on wide tables of few rows is DuckDB planning each query)."""
    sampled = sample is not None and sample != "TRUE"
    row = sql.with_extremes(_batched(con, cols, lambda b: sql.simple_sql(view, b, sampled)), cols)
    if sample is not None and sampled:
        row.update(_batched(con, cols, lambda b: sql.quantile_sql(view, b, row, sample)))
    return row


def _types(con: duckdb.DuckDBPyConnection, view: str) -> dict[str, str]:
    rel = con.sql(f"SELECT * FROM {sql.quote(view)}")
    return {name: str(t) for name, t in zip(rel.columns, rel.types, strict=True)}


@dataclass(frozen=True)
class Sample:
    """The rows quantiles are taken over (``sql.sample_of``): each version's key columns, and
    the larger version's row count."""

    production_keys: tuple[str, ...]
    candidate_keys: tuple[str, ...]
    rows: int


def profile_columns(
    con: duckdb.DuckDBPyConnection,
    production: str,
    candidate: str,
    columns: Sequence[ProfileColumn],
    sample: Sample | None = None,
    beside: duckdb.DuckDBPyConnection | None = None,
) -> dict[str, ColumnShift]:
    """Profiles of both versions of ``columns`` and their shift, by production column name.

    ``production`` and ``candidate`` name views (or tables) registered on ``con``. A column whose
    versions do not both fit ``category`` (say integer in one, string in the other) is profiled
    as text. ``sample``: quantiles over the rows ``sql.sample_of`` picks by key (without, from
    a reservoir sample of values beyond QUANTILE_SAMPLE). ``beside``: a second connection to
    the same database with the same views (``duckdb_beside.twin``): the candidate's passes run
    on it at the same time as production's.
    """
    if not columns:
        return {}
    try:
        return _profile_columns(con, production, candidate, columns, sample, beside)
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
    sample: Sample | None,
    beside: duckdb.DuckDBPyConnection | None,
) -> dict[str, ColumnShift]:
    ccon = beside or con
    ptypes, ctypes = _types(con, production), _types(con, candidate)
    pcols, ccols = [], []
    for i, c in enumerate(columns):
        pt, ct = ptypes[c.production], ctypes[c.candidate]
        ok = fits(c.category, sql.family(pt)) and fits(c.category, sql.family(ct))
        category: Category = c.category if ok else "string"
        pcols.append(sql.column(i, c.production, pt, category))
        ccols.append(sql.column(i, c.candidate, ct, category))
    # One view profiled against itself (byte-identical versions): read it once.
    same = production == candidate and all(c.production == c.candidate for c in columns)
    if sample is not None and not (sample.production_keys and sample.candidate_keys):
        sample = None  # no key to sample rows by: the reservoir
    ps_, cs_ = (None, None) if sample is None else (
        sql.sample_of(sample.production_keys, sample.rows),
        sql.sample_of(sample.candidate_keys, sample.rows),
    )  # fmt: skip
    on = None if same else beside  # the candidate's passes at the same time, on ``beside``
    ps, cs = pair(
        lambda: _simple(con, production, pcols, ps_),
        lambda: {} if same else _simple(ccon, candidate, ccols, cs_),
        on,
    )
    cs = ps if same else cs
    plan = layout(pcols, ccols, ps, cs)
    prow, crow = pair(
        lambda: _batched(con, pcols, lambda b: sql.histogram_sql(production, b, plan, ps)),
        lambda: (
            {}
            if same
            else _batched(ccon, ccols, lambda b: sql.histogram_sql(candidate, b, plan, cs))
        ),
        on,
    )
    crow = prow if same else crow
    wanted = {
        i: sorted({str(v) for row in (prow, crow) for v in row[f"s{i}"] or ()})
        for i in plan.sketched
    }
    pcounts = _top_counts(con, production, pcols, wanted)
    ccounts = pcounts if same else _top_counts(con, candidate, ccols, wanted)
    out: dict[str, ColumnShift] = {}
    for col, pc, cc in zip(columns, pcols, ccols, strict=True):
        i = pc.i
        bins = len(plan.edges[i]) - 1 if i in plan.edges else 0
        if i in plan.exact:
            ptop, ctop = profiles.select_top(keyed(prow[f"h{i}"]), keyed(crow[f"h{i}"]))
        else:  # sketched or no top values: values seen once are not listed
            ptop, ctop = profiles.select_top(pcounts.get(i, {}), ccounts.get(i, {}), min_count=2)
        out[col.production] = profiles.shift(
            _profile(pc, ps, prow, hist(prow.get(f"h{i}"), bins), ptop),
            _profile(cc, cs, crow, hist(crow.get(f"h{i}"), bins), ctop),
            plan.edges.get(i, ()),
        )
    return out


def plan_shifts(
    con: duckdb.DuckDBPyConnection, plan: Plan, identical: bool, rows: int,
    beside: duckdb.DuckDBPyConnection | None = None,
) -> dict[str, ColumnShift]:  # fmt: skip
    """Both versions' profiles of every key and compared column, and how far they moved, by
    column name. Byte-identical versions are profiled once: the candidate's profile is
    production's. Quantiles beyond ``rows`` > QUANTILE_SAMPLE come from the rows picked by key
    hash. ``beside``: a twin connection the candidate's passes run on, at the same time."""
    candidate = "production" if identical else "candidate"
    every = (*plan.keys, *plan.compared)
    wanted = [
        ProfileColumn(
            plan.sql_name("production", p.name),
            plan.sql_name(candidate, p.name if identical else p.candidate_name),
            "string" if p.as_text else p.production_category,
        )
        for p in every
    ]
    keys = (plan.sql_name("production", k.name) for k in plan.keys)
    own = (plan.sql_name(candidate, k.name if identical else k.candidate_name) for k in plan.keys)
    sample = Sample(tuple(keys), tuple(own), rows)
    found = profile_columns(con, "production", candidate, wanted, sample, beside)
    return {
        p.name: found[plan.sql_name("production", p.name)]
        for p in every
        if plan.sql_name("production", p.name) in found
    }
