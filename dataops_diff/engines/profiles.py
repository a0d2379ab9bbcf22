"""Engine-neutral profile math: shared bin edges, and the shift measures between two versions.

Pure Python (stdlib only), so every engine computes the same numbers from the same counts. An
engine supplies per version: row and null counts, simple statistics, histogram counts on the edges
from ``bin_edges`` (value ``x`` goes to bin ``bin_index(x, edges)``), and exact counts of candidate
top values; this module turns them into a ``ColumnShift``. Definitions (docs/html-report.md):

- shares are taken over the values a histogram or top list describes: finite non-null numbers
  (histograms) or non-null values (top values); nulls are measured by ``null_share_change``;
- PSI = sum over bins of (c - p) * ln(c / p), an empty bin's share replaced by ``PSI_EPSILON``;
- KS = max over bin boundaries of |CDF_production - CDF_candidate|: binned, so a lower bound of the
  exact statistic;
- TVD = half the sum of |p - c| over the top values of either version plus an "other" bucket.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Hashable, Mapping, Sequence
from typing import Any, TypeVar

from ..model import ColumnShift, JSONValue, Profile, TopValue

BINS = 20
QUANTILES: tuple[float, ...] = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
TOP_K = 10
PSI_EPSILON = 1e-4
MAX_TEXT = 500  # characters kept of a string value (top values, min/max)


def finite(x: float | int | None) -> float | None:
    """``x`` as a float when it is a finite number, else None (the model holds finite floats)."""
    if x is None or isinstance(x, bool):
        return None
    f = float(x)
    return f if math.isfinite(f) else None


def stable(x: float | int | None) -> float | None:
    """A computed statistic rounded to 12 significant digits: floating-point sums depend on the
    order rows (or sides) arrive in, and a report must not."""
    f = finite(x)
    return None if f is None else float(f"{f:.12g}")


def bin_edges(lo: float, hi: float, integers: bool = False, bins: int = BINS) -> tuple[float, ...]:
    """Equal-width edges from ``lo`` to ``hi`` (the min and max of both versions).

    ``integers``: when every value is an integer and the range spans at most ``bins`` integers,
    each integer gets its own bin of width 1, centred on it. ``lo == hi`` gives one bin.
    """
    if hi < lo:
        raise ValueError(f"bin_edges: hi {hi} < lo {lo}")
    if integers and hi - lo + 1 <= bins:
        n = int(hi - lo) + 1
        return tuple(lo - 0.5 + i for i in range(n + 1))
    if hi == lo:
        return (lo, hi)
    width = (hi - lo) / bins
    if math.isfinite(width):
        return (*(lo + i * width for i in range(bins)), hi)
    # A range wider than the float range (-1.7e308 to 1.7e308) overflows hi - lo: interpolate,
    # as lo * (1 - t) + hi * t never overflows.
    return (*(lo * (1 - i / bins) + hi * (i / bins) for i in range(bins)), hi)


def bin_origin_width(edges: Sequence[float]) -> tuple[float, float, int]:
    """(first edge, bin width, number of bins): what an engine needs to compute ``bin_index``.
    The width is finite even where the range overflows (edges[-1] - edges[0] = inf)."""
    bins = len(edges) - 1
    width = (edges[-1] - edges[0]) / bins
    return edges[0], width if math.isfinite(width) else edges[-1] / bins - edges[0] / bins, bins


def wide(edges: Sequence[float]) -> bool:
    """Whether x - lo may overflow: then ``bin_index`` computes x / width - lo / width."""
    return not math.isfinite(edges[-1] - edges[0])


def bin_index(x: float, edges: Sequence[float]) -> int:
    """The bin of ``x``: floor((x - lo) / width) clamped to [0, bins - 1] (the max goes last)."""
    lo, width, bins = bin_origin_width(edges)
    if width == 0:
        return 0
    offset = x / width - lo / width if wide(edges) else (x - lo) / width
    return min(max(math.floor(offset), 0), bins - 1)


def _shares(counts: Sequence[int]) -> list[float] | None:
    total = sum(counts)
    return [c / total for c in counts] if total else None


def psi(
    production: Sequence[int], candidate: Sequence[int], eps: float = PSI_EPSILON
) -> float | None:
    """Population stability index of two histograms on the same bins; None if one is empty."""
    p, c = _shares(production), _shares(candidate)
    if p is None or c is None or len(p) != len(c):
        return None
    total = 0.0
    for ps, cs in zip(p, c, strict=True):
        if ps == 0 and cs == 0:
            continue
        ps, cs = max(ps, eps), max(cs, eps)
        total += (cs - ps) * math.log(cs / ps)
    return total


def ks(production: Sequence[int], candidate: Sequence[int]) -> float | None:
    """Largest distance between the two cumulative distributions at the bin boundaries."""
    p, c = _shares(production), _shares(candidate)
    if p is None or c is None or len(p) != len(c):
        return None
    best = cp = cc = 0.0
    for ps, cs in zip(p, c, strict=True):
        cp += ps
        cc += cs
        best = max(best, abs(cp - cc))
    return min(best, 1.0)


def null_share_change(production: Profile, candidate: Profile) -> float | None:
    """Candidate null share minus production null share; None when a version has no rows."""
    if not production.rows or not candidate.rows:
        return None
    return candidate.nulls / candidate.rows - production.nulls / production.rows


def tvd(production: Profile, candidate: Profile) -> float | None:
    """Total variation distance of the top values' shares of non-null values, plus "other"."""
    p_total, c_total = production.rows - production.nulls, candidate.rows - candidate.nulls
    if p_total <= 0 or c_total <= 0 or not (production.top or candidate.top):
        return None
    p = {_hashable(t.value): t.count / p_total for t in production.top}
    c = {_hashable(t.value): t.count / c_total for t in candidate.top}
    diff = sum(abs(p.get(v, 0.0) - c.get(v, 0.0)) for v in p.keys() | c.keys())
    other = abs((1.0 - sum(p.values())) - (1.0 - sum(c.values())))
    return min(0.5 * (diff + other), 1.0)


def json_value(v: Any) -> JSONValue:
    """A value an engine returned, as a model value (ISO strings, decimal strings, 0x hex)."""
    if v is None or isinstance(v, bool | int):
        return v
    if isinstance(v, float):
        return finite(v)
    if isinstance(v, str):
        return v if len(v) <= MAX_TEXT else v[:MAX_TEXT] + "…"
    if isinstance(v, decimal.Decimal):
        return str(v)
    if isinstance(v, dt.datetime | dt.date | dt.time):
        return v.isoformat()
    if isinstance(v, dt.timedelta):
        return f"PT{v.total_seconds()!r}S"
    if isinstance(v, bytes | bytearray | memoryview):
        return "0x" + bytes(v).hex()
    return json_value(str(v))


def _hashable(value: JSONValue) -> Hashable:
    return repr(value) if isinstance(value, list | dict) else value


def _order(value: Hashable) -> tuple[str, str]:
    return (type(value).__name__, str(value))


H = TypeVar("H", bound=Hashable)


def select_top(
    production: Mapping[H, int],
    candidate: Mapping[H, int],
    k: int = TOP_K,
    min_count: int = 1,
) -> tuple[tuple[TopValue, ...], tuple[TopValue, ...]]:
    """Each version's ``top`` from exact counts: the k most frequent values of *either* version.

    Both versions list the same values, each with its count in that version (0 when absent), most
    frequent first, ties by value. Values rarer than ``min_count`` in both versions are left out
    (counts of a sketch's candidates: values seen once say nothing and would list arbitrary ids).
    """

    def top(counts: Mapping[H, int]) -> list[H]:
        return sorted(counts, key=lambda v: (-counts[v], _order(v)))[:k]

    chosen = {
        v
        for v in set(top(production)) | set(top(candidate))
        if max(production.get(v, 0), candidate.get(v, 0)) >= min_count
    }

    def listing(counts: Mapping[H, int]) -> tuple[TopValue, ...]:
        ordered = sorted(chosen, key=lambda v: (-counts.get(v, 0), _order(v)))
        return tuple(TopValue(_json(v), int(counts.get(v, 0))) for v in ordered)

    return listing(production), listing(candidate)


def _json(value: Hashable) -> JSONValue:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def shift(production: Profile, candidate: Profile, edges: Sequence[float] = ()) -> ColumnShift:
    """Both profiles and every measure that applies to them."""
    has_hist = bool(edges) and bool(production.histogram) and bool(candidate.histogram)
    return ColumnShift(
        production=production,
        candidate=candidate,
        bin_edges=tuple(edges),
        psi=stable(psi(production.histogram, candidate.histogram)) if has_hist else None,
        ks=stable(ks(production.histogram, candidate.histogram)) if has_hist else None,
        null_share_change=stable(null_share_change(production, candidate)),
        tvd=stable(tvd(production, candidate)),
    )
