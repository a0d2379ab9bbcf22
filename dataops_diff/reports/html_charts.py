"""Chart geometry for the HTML report: numbers only, drawn as inline SVG by the templates.

Both versions are drawn as shares of their own values (so 1M rows and 900k rows compare), on the
same axis: overlaid histogram bars on the shared bin edges for numbers and times, paired horizontal
bars for the most frequent values of strings, categories and booleans.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..model import ColumnShift, JSONValue, Profile
from .summary import value_text

WIDTH = 320  # drawing area of a histogram, px
HEIGHT = 96
LABEL_WIDTH = 140  # value labels of a top-values chart
BAR_WIDTH = 200
ROW = 16  # px per value of a top-values chart
MAX_LABEL = 20  # characters of a value label


@dataclass(frozen=True)
class Bin:
    x: float
    width: float
    production_height: float
    candidate_height: float
    tip: str  # tooltip text (escaped by the template)


@dataclass(frozen=True)
class Histogram:
    bins: tuple[Bin, ...]
    low: str  # axis labels
    high: str
    width: int = WIDTH
    height: int = HEIGHT


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
    return f"{x:.6g}"


def histogram(shift: ColumnShift) -> Histogram | None:
    edges, p, c = shift.bin_edges, shift.production.histogram, shift.candidate.histogram
    if len(edges) < 2 or len(p) != len(edges) - 1 or len(c) != len(p):
        return None
    kind = time_kind(shift.production) or time_kind(shift.candidate)
    ps, cs = _shares(p), _shares(c)
    top = max([*ps, *cs]) or 1.0
    step = WIDTH / len(p)
    bins = []
    for i, (pn, cn) in enumerate(zip(p, c, strict=True)):
        lo, hi = axis_label(edges[i], kind), axis_label(edges[i + 1], kind)
        tip = (
            f"[{lo}, {hi}{']' if i == len(p) - 1 else ')'}  production {pn:,} ({ps[i]:.1%})"
            f"  candidate {cn:,} ({cs[i]:.1%})"
        )
        bins.append(Bin(round(i * step, 1), round(step, 1), round(HEIGHT * ps[i] / top, 1),
                        round(HEIGHT * cs[i] / top, 1), tip))  # fmt: skip
    return Histogram(tuple(bins), axis_label(edges[0], kind), axis_label(edges[-1], kind))


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
