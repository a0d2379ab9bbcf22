"""What explains one changed column, for the HTML report: its value transitions, the distribution
of the change, the segments where changed rows concentrate, and the noise floor beside it.

Every figure comes from the model (exact counts computed by the engine); this module only orders,
bounds and words them. Plain text only: the templates escape every string.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import ColumnDiff, ColumnFloor, DeltaDistribution, Report, Segment
from . import columns, summary
from . import html_charts as charts
from .html_rows import Cell, cell, showing

MAX_TRANSITIONS = 12
MAX_SEGMENTS = 3
MAX_EXPLAIN_OPEN = 5  # explanations of the most changed columns shown expanded
SEGMENT_VALUE = 60  # characters of a segment's column name or value in its sentence


@dataclass(frozen=True)
class TransitionRow:
    production: Cell
    candidate: Cell
    count: int
    share: str  # of the column's changed rows


@dataclass(frozen=True)
class SegmentRow:
    sentence: str  # "98% of changed rows have country = 'DE' (8.9× its share)"
    segment: Segment
    share: str
    base_share: str
    lift: str


@dataclass(frozen=True)
class Delta:
    absolute: charts.Histogram | None
    relative: charts.Histogram | None
    stats: tuple[tuple[str, str, str], ...]  # (label, absolute, relative)


@dataclass(frozen=True)
class Explain:
    """A changed column (or one with a noise floor), explained."""

    col: ColumnDiff
    anchor: str
    noise: bool  # the policy classified its change as noise only
    nulls: str  # "value → null: 14, null → value: 0"
    transitions: tuple[TransitionRow, ...]
    transitions_shown: str
    delta: Delta | None
    segments: tuple[SegmentRow, ...]
    floor: ColumnFloor | None
    floor_text: str  # the floor and what it makes of the change ("" without a floor)
    open: bool

    @property
    def empty(self) -> bool:
        return not (self.transitions or self.delta or self.segments or self.floor)


def share(x: float) -> str:
    """A share as a whole percentage that never rounds a difference away (``<1%``, ``>99%``)."""
    if 0 < x < 0.005:
        return "<1%"
    if 0.995 <= x < 1:
        return ">99%"
    return f"{x:.0%}"


def _nulls(col: ColumnDiff) -> str:
    """``value → null: 14, null → value: 0``; empty when no null changed."""
    return columns.nulls(col) if col.value_to_null or col.null_to_value else ""


def _delta(delta: DeltaDistribution | None) -> Delta | None:
    if delta is None:
        return None
    a, r = delta.absolute, delta.relative

    def num(x: float | None, relative: bool) -> str:
        return "—" if x is None else charts.axis_label(x, "relative" if relative else None)

    stats = [("rows", f"{a.count:,}", "—" if r is None else f"{r.count:,}")]
    for label in ("min", "median", "max"):
        stats.append((label, num(getattr(a, label), False),
                      "—" if r is None else num(getattr(r, label), True)))  # fmt: skip
    relative = charts.distribution(r, relative=True) if r is not None else None
    return Delta(charts.distribution(a), relative, tuple(stats))


def explain(report: Report, dataset: str, col: ColumnDiff, anchor: str, rank: int) -> Explain:
    """``rank``: the column's place among changed columns by impact (the first ones open)."""
    changed = max(col.unequal, 1)
    transitions = tuple(
        TransitionRow(cell(t.production), cell(t.candidate), t.count, share(t.count / changed))
        for t in col.transitions[:MAX_TRANSITIONS]
    )  # fmt: skip
    total = max(col.transitions_total, len(col.transitions))
    segments = tuple(
        SegmentRow(columns.segment(s, SEGMENT_VALUE), s, columns.percent(s.share, False),
                   columns.percent(s.base_share, False),
                   "—" if s.lift is None else f"{s.lift:.3g}×")
        for s in col.segments[:MAX_SEGMENTS]
    )  # fmt: skip
    column_floor = columns.column_floor(report, dataset, col.name)
    noise = summary.classification(report, dataset, col.name) == "noise"
    has_floor = columns.dataset_floor(report, dataset) is not None
    return Explain(
        col=col,
        anchor=anchor,
        noise=noise,
        nulls=_nulls(col),
        transitions=transitions,
        transitions_shown=showing(len(transitions), total, "transitions"),
        delta=_delta(col.delta),
        segments=segments,
        floor=column_floor,
        floor_text=columns.floor_judged(report, dataset, col.name) if has_floor else "",
        open=rank < MAX_EXPLAIN_OPEN and not noise,
    )
