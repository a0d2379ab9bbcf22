"""What every engine's profiles share: which columns are profiled how, the decisions taken from
both versions' simple statistics (``layout``), and the reading of the figures that come back.
Engine-neutral: the scans themselves are each engine's (``duckdb_profile``, ``spark_profile``),
as DuckDB's ``histogram`` aggregate and Spark's grouped scan of entries differ in shape.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from .. import profiles
from ..arrow_types import NUMERIC, Category
from .dialect import Dialect

LOW_CARDINALITY = 10_000  # up to this many distinct values, every value is counted exactly
MOSTLY_UNIQUE = 0.5  # more distinct values than this share of values: no top values (ids)
SKETCH_K = 3 * profiles.TOP_K  # candidates per version of a high-cardinality string column
_CATEGORICAL: frozenset[Category] = frozenset({"string", "bool", "binary"})


@dataclass(frozen=True)
class ProfileColumn:
    production: str  # column name in the production view
    candidate: str  # column name in the candidate view
    category: Category  # how both versions are profiled (``arrow_types.category``)


@dataclass(frozen=True)
class Layout:
    """What the second pass computes, decided from both versions' simple statistics."""

    edges: dict[int, tuple[float, ...]]  # shared bin edges of numbers and times
    exact: frozenset[int]  # categories with few distinct values: every value counted
    sketched: frozenset[int]  # other string columns: top candidates, then exact counts


class ProfiledColumn(Protocol):
    """One column as an engine reads it in one version."""

    @property
    def i(self) -> int: ...
    @property
    def kind(self) -> str: ...  # "number", "time", "category", "other"
    @property
    def string(self) -> bool: ...  # counted as text


def kind_of(category: Category) -> str:
    if category in NUMERIC:
        return "number"
    if category == "temporal":
        return "time"
    return "category" if category in _CATEGORICAL else "other"


def fits(category: Category, fam: str) -> bool:
    """Whether a version's column (of family ``fam``) can be read as ``category``."""
    if category in NUMERIC:
        return fam in ("number", "float")
    if category == "temporal":
        return fam in ("datetime", "time")
    return category not in ("bool", "binary") or fam == category


def simple_aggregates(c: ProfiledColumn, quantiles: str) -> list[str]:
    """Pass 1's statistics of one column, over its inner projection (``r{i}`` the value as
    counted, ``f{i}`` the finite number, ``t{i}`` what min/max are taken over). ``quantiles``:
    the engine's quantile aggregate, with ``{f}`` for the number ("": computed elsewhere)."""
    r, f, t, p = f"r{c.i}", f"f{c.i}", f"t{c.i}", f"c{c.i}_"
    out = [f"count({r}) AS {p}count"]
    if c.kind != "other":
        out.append(f"approx_count_distinct({r}) AS {p}distinct")
    if c.kind in ("number", "time"):
        out += [
            f"min({t}) AS {p}min", f"max({t}) AS {p}max", f"min({f}) AS {p}lo",
            f"max({f}) AS {p}hi", f"count({f}) AS {p}finite",
        ]  # fmt: skip
        out += [f"{quantiles.format(f=f)} AS {p}quantiles"] if quantiles else []
    if c.kind == "number":
        out.append(f"avg({f}) AS {p}mean")  # the standard deviation needs it: pass 2
    if c.kind == "category" and c.string:
        out += [f"min({r}) AS {p}min", f"max({r}) AS {p}max"]
    return out


def number_values(d: Dialect, ident: str, fam: str, double: bool = False) -> tuple[str, str]:
    """A number column as DOUBLE for the statistics (NULL unless finite: NaN and ±inf are left
    out) and as what min/max are taken over (its own type, unless a float). ``double``: the
    column is a DOUBLE already (no cast for the planner to bind, hundreds of times when wide)."""
    num = ident if double else f"CAST({ident} AS DOUBLE)"
    if fam == "float":
        num = f"CASE WHEN {d.finite(num)} THEN {num} END"
        return num, num
    return num, ident


def bin_offset(d: Dialect, f: str, edges: Sequence[float]) -> str | None:
    """(x - lo) / width of the finite number ``f`` in SQL, before ``floor`` and the clamp of
    ``profiles.bin_index``; None when the width is 0 (every value in bin 0)."""
    lo, width, _ = profiles.bin_origin_width(edges)
    if not width > 0:
        return None
    w, o = d.double(width), d.double(lo)
    return f"({f} / {w} - {o} / {w})" if profiles.wide(edges) else f"(({f} - {o}) / {w})"


def bin_of(d: Dialect, f: str, edges: Sequence[float]) -> str:
    """``profiles.bin_index`` in SQL: the bin of the finite number ``f`` (NULL stays NULL)."""
    offset = bin_offset(d, f, edges)
    if offset is None:
        return "0"
    return f"least(greatest(floor({offset}), 0), {len(edges) - 2})"


def layout(
    pcols: Sequence[ProfiledColumn],
    ccols: Sequence[ProfiledColumn],
    ps: dict[str, Any],
    cs: dict[str, Any],
) -> Layout:
    """Shared bin edges over both versions' finite range; exact counts of low-cardinality
    categories; sketches of string columns with many, but not mostly unique, values."""
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


def std(squares: float | None, n: int) -> float | None:
    """The sample standard deviation from the sum of squared deviations from the mean."""
    return math.sqrt(squares / (n - 1)) if squares is not None and n > 1 else None


def hist(counts: dict[Any, int] | None, bins: int) -> tuple[int, ...]:
    """Counts per bin from an engine's ``{bin: count}``; a bin below 0 or beyond the last is
    clamped as ``profiles.bin_index`` clamps (an engine may leave the clamp to this)."""
    out = [0] * bins
    for b, n in (counts or {}).items():
        if bins and b is not None:
            out[min(max(int(b), 0), bins - 1)] += int(n)
    return tuple(out)


def key(v: Any) -> Hashable:
    """A value an engine returned, as the model keys top values (0x hex, long text cut)."""
    k = profiles.json_value(v)
    assert not isinstance(k, list | dict)
    return k


def keyed(counts: dict[Any, int] | None) -> dict[Hashable, int]:
    """Value counts keyed by model value; nulls left out."""
    out: dict[Hashable, int] = {}
    for v, n in (counts or {}).items():
        if v is not None:
            out[key(v)] = out.get(key(v), 0) + int(n)
    return out


def quantiles(values: Sequence[Any] | None) -> tuple[tuple[float, float], ...]:
    return tuple(
        (q, f)
        for q, v in zip(profiles.QUANTILES, values or (), strict=False)
        if (f := profiles.finite(v)) is not None
    )
