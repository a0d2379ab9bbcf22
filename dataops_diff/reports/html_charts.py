"""Chart geometry for the HTML report: numbers only, drawn as inline SVG by the templates.

Both versions are drawn as shares of their own values (so 1M rows and 900k rows compare), on the
same axis: histogram bars side by side on the shared bin edges for numbers and times (two
translucent overlays read as one brown shape), paired horizontal bars for the most frequent values
of strings, categories and booleans. Delta distributions (candidate - production over the changed
rows) are one series with their median drawn as a line. Every bar's values are in its tooltip.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from ..model import ColumnShift, Distribution, JSONValue, Profile
from .summary import value_text

WIDTH = 320  # drawing area of a histogram, px
HEIGHT = 96
LABEL_WIDTH = 140  # value labels of a top-values chart
BAR_WIDTH = 200
ROW = 16  # px per value of a top-values chart
MAX_LABEL = 20  # characters of a value label


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: str  # "p" (production), "c" (candidate) or "d" (a delta distribution)


@dataclass(frozen=True)
class Bin:
    """One bin's bars side by side (never overlaid) and its tooltip."""

    bars: tuple[Bar, ...]
    tip: str  # tooltip text (escaped by the template)


@dataclass(frozen=True)
class Tick:
    x: float
    label: str
    anchor: str  # SVG text-anchor: start, middle, end


@dataclass(frozen=True)
class Histogram:
    bins: tuple[Bin, ...]
    ticks: tuple[Tick, ...]  # x axis: values at bin edges
    top: str  # the y axis: the share (or count) of the highest bar
    marks: tuple[Tick, ...] = ()  # vertical lines: the median of a delta distribution
    width: int = WIDTH
    height: int = HEIGHT

    # the low and high ends of the x axis (the first and last tick)
    @property
    def low(self) -> str:
        return self.ticks[0].label if self.ticks else ""

    @property
    def high(self) -> str:
        return self.ticks[-1].label if self.ticks else ""


@dataclass(frozen=True)
class TopRow:
    label: str
    tip: str
    y: int
    production_width: float
    candidate_width: float


@dataclass(frozen=True)
class TopChart:
    rows: tuple[TopRow, ...]
    height: int
    label_width: int = LABEL_WIDTH
    bar_width: int = BAR_WIDTH


def _shares(counts: tuple[int, ...]) -> list[float]:
    total = sum(counts)
    return [c / total if total else 0.0 for c in counts]


def time_kind(profile: Profile) -> str | None:
    """ "datetime", "time" or "duration" when min/max are ISO strings of times, else None."""
    v = profile.min if isinstance(profile.min, str) else profile.max
    if not isinstance(v, str):
        return None
    if v.startswith("PT"):
        return "duration"
    if len(v) >= 10 and v[4] == "-" and v[7] == "-":
        return "datetime"
    if len(v) >= 8 and v[2] == ":" and v[5] == ":":
        return "time"
    return None


def axis_label(x: float, kind: str | None) -> str:
    """An edge or quantile as text: times (epoch seconds) back as ISO, numbers with 6 digits."""
    if kind == "datetime":
        try:
            stamp = dt.datetime.fromtimestamp(x, dt.UTC).replace(tzinfo=None)
        except (OverflowError, OSError, ValueError):
            return f"{x:.6g}"
        text = stamp.isoformat(timespec="seconds")
        return text.removesuffix("T00:00:00")
    if kind == "time":
        seconds = int(x)
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
    if kind == "duration":
        return f"{x:.6g} s"
    if kind == "relative":
        return f"{x * 100:+.3g}%"
    return f"{x:.6g}"


def _ticks(edges: tuple[float, ...], kind: str | None) -> tuple[Tick, ...]:
    """Labels at up to five bin edges (three when labels are long), ends anchored inside."""
    labels = [axis_label(e, kind) for e in edges]
    n = len(edges) - 1
    parts = 4 if max(len(t) for t in labels) <= 10 else 2
    picks = sorted({round(n * i / parts) for i in range(parts + 1)})
    step = WIDTH / n
    return tuple(
        Tick(round(i * step, 1), labels[i], "start" if i == 0 else "end" if i == n else "middle")
        for i in picks
    )


def _bins(series: list[tuple[str, list[float]]], tips: list[str]) -> tuple[Bin, ...]:
    """Bars of one or two series per bin, side by side, scaled to the highest bar."""
    top = max(v for _, values in series for v in values) or 1.0
    n = len(tips)
    step = WIDTH / n
    gap = min(1.0, step / 8)
    width = (step - 2 * gap) / len(series)
    out = []
    for i, tip in enumerate(tips):
        bars = []
        for j, (name, values) in enumerate(series):
            h = round(HEIGHT * values[i] / top, 1)
            bars.append(Bar(round(i * step + gap + j * width, 2), round(HEIGHT - h, 1),
                            round(width, 2), h, name))  # fmt: skip
        out.append(Bin(tuple(bars), tip))
    return tuple(out)


def _interval(edges: tuple[float, ...], i: int, kind: str | None) -> str:
    lo, hi = axis_label(edges[i], kind), axis_label(edges[i + 1], kind)
    return f"[{lo}, {hi}{']' if i == len(edges) - 2 else ')'}"


def histogram(shift: ColumnShift) -> Histogram | None:
    """Both versions' shares per bin, side by side on the shared bin edges."""
    edges, p, c = shift.bin_edges, shift.production.histogram, shift.candidate.histogram
    if len(edges) < 2 or len(p) != len(edges) - 1 or len(c) != len(p):
        return None
    kind = time_kind(shift.production) or time_kind(shift.candidate)
    ps, cs = _shares(p), _shares(c)
    tips = [
        f"{_interval(edges, i, kind)}  production {pn:,} ({ps[i]:.1%})"
        f"  candidate {cn:,} ({cs[i]:.1%})"
        for i, (pn, cn) in enumerate(zip(p, c, strict=True))
    ]
    top = max([*ps, *cs])
    return Histogram(_bins([("p", ps), ("c", cs)], tips), _ticks(edges, kind), f"{top:.0%}")


def distribution(dist: Distribution, relative: bool = False) -> Histogram | None:
    """A delta distribution: counts per bin, with the median drawn as a line."""
    edges, counts = dist.bin_edges, dist.histogram
    if len(edges) < 2 or len(counts) != len(edges) - 1 or not any(counts):
        return None
    kind = "relative" if relative else None
    tips = [f"{_interval(edges, i, kind)}  {n:,} rows" for i, n in enumerate(counts)]
    marks: tuple[Tick, ...] = ()
    span = edges[-1] - edges[0]
    if dist.median is not None and span > 0 and math.isfinite(span):
        x = round(WIDTH * (dist.median - edges[0]) / span, 1)
        marks = (Tick(min(max(x, 0.0), WIDTH), "median " + axis_label(dist.median, kind), ""),)
    values = [float(n) for n in counts]
    return Histogram(_bins([("d", values)], tips), _ticks(edges, kind), f"{max(counts):,}",
                     marks)  # fmt: skip


def _label(value: JSONValue) -> str:
    text = value_text(value, None)
    return text if len(text) <= MAX_LABEL else text[: MAX_LABEL - 1] + "…"


def top_values(shift: ColumnShift) -> TopChart | None:
    prod, cand = shift.production, shift.candidate
    if not (prod.top or cand.top):
        return None
    p_total, c_total = prod.rows - prod.nulls, cand.rows - cand.nulls
    p_counts = {value_text(t.value, None): t.count for t in prod.top}
    c_counts = {value_text(t.value, None): t.count for t in cand.top}
    values = [t.value for t in prod.top] + [
        t.value for t in cand.top if value_text(t.value, None) not in p_counts
    ]
    shares = []
    for v in values:
        key = value_text(v, None)
        pn, cn = p_counts.get(key, 0), c_counts.get(key, 0)
        ps = pn / p_total if p_total > 0 else 0.0
        cs = cn / c_total if c_total > 0 else 0.0
        shares.append((v, pn, cn, ps, cs))
    p_other = max(1.0 - sum(s[3] for s in shares), 0.0) if p_total > 0 else 0.0
    c_other = max(1.0 - sum(s[4] for s in shares), 0.0) if c_total > 0 else 0.0
    top = max([s[3] for s in shares] + [s[4] for s in shares] + [p_other, c_other]) or 1.0
    rows = []
    for i, (v, pn, cn, ps, cs) in enumerate(shares):
        tip = f"{value_text(v, 200)}: production {pn:,} ({ps:.1%}), candidate {cn:,} ({cs:.1%})"
        rows.append(TopRow(_label(v), tip, i * ROW, round(BAR_WIDTH * ps / top, 1),
                           round(BAR_WIDTH * cs / top, 1)))  # fmt: skip
    if p_other > 1e-12 or c_other > 1e-12:
        tip = f"all other values: production {p_other:.1%}, candidate {c_other:.1%}"
        rows.append(TopRow("(other)", tip, len(rows) * ROW, round(BAR_WIDTH * p_other / top, 1),
                           round(BAR_WIDTH * c_other / top, 1)))  # fmt: skip
    return TopChart(tuple(rows), len(rows) * ROW + 4)
