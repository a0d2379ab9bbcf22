"""The rules that explain a change, in plain Python: which numbers are binned and on what
edges, how a value handed over as text reads back, which segments are worth showing.
docs/semantics.md, "What explains a change", states them for users.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from ..model import JSONValue, Segment
from .plan import ColumnPair

TRANSITIONS = 10  # pairs kept per changed column, most frequent first
CONTINUOUS = 20  # a numeric column with more distinct changed values on a side is binned
TARGET_BINS = 10  # about this many readable bins for transitions of continuous numbers
DELTA_BINS = 20  # bins of a delta histogram
SEGMENT_DISTINCT = 50  # a segment column has at most this many distinct values in production
SEGMENT_COLUMNS = 32  # segment columns considered per dataset (hive partitions first)
SEGMENT_SHARE = 0.10  # a segment holds at least this share of a column's changed rows,
SEGMENT_LIFT = 1.5  # at least this many times its share of the matched rows,
SEGMENT_ROWS = 5  # and at least this many changed rows
SEGMENTS = 3  # segments kept per changed column, highest lift first
_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
_SPECIAL = {-1: "NaN", -2: "inf", -3: "-inf"}


def nice_bins(low: float, high: float) -> tuple[float, float, int]:
    """(origin, step, bins): about ``TARGET_BINS`` bins of a round width (1, 2, 2.5 or 5 times
    a power of ten) from a multiple of it, covering ``low`` to ``high``."""
    raw = high / TARGET_BINS - low / TARGET_BINS  # never overflows, unlike high - low
    step = _round_step(raw if raw > 0 else abs(low) or 1.0)
    first = math.floor(low / step)
    origin = first * step
    bins = math.floor(high / step) - first + 1
    return origin, step, max(bins, 1)


def _round_step(raw: float) -> float:
    power = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in _STEPS if m * power >= raw * (1 - 1e-12))


def number(x: float, step: float) -> str:
    """An edge as people write it: as many decimals as the step needs, no float noise."""
    if x == 0:
        return "0"
    if abs(x) >= 1e15 or step < 1e-6:
        return f"{x:.6g}"
    decimals = max(0, -math.floor(math.log10(step) + 1e-12))
    if round(step * 10**decimals, 6) % 1:  # a step of 2.5 times a power of ten
        decimals += 1
    return f"{x:.{decimals}f}"


def bin_label(index: int | None, origin: float, step: float) -> JSONValue:
    """A bin index (``sql.explain.bin_index``) as ``"[10, 20)"``; NaN and infinities by name."""
    if index is None:
        return None
    if index in _SPECIAL:
        return _SPECIAL[index]
    low = origin + index * step
    return f"[{number(low, step)}, {number(low + step, step)})"


def from_text(text: str | None, category: str) -> JSONValue:
    """A value handed over as text (``sql.explain.value_text``) as samples show it."""
    if text is None:
        return None
    if category == "integer":
        return int(text)
    if category == "float":
        f = float(text)
        if math.isnan(f):
            return "NaN"
        return f if math.isfinite(f) else ("inf" if f > 0 else "-inf")
    if category == "bool":
        return text.lower() == "true"
    return text


def segment_columns(
    pairs: Sequence[ColumnPair], distinct: Sequence[int | None], partitions: set[str]
) -> list[int]:
    """The compared columns that may segment the changed rows, by index: hive partition columns
    first, then columns of at most ``SEGMENT_DISTINCT`` distinct production values (from the
    profile), in schema order; no floats (a measurement, not a group); at most
    ``SEGMENT_COLUMNS``."""
    usable = [
        i for i, p in enumerate(pairs) if p.production_category not in ("float", "binary", "other")
    ]
    first = [i for i in usable if pairs[i].name in partitions]
    low = [
        i
        for i in usable
        if i not in first and distinct[i] is not None and distinct[i] <= SEGMENT_DISTINCT  # type: ignore[operator]
    ]
    return (first + low)[:SEGMENT_COLUMNS]


def pick_segments(found: Sequence[Segment], order: dict[str, int]) -> tuple[Segment, ...]:
    """The segments worth showing: enough changed rows, share and lift; highest lift first,
    then most changed rows, then by column (``order``: schema order) and value."""
    kept = [
        s
        for s in found
        if s.changed_rows >= SEGMENT_ROWS
        and s.share >= SEGMENT_SHARE
        and s.lift is not None
        and s.lift >= SEGMENT_LIFT
    ]
    kept.sort(key=lambda s: (-(s.lift or 0.0), -s.changed_rows, order[s.column], str(s.value)))
    return tuple(kept[:SEGMENTS])


def hive_keys(path: str, files: Sequence[str]) -> set[str]:
    """The hive partition keys of a dataset folder: ``key=value`` folders below its path."""
    import os

    keys: set[str] = set()
    for f in files[:1000]:
        rel = os.path.relpath(f, path)
        for part in rel.split(os.sep)[:-1]:
            if "=" in part:
                keys.add(part.split("=", 1)[0])
    return keys
