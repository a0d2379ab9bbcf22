"""What explains a changed column, in the words every renderer shares (plain text, no markup).

Value transitions, the distribution of the change, the segments where changed rows concentrate
and the noise floor beside the column. Each renderer escapes the result for its own format; values
from data come through ``summary.value_text`` (invisible characters shown as escapes, long values
cut with a visible ``…``: the full value is in the row samples and the JSON report).
"""

from __future__ import annotations

from ..model import (
    ColumnDiff,
    ColumnFloor,
    DatasetFloor,
    DeltaDistribution,
    Distribution,
    JSONValue,
    Report,
    Segment,
    Transition,
)
from .summary import CLASS_MARK as CLASS_MARK  # re-exported: the renderers' class marks
from .summary import classification, value_text

ARROW = "→"
VALUE_LIMIT = 40  # characters of a value in a one-line explanation


def showing(shown: int, total: int) -> str:
    """``showing 3 of 8``: every bounded list says how much it left out."""
    return f"showing {shown:,} of {total:,}"


def value(v: JSONValue, limit: int | None = VALUE_LIMIT) -> str:
    """A value in a sentence: null as ``null``, an empty string as ``''``."""
    if v is None:
        return "null"
    return value_text(v, limit) or "''"


def quoted(v: JSONValue, limit: int | None = VALUE_LIMIT) -> str:
    """A value that could read as a word of the sentence: strings in quotes (``'DE'``)."""
    return f"'{value_text(v, limit)}'" if isinstance(v, str) else value(v, limit)


def transition(t: Transition, limit: int | None = VALUE_LIMIT) -> str:
    """``High → Low: 12``."""
    return f"{value(t.production, limit)} {ARROW} {value(t.candidate, limit)}: {t.count:,}"


def transitions(c: ColumnDiff, top: int = 3, limit: int | None = VALUE_LIMIT) -> str:
    """``High → Low: 12 · Medium → High: 9 (showing 2 of 8 pairs)``; "" when there are none."""
    shown = c.transitions[:top]
    if not shown:
        return ""
    text = " · ".join(transition(t, limit) for t in shown)
    total = max(c.transitions_total, len(c.transitions))
    return text if total == len(shown) else f"{text} ({showing(len(shown), total)} pairs)"


def nulls(c: ColumnDiff) -> str:
    """``value → null: 14, null → value: 0``: how much of the change is nulls appearing or going."""
    return f"value {ARROW} null: {c.value_to_null:,}, null {ARROW} value: {c.null_to_value:,}"


def signed(x: float | None) -> str:
    return "-" if x is None else "0" if x == 0 else f"{x:+.6g}"


def percent(x: float | None, signed_: bool = True) -> str:
    if x is None:
        return "-"
    text = f"{100 * x:+.3g}%" if signed_ else f"{100 * x:.3g}%"
    return "0%" if x == 0 else text


def distribution(d: Distribution, relative: bool = False) -> str:
    """``median +1.25, min -3.5, max +12.5``."""
    fmt = percent if relative else signed
    return f"median {fmt(d.median)}, min {fmt(d.min)}, max {fmt(d.max)}"


def delta(d: DeltaDistribution | None) -> str:
    """The change, candidate - production, over the changed rows with a number on both sides."""
    if d is None or not d.absolute.count:
        return ""
    n = d.absolute.count
    text = f"candidate - production over {n:,} row{'s' * (n != 1)}: {distribution(d.absolute)}"
    if d.relative is not None and d.relative.count:
        text += f"; relative: {distribution(d.relative, relative=True)}"
    return text


def segment(s: Segment, limit: int | None = VALUE_LIMIT) -> str:
    """``87.5% of changed rows have country = 'DE' (4.35× its share of all rows, 20.1%)``."""
    lift = "" if s.lift is None else f"{s.lift:.3g}× "
    return (
        f"{percent(s.share, False)} of changed rows have {value_text(s.column, limit)} = "
        f"{quoted(s.value, limit)} ({lift}its share of all rows, {percent(s.base_share, False)})"
    )


# ---------------------------------------------------------------------------- the noise floor
def dataset_floor(report: Report, dataset: str) -> DatasetFloor | None:
    return next((f for f in report.floor if f.name == dataset), None)


def column_floor(report: Report, dataset: str, column: str) -> ColumnFloor | None:
    found = dataset_floor(report, dataset)
    return found.column(column) if found is not None else None


NO_FLOOR = "not measured (the baseline has no floor for this dataset)"


def has_floor(report: Report) -> bool:
    """Whether a baseline was run (or given): then every column is shown beside its floor."""
    return bool(report.floor) or report.baseline is not None


def floor(f: ColumnFloor | None) -> str:
    """The column's noise floor in a sentence: what changed between production and its baseline.

    ``volatile in the baseline (995 of 995 rows)``, ``310 of 995 rows in the baseline (31.2%),
    max abs diff 5e-10``, ``unchanged in the baseline``.
    """
    if f is None or not f.unequal:
        return "unchanged in the baseline"
    rows = f"{f.unequal:,} of {f.compared:,} rows"
    if f.volatile:
        return f"volatile in the baseline ({rows})"
    text = f"{rows} in the baseline ({percent(f.changed_share, False)})"
    if f.max_abs_diff is not None:
        text += f", max abs diff {f.max_abs_diff:.3g}"
    return text


def floor_judged(report: Report, dataset: str, column: str) -> str:
    """The floor and what it says of the candidate's change: noise, or a real change.

    ``volatile in the baseline (995 of 995 rows): noise``, ``unchanged in the baseline: a real
    change``, ``310 of 995 rows in the baseline (31.2%), max abs diff 5e-10: exceeded, a real
    change``. The policy decides (a column is noise when its finding says so); this says why.
    """
    if dataset_floor(report, dataset) is None:
        return NO_FLOOR
    f = column_floor(report, dataset, column)
    noise = classification(report, dataset, column) == "noise"
    if noise:
        return f"{floor(f)}: noise"
    if f is None or not f.unequal:
        return f"{floor(f)}: a real change"
    return f"{floor(f)}: exceeded, a real change"


def floor_cell(report: Report, dataset: str, column: str) -> str:
    """The floor in a table cell: ``volatile``, ``31.2% ≤ 5e-10``, ``unchanged``, or ``-`` when
    the baseline has no floor for the dataset."""
    if dataset_floor(report, dataset) is None:
        return "-"
    f = column_floor(report, dataset, column)
    if f is None or not f.unequal:
        return "unchanged"
    if f.volatile:
        return "volatile"
    bound = f" ≤ {f.max_abs_diff:.3g}" if f.max_abs_diff is not None else ""
    return f"{percent(f.changed_share, False)}{bound}"
