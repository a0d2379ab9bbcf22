"""What the HTML templates show, computed from the Report: order, bounds, highlights, charts.

Plain text only: the templates escape every string (jinja2 autoescape), so nothing here is markup.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..model import ColumnDiff, ColumnShift, DatasetDiff, JSONValue, Profile, Report, RowSample
from . import html_charts as charts
from .summary import OneSide, group_fields, group_side_rows, one_side, row_sums, value_text

SAMPLED_QUANTILES = 65_536  # beyond this many rows, quantiles come from a sample (html-report.md)

MAX_COLUMNS_OPEN = 25  # column table rows shown before "N more columns"
MAX_CHARTS_OPEN = 8  # charts of the most changed columns shown expanded
MAX_SAMPLE_COLUMNS = 30  # columns whose sample rows are shown
MAX_SAMPLES = 10  # rows per sample table
MAX_ROW_COLUMNS = 40  # columns of a one-side row sample
MAX_CELL = 120  # characters of a value shown in a cell (the title holds up to MAX_TITLE)
MAX_TITLE = 500
NOTABLE_SHIFT = 0.1  # PSI or TVD from which a chart opens by itself
_CLASS_ORDER = {"unexpected": 0, "tolerated": 1, "expected": 2}


@dataclass(frozen=True)
class Cell:
    """A value from data, split for highlighting: ``pre`` + marked ``mid`` + ``post``."""

    pre: str
    mid: str
    post: str
    title: str
    null: bool = False


@dataclass(frozen=True)
class Sample:
    key: tuple[Cell, ...]
    production: Cell
    candidate: Cell


@dataclass(frozen=True)
class Chart:
    name: str
    anchor: str
    shift: ColumnShift
    histogram: charts.Histogram | None
    top: charts.TopChart | None
    stats: tuple[tuple[str, str, str], ...]  # (label, production, candidate)
    open: bool


@dataclass(frozen=True)
class ColumnView:
    col: ColumnDiff
    anchor: str
    match_rate: float | None
    shift_label: str
    classes: tuple[tuple[str, int], ...]  # (classification, findings)
    samples: tuple[Sample, ...]


@dataclass(frozen=True)
class RowTable:
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    more_rows: int
    more_columns: int


@dataclass(frozen=True)
class GroupTable:
    """The first differing duplicate-key groups: key columns, the version, then row columns."""

    keys: tuple[str, ...]
    columns: tuple[str, ...]
    rows: tuple[tuple[tuple[Cell, ...], str, tuple[Cell, ...]], ...]  # (key, version, values)
    shown: int  # groups shown
    total: int  # groups that differ
    more_columns: int


@dataclass(frozen=True)
class DatasetView:
    d: DatasetDiff
    anchor: str
    status: str  # PASS / WARN / FAIL from the verdict's reasons for this dataset
    columns: tuple[ColumnView, ...]  # by impact
    charts: tuple[Chart, ...]
    key_charts: tuple[Chart, ...]
    findings: tuple[tuple[str, str], ...]  # dataset-level (classification, message)
    sample_columns: tuple[ColumnView, ...]
    more_sample_columns: int
    only_in_production: RowTable
    only_in_candidate: RowTable
    one_side: OneSide | None  # the one version's view of a dataset the other lacks
    row_sums: tuple[str, ...]  # each side's rows as matched + only-in + group rows (with groups)
    groups: GroupTable | None


def cell(value: JSONValue, other: JSONValue = None, highlight: bool = False) -> Cell:
    """A value as text; with ``highlight``, the part that differs from ``other`` is marked."""
    text, title = value_text(value, None), value_text(value, None)[:MAX_TITLE]
    if value is None:
        return Cell("", "null" if highlight else "", "" if highlight else "null", title, True)
    if not highlight:
        return Cell(_cut(text, MAX_CELL), "", "", title)
    if not (isinstance(value, str) and isinstance(other, str)):
        return Cell("", _cut(text, MAX_CELL), "", title)
    start = 0
    while start < min(len(value), len(other)) and value[start] == other[start]:
        start += 1
    end = 0
    limit = min(len(value), len(other)) - start
    while end < limit and value[-1 - end] == other[-1 - end]:
        end += 1
    pre, mid, post = value[:start], value[start : len(value) - end], value[len(value) - end :]
    pre = pre if len(pre) <= 30 else "…" + pre[-29:]
    return Cell(pre, _cut(mid, MAX_CELL - 60) or "", _cut(post, 30), title)


def _cut(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _shift_label(shift: ColumnShift | None) -> str:
    if shift is None:
        return ""
    if shift.psi is not None:
        return f"PSI {shift.psi:.3g} · KS {shift.ks or 0:.3g}"
    if shift.tvd is not None:
        return f"TVD {shift.tvd:.3g}"
    return ""


def _shift_size(shift: ColumnShift | None) -> float:
    if shift is None:
        return 0.0
    return max(shift.psi or 0.0, shift.tvd or 0.0, abs(shift.null_share_change or 0.0))


def _pct(n: int, total: int) -> str:
    return f"{n:,}" if not total else f"{n:,} ({n / total:.1%})"


def _stats(shift: ColumnShift) -> tuple[tuple[str, str, str], ...]:
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


def _extreme(value: JSONValue) -> str:
    """A min or max: floats to 6 significant digits, other values as they are (cut)."""
    if isinstance(value, float):
        return f"{value:.6g}"
    return _cut(value_text(value, None), 40)


def _opt(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def _chart(name: str, anchor: str, shift: ColumnShift, open_: bool) -> Chart:
    return Chart(name, anchor, shift, charts.histogram(shift), charts.top_values(shift),
                 _stats(shift), open_)  # fmt: skip


def _row_table(samples: tuple[RowSample, ...], key: tuple[str, ...]) -> RowTable:
    names: list[str] = [k for k in key if any(k in s.values for s in samples)]
    for s in samples:
        names.extend(n for n in s.values if n not in names)
    shown = names[:MAX_ROW_COLUMNS]
    rows = tuple(
        tuple(cell(s.values.get(n)) for n in shown) for s in samples[:MAX_SAMPLES]
    )  # fmt: skip
    return RowTable(tuple(shown), rows, max(len(samples) - MAX_SAMPLES, 0), len(names) - len(shown))


def _group_table(d: DatasetDiff) -> GroupTable | None:
    dup = d.duplicates
    if not dup.samples:
        return None
    groups = dup.samples[:MAX_SAMPLES]
    keys = list(groups[0].key)
    fields: list[str] = []
    for g in groups:
        for side in (g.production, g.candidate):
            fields += [f for f in group_fields(group_side_rows(side)) if f not in fields]
    fields = [f for f in fields if f not in keys]
    shown = fields[:MAX_ROW_COLUMNS]
    rows = tuple(
        (tuple(cell(g.key.get(k)) for k in keys), side, tuple(cell(r.get(f)) for f in shown))
        for g in groups
        for side, value in (("production", g.production), ("candidate", g.candidate))
        for r in group_side_rows(value)[:MAX_SAMPLES]
    )
    return GroupTable(
        tuple(keys), tuple(shown), rows, len(groups), dup.groups_differing, len(fields) - len(shown)
    )


def _dataset_status(report: Report, name: str) -> str:
    severities = {r.severity for r in report.verdict.reasons if r.dataset == name}
    return "FAIL" if "fail" in severities else "WARN" if "warn" in severities else "PASS"


def dataset_view(report: Report, index: int, d: DatasetDiff) -> DatasetView:
    anchor = f"d{index}"
    found = Counter(
        (f.column, f.classification) for f in report.verdict.findings if f.dataset == d.name
    )
    columns = []
    for i, col in enumerate(d.columns):
        classes = tuple(
            sorted(((k, n) for (c, k), n in found.items() if c == col.name),
                   key=lambda kn: _CLASS_ORDER.get(kn[0], 3))
        )  # fmt: skip
        rate = 1 - col.unequal / col.compared if col.compared else None
        samples = tuple(
            Sample(tuple(cell(v) for v in s.key.values()), cell(s.production, s.candidate, True),
                   cell(s.candidate, s.production, True))
            for s in col.samples[:MAX_SAMPLES]
        )  # fmt: skip
        columns.append(
            ColumnView(col, f"{anchor}-c{i}", rate, _shift_label(col.shift), classes, samples)
        )
    columns.sort(key=lambda v: (
        min((_CLASS_ORDER.get(k, 3) for k, _ in v.classes), default=3),
        -v.col.unequal, -(v.col.null_to_value + v.col.value_to_null), -_shift_size(v.col.shift),
        v.col.name,
    ))  # fmt: skip
    with_shift = [v for v in columns if v.col.shift is not None]
    notable = [v for v in with_shift if v.col.unequal or _shift_size(v.col.shift) >= NOTABLE_SHIFT]
    opened = {v.col.name for v in notable[:MAX_CHARTS_OPEN]}
    chart_list = tuple(
        _chart(v.col.name, v.anchor, v.col.shift, v.col.name in opened)
        for v in with_shift
        if v.col.shift is not None
    )
    key_charts = tuple(
        _chart(name, f"{anchor}-k{i}", shift, False) for i, (name, shift) in enumerate(d.key_shifts)
    )
    with_samples = [v for v in columns if v.samples]
    return DatasetView(
        d=d,
        anchor=anchor,
        status=_dataset_status(report, d.name),
        columns=tuple(columns),
        charts=chart_list,
        key_charts=key_charts,
        findings=tuple(
            (f.classification, f.message)
            for f in report.verdict.findings
            if f.dataset == d.name and f.column is None
        ),
        sample_columns=tuple(with_samples[:MAX_SAMPLE_COLUMNS]),
        more_sample_columns=max(len(with_samples) - MAX_SAMPLE_COLUMNS, 0),
        only_in_production=_row_table(d.only_in_production_samples, d.key),
        only_in_candidate=_row_table(d.only_in_candidate_samples, d.key),
        one_side=one_side(d),
        row_sums=tuple(row_sums(d)) if _has_groups(d) else (),
        groups=_group_table(d),
    )


def _has_groups(d: DatasetDiff) -> bool:
    dup = d.duplicates
    return bool(dup.production_group_rows or dup.candidate_group_rows or dup.samples)
