"""The SQL of the DuckDB profiles (``engines.duckdb_profile``): text only, no execution.

Each pass is one aggregate over an inner projection, so a column's expression (a cast, the
NaN/inf filter, epoch seconds) is computed once per row however many aggregates read it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .. import profiles
from ..arrow_types import Category
from .dialect import DUCKDB
from .profile import (
    SKETCH_K,
    Layout,
    bin_offset,
    kind_of,
    number_values,
    simple_aggregates,
)

QUANTILE_SAMPLE = 65_536  # quantiles: exact up to this many rows (or values), a sample beyond
_FLOATS = frozenset({"FLOAT", "DOUBLE", "REAL"})
_INTEGERS = frozenset(f"{u}{t}INT" for u in ("", "U") for t in ("TINY", "SMALL", "BIG", "HUGE")) | {
    "INTEGER",
    "UINTEGER",
}


@dataclass(frozen=True)
class Col:
    """One column as seen in one version: the SQL that reads it (in an inner projection)."""

    i: int
    kind: str  # "number", "time", "category", "other"
    raw: str  # the value: counts, distinct count, top values (text when profiled as text)
    num: str  # numbers and times (epoch seconds) as DOUBLE, NULL unless finite
    native: str  # min/max in the column's own type, NULL unless finite
    string: bool  # ``raw`` is VARCHAR
    utc: bool = False  # ``native`` is a TIMESTAMP WITH TIME ZONE: min/max converted to UTC


quote = DUCKDB.q
_lit = DUCKDB.double


def family(duck_type: str) -> str:
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


def column(i: int, name: str, duck_type: str, category: Category) -> Col:
    ident, kind, fam = quote(name), kind_of(category), family(duck_type)
    raw, num, native, utc = ident, "NULL", "NULL", False
    if kind == "number":
        num, native = number_values(DUCKDB, ident, fam, duck_type.upper() == "DOUBLE")
    elif kind == "time":
        num, native = f"epoch({ident})", ident  # epoch of ±infinity is NULL
        if fam == "datetime":
            native = f"CASE WHEN isfinite({ident}) THEN {ident} END"
            # converted to UTC after min/max (``simple_sql``): per row, it cost 4x the rest
            utc = duck_type.upper() == "TIMESTAMP WITH TIME ZONE"
    elif category == "string" and fam != "string":
        raw = f"CAST({ident} AS VARCHAR)"
    return Col(i, kind, raw, num, native, category == "string", utc)


def _select(view: str, inner: list[str], outer: list[str]) -> str:
    return f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {quote(view)})"


def sample_of(keys: Sequence[str], rows: int) -> str:
    """Which rows the quantiles are taken over: all (``TRUE``) up to QUANTILE_SAMPLE rows, else
    the rows whose key hashes into a 1-in-k share, k = rows / QUANTILE_SAMPLE rounded up, about
    QUANTILE_SAMPLE rows: deterministic for the same data, the same rows in both versions."""
    rate = -(-rows // QUANTILE_SAMPLE)
    if rate <= 1 or not keys:
        return "TRUE"
    return f"hash({', '.join(quote(k) for k in keys)}) % {rate} = 0"


def simple_sql(view: str, cols: Sequence[Col], sampled: bool = False) -> str:
    """Pass 1: every simple statistic of every column, one scan. Quantiles: ``sampled``, by
    ``quantile_sql`` afterwards; else ``reservoir_quantile`` here."""
    inner, outer = ["1 AS one"], ["count(*) AS n_rows"]
    qs = ", ".join(repr(q) for q in profiles.QUANTILES)
    quantiles = "" if sampled else f"reservoir_quantile({{f}}, [{qs}], {QUANTILE_SAMPLE})"
    for c in cols:
        inner.append(f"{c.raw} AS r{c.i}")
        if c.kind in ("number", "time"):
            inner.append(f"{c.num} AS f{c.i}")
            inner += [] if same_extremes(c) else [f"{c.native} AS t{c.i}"]
        found = simple_aggregates(c, quantiles)
        if same_extremes(c):  # min/max are lo/hi: ``with_extremes`` copies them after the scan
            found = [a for a in found if not a.startswith((f"min(t{c.i})", f"max(t{c.i})"))]
        if c.utc:  # the instants' extremes, shown as UTC wall-clock times
            extremes = {f"{f}(t{c.i}) AS c{c.i}_{f}" for f in ("min", "max")}
            found = [
                f"timezone('UTC', {a.split(' AS ')[0]}) AS {a.split(' AS ')[1]}"
                if a in extremes
                else a
                for a in found
            ]
        outer += found
    return _select(view, inner, outer)


def same_extremes(c: Col) -> bool:
    """Whether min/max are taken over the finite DOUBLE itself (floats): then they are the
    ``lo``/``hi`` pass 1 computes anyway, and are not aggregated twice."""
    return c.kind == "number" and c.native == c.num


def with_extremes(row: dict[str, Any], cols: Sequence[Col]) -> dict[str, Any]:
    """Pass 1's row with the min/max that ``simple_sql`` left to ``lo``/``hi``."""
    for c in cols:
        if same_extremes(c):
            row[f"c{c.i}_min"], row[f"c{c.i}_max"] = row[f"c{c.i}_lo"], row[f"c{c.i}_hi"]
    return row


def quantile_sql(view: str, cols: Sequence[Col], first: dict[str, Any], sample: str) -> str | None:
    """Pass 1b: the quantiles of the number and time columns over the rows ``sample`` picks
    (``sample_of``), one scan of those columns: about 8x cheaper than ``reservoir_quantile``
    over every row, and deterministic.

    Every row (``TRUE``): exact, the lower of the two neighbours (the value at floor(q * (n -
    1)), as ``reservoir_quantile`` gives it), by asking ``quantile_disc`` (which takes the
    value at ceil(q' * n) - 1) for q' = (floor(q * (n - 1)) + 0.5) / n, n the finite values
    counted by pass 1 (``first``). Sampled rows: ``quantile_disc`` of the sample."""
    nums = [c for c in cols if c.kind in ("number", "time")]
    if not nums:
        return None
    exact, outer = sample == "TRUE", []
    for c in nums:
        n = int(first.get(f"c{c.i}_finite") or 0)
        qs = profiles.QUANTILES
        if exact and n:
            qs = tuple((math.floor(q * (n - 1)) + 0.5) / n for q in profiles.QUANTILES)
        outer.append(f"quantile_disc(f{c.i}, [{', '.join(map(repr, qs))}]) AS c{c.i}_quantiles")
    inner = [f"{c.num} AS f{c.i}" for c in nums]
    where = "" if exact else f" WHERE {sample}"
    return f"SELECT {', '.join(outer)} FROM (SELECT {', '.join(inner)} FROM {quote(view)}{where})"


def histogram_sql(
    view: str, cols: Sequence[Col], layout: Layout, first: dict[str, Any]
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
            outer.append(f"{_histogram(f, layout.edges[c.i])} AS h{c.i}")
        elif c.i in layout.exact:
            inner.append(f"{c.raw} AS r{c.i}")
            outer.append(f"histogram(r{c.i}) AS h{c.i}")
        elif c.i in layout.sketched:
            inner.append(f"{c.raw} AS r{c.i}")
            outer.append(f"approx_top_k(r{c.i}, {SKETCH_K}) AS s{c.i}")
    return _select(view, inner, outer) if outer else None


def _histogram(f: str, edges: Sequence[float]) -> str:
    """The bin counts of ``f``: ``histogram_exact`` over the bins, as DuckDB plans ``histogram``
    as a grouped aggregate joined back per column (twice the planner's work). The clamp of
    ``profiles.bin_index`` is left to ``hist``: every value lies within the edges, so the
    unclamped bin is -1 (rounding below the first edge) to ``bins`` (the maximum), all listed;
    10-20% less work per row. A NULL stays out (``floor(NULL)`` is NULL)."""
    offset = bin_offset(DUCKDB, f, edges)
    if offset is None:
        return f"histogram_exact(CASE WHEN {f} IS NOT NULL THEN 0 END, [0])"
    every = ", ".join(map(str, range(-1, len(edges))))
    return f"histogram_exact(CAST(floor({offset}) AS INTEGER), [{every}])"


def top_counts_sql(
    view: str, cols: Sequence[Col], wanted: dict[int, list[str]]
) -> tuple[str, list[list[str]]] | None:
    """Pass 3 (high-cardinality strings only): exact counts of the sketches' candidates."""
    selects, params = [], []
    for c in cols:
        if c.i in wanted:
            selects.append(
                f"SELECT {c.i} AS col, v, count(*) AS n FROM (SELECT {c.raw} AS v FROM "
                f"{quote(view)}) WHERE v IN (SELECT unnest(?::VARCHAR[])) GROUP BY v"
            )
            params.append(wanted[c.i])
    return (" UNION ALL ".join(selects), params) if selects else None
