"""What the HTML templates show of one dataset, computed from the Report: order, bounds, charts.

Columns are sorted by impact; columns whose change the policy classified as noise only (within
the floor a baseline run learnt, issue 15) are kept apart from real changes. Plain text only: the
templates escape every string (jinja2 autoescape), so nothing here is markup.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..model import Classification, ColumnDiff, ColumnFloor, DatasetDiff, DatasetFloor, Report
from . import columns, html_explain, html_profile, summary
from .html_explain import Explain
from .html_glance import status_of
from .html_profile import Chart
from .html_rows import (
    MAX_SAMPLES,
    Cell,
    FullRows,
    GroupTable,
    RowTable,
    cell,
    full_rows,
    group_table,
    row_table,
)
from .summary import OneSide, one_side, row_sums

MAX_COLUMNS_OPEN = 25  # column table rows shown before "N more columns"
MAX_CHARTS_OPEN = 8  # charts of the most changed columns shown expanded
MAX_SAMPLE_COLUMNS = 30  # columns whose sample rows are shown
MAX_EXPLAINED = 20  # changed columns explained (and as many noise columns), most changed first
MAX_CHARTS = 50  # columns whose distribution is drawn
NOTABLE_SHIFT = 0.1  # PSI or TVD from which a chart opens by itself
_CLASS_ORDER = {"unexpected": 0, "tolerated": 1, "expected": 2, "noise": 3}


@dataclass(frozen=True)
class Sample:
    key: tuple[Cell, ...]
    production: Cell
    candidate: Cell


@dataclass(frozen=True)
class ColumnView:
    col: ColumnDiff
    anchor: str
    match_rate: float | None
    shift_label: str
    classes: tuple[tuple[str, int], ...]  # (classification, findings)
    samples: tuple[Sample, ...]
    floor: ColumnFloor | None  # the column's noise floor, when a baseline run learnt one
    noise: bool  # the policy classified its change as noise only


@dataclass(frozen=True)
class DatasetView:
    d: DatasetDiff
    anchor: str
    status: str  # PASS / WARN / FAIL / ERROR from the verdict's reasons for this dataset
    columns: tuple[ColumnView, ...]  # real changes and unchanged columns, by impact
    noise_columns: tuple[ColumnView, ...]  # changes within the noise floor
    explained: tuple[Explain, ...]  # changed columns with something that explains them
    noise_explained: tuple[Explain, ...]  # the same of noise columns
    more_explained: int  # changed columns (real or noise) left unexplained by the bound
    more_charts: int
    floor: DatasetFloor | None
    has_floor: bool  # a baseline was run or given: every column beside its floor
    charts: tuple[Chart, ...]
    key_charts: tuple[Chart, ...]
    findings: tuple[tuple[str, str], ...]  # dataset-level (classification, message)
    sample_columns: tuple[ColumnView, ...]
    more_sample_columns: int
    full_rows: FullRows | None
    only_in_production: RowTable
    only_in_candidate: RowTable
    one_side: OneSide | None  # the one version's view of a dataset the other lacks
    row_sums: tuple[str, ...]  # each side's rows as matched + only-in + group rows (with groups)
    groups: GroupTable | None


def _impact(v: ColumnView) -> tuple[int, int, int, float, str]:
    c = v.col
    return (
        min((_CLASS_ORDER.get(k, 4) for k, _ in v.classes), default=4),
        -c.unequal,
        -(c.null_to_value + c.value_to_null),
        -html_profile.shift_size(c.shift),
        c.name,
    )


def _column(
    report: Report,
    dataset: str,
    col: ColumnDiff,
    anchor: str,
    found: Counter[tuple[str | None, Classification]],
    floor: DatasetFloor | None,
) -> ColumnView:
    classes = tuple(
        sorted(((k, n) for (c, k), n in found.items() if c == col.name),
               key=lambda kn: _CLASS_ORDER.get(kn[0], 4))
    )  # fmt: skip
    rate = 1 - col.unequal / col.compared if col.compared else None
    samples = tuple(
        Sample(tuple(cell(v) for v in s.key.values()), cell(s.production, s.candidate, True),
               cell(s.candidate, s.production, True))
        for s in col.samples[:MAX_SAMPLES]
    )  # fmt: skip
    noise = summary.classification(report, dataset, col.name) == "noise"
    column_floor = floor.column(col.name) if floor is not None else None
    return ColumnView(col, anchor, rate, html_profile.shift_label(col.shift), classes, samples,
                      column_floor, noise)  # fmt: skip


def dataset_view(report: Report, index: int, d: DatasetDiff) -> DatasetView:
    anchor = f"d{index}"
    floor = columns.dataset_floor(report, d.name)
    found = Counter(
        (f.column, f.classification) for f in report.verdict.findings if f.dataset == d.name
    )
    views = sorted(
        (
            _column(report, d.name, col, f"{anchor}-c{i}", found, floor)
            for i, col in enumerate(d.columns)
        ),
        key=_impact,
    )
    explained: list[Explain] = []
    for v in views:
        if v.col.changed:
            rank = len([e for e in explained if not e.noise])
            e = html_explain.explain(report, d.name, v.col, v.anchor + "-why", rank)
            if not e.empty:
                explained.append(e)
    real = [e for e in explained if not e.noise]
    noisy = [e for e in explained if e.noise]
    with_shift = [v for v in views if v.col.shift is not None]
    notable = [
        v for v in with_shift
        if not v.noise and (v.col.unequal or html_profile.shift_size(v.col.shift) >= NOTABLE_SHIFT)
    ]  # fmt: skip
    opened = {v.col.name for v in notable[:MAX_CHARTS_OPEN]}
    chart_list = tuple(
        html_profile.chart(v.col.name, v.anchor, v.col.shift, v.col.name in opened)
        for v in with_shift[:MAX_CHARTS]
        if v.col.shift is not None
    )
    key_charts = tuple(
        html_profile.chart(name, f"{anchor}-k{i}", shift, False)
        for i, (name, shift) in enumerate(d.key_shifts)
    )
    with_samples = [v for v in views if v.samples and not v.noise]
    return DatasetView(
        d=d,
        anchor=anchor,
        status=status_of([r for r in report.verdict.reasons if r.dataset == d.name]),
        columns=tuple(v for v in views if not v.noise),
        noise_columns=tuple(v for v in views if v.noise),
        explained=tuple(real[:MAX_EXPLAINED]),
        noise_explained=tuple(noisy[:MAX_EXPLAINED]),
        more_explained=max(len(real) - MAX_EXPLAINED, 0) + max(len(noisy) - MAX_EXPLAINED, 0),
        more_charts=max(len(with_shift) - MAX_CHARTS, 0),
        floor=floor,
        has_floor=columns.has_floor(report),
        charts=chart_list,
        key_charts=key_charts,
        findings=tuple(
            (f.classification, f.message)
            for f in report.verdict.findings
            if f.dataset == d.name and f.column is None
        ),
        sample_columns=tuple(with_samples[:MAX_SAMPLE_COLUMNS]),
        more_sample_columns=max(len(with_samples) - MAX_SAMPLE_COLUMNS, 0),
        full_rows=full_rows(d),
        only_in_production=row_table(d.only_in_production_samples, d.key, d.only_in_production),
        only_in_candidate=row_table(d.only_in_candidate_samples, d.key, d.only_in_candidate),
        one_side=one_side(d),
        row_sums=tuple(row_sums(d)) if _has_groups(d) else (),
        groups=group_table(d),
    )


def _has_groups(d: DatasetDiff) -> bool:
    dup = d.duplicates
    return bool(dup.production_group_rows or dup.candidate_group_rows or dup.samples)
