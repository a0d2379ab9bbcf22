"""Both versions' profile of a column for the HTML report: the chart, the statistics table and
the shift measures, shown only where they mean something.

PSI and KS compare binned distributions; on a unique, id-like column (distinct values ≈ rows) the
bins only say the ids moved, which is not a shift of anything, so those measures are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import ColumnShift, JSONValue, Profile
from . import html_charts as charts
from .html_rows import cut
from .summary import value_text

SAMPLED_QUANTILES = 65_536  # beyond this many rows, quantiles come from a sample (html-report.md)
ID_LIKE = 0.95  # distinct / non-null values from which a column reads as an id
ID_LIKE_MIN_ROWS = 20  # below, a handful of unique values is no evidence of an id


def _discrete(p: Profile) -> bool:
    """Integers or plain strings (not floats, decimals or times, whose values are unique anyway
    and whose binned distribution means something). Read from the profile's own values."""
    if isinstance(p.min, bool) or p.min is None:
        return False
    if isinstance(p.min, int):
        return True
    return isinstance(p.min, str) and p.mean is None and charts.time_kind(p) is None


def id_like(shift: ColumnShift | None) -> bool:
    """Integers or strings unique in both versions (distinct ≈ non-null rows): an id, whose
    binned distribution only says that ids moved on."""
    if shift is None:
        return False

    def unique(p: Profile) -> bool:
        values = p.rows - p.nulls
        if p.distinct is None or values < ID_LIKE_MIN_ROWS or not _discrete(p):
            return False
        return p.distinct >= ID_LIKE * values

    return unique(shift.production) and unique(shift.candidate)


def shift_label(shift: ColumnShift | None) -> str:
    if shift is None:
        return ""
    if id_like(shift):
        return "id-like"
    if shift.psi is not None:
        return f"PSI {shift.psi:.3g} · KS {shift.ks or 0:.3g}"
    if shift.tvd is not None:
        return f"TVD {shift.tvd:.3g}"
    return ""


def shift_size(shift: ColumnShift | None) -> float:
    if shift is None or id_like(shift):
        return abs(shift.null_share_change or 0.0) if shift is not None else 0.0
    return max(shift.psi or 0.0, shift.tvd or 0.0, abs(shift.null_share_change or 0.0))


@dataclass(frozen=True)
class Chart:
    name: str
    anchor: str
    shift: ColumnShift
    histogram: charts.Histogram | None
    top: charts.TopChart | None
    stats: tuple[tuple[str, str, str], ...]  # (label, production, candidate)
    label: str  # the shift measures worth reading, or "id-like"
    open: bool


def _pct(n: int, total: int) -> str:
    return f"{n:,}" if not total else f"{n:,} ({n / total:.1%})"


def _opt(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def _extreme(value: JSONValue) -> str:
    """A min or max: floats to 6 significant digits, other values as they are (cut)."""
    if isinstance(value, float):
        return f"{value:.6g}"
    return cut(value_text(value, None), 40)


def stats(shift: ColumnShift) -> tuple[tuple[str, str, str], ...]:
    kind = charts.time_kind(shift.production) or charts.time_kind(shift.candidate)

    def num(x: float | None) -> str:
        return "—" if x is None else charts.axis_label(x, kind)

    def q(p: Profile, at: float) -> str:
        return num(next((v for qq, v in p.quantiles if qq == at), None))

    p, c = shift.production, shift.candidate
    rows = [
        ("rows", f"{p.rows:,}", f"{c.rows:,}"),
        ("nulls", _pct(p.nulls, p.rows), _pct(c.nulls, c.rows)),
    ]
    if p.nonfinite or c.nonfinite:
        rows.append(("NaN / ±inf", _pct(p.nonfinite, p.rows), _pct(c.nonfinite, c.rows)))
    if p.distinct is not None or c.distinct is not None:
        rows.append(("distinct (approx.)", _opt(p.distinct), _opt(c.distinct)))
    if p.min is not None or c.min is not None:
        rows.append(("min", _extreme(p.min), _extreme(c.min)))
    sampled = " (sampled)" if max(p.rows, c.rows) > SAMPLED_QUANTILES else ""
    for label, at in (("5th percentile", 0.05), ("median", 0.5), ("95th percentile", 0.95)):
        if p.quantiles or c.quantiles:
            rows.append((label + sampled, q(p, at), q(c, at)))
    if p.max is not None or c.max is not None:
        rows.append(("max", _extreme(p.max), _extreme(c.max)))
    if p.mean is not None or c.mean is not None:
        rows.append(("mean", num(p.mean), num(c.mean)))
        rows.append(("std", num(p.std), num(c.std)))
    return tuple(rows)


def chart(name: str, anchor: str, shift: ColumnShift, open_: bool) -> Chart:
    return Chart(name, anchor, shift, charts.histogram(shift), charts.top_values(shift),
                 stats(shift), shift_label(shift), open_)  # fmt: skip
