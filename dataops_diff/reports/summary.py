"""Small views of a Report that every renderer shares, so all say the same thing. Plain text, no
markup: each renderer escapes it for its format.

The decision at a glance: ``decision(report)`` is the verdict in one sentence; ``grouped(report)``
the classified differences by dataset (``DatasetGroup``: ``title``, ``classes``) and by class
(``ClassGroup``: ``classification``, ``mark``, ``heading`` "noise ≈ 2", ``items``), in the order
``CLASSES`` (expected ✓, tolerated ~, noise ≈, unexpected ✗; ``CLASS_MARK``); ``items(report)``
and ``class_counts(report)`` the same, flat. What explains a changed column is in ``columns.py``,
the run table (with the baseline) in ``runs.py``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from ..humanize import size as size  # re-exported: the renderers' one size format
from ..humanize import visible
from ..model import (
    Classification,
    Column,
    DatasetDiff,
    JSONValue,
    Reason,
    Report,
    RowSample,
    Severity,
    VerdictStatus,
)


def dataset_status(report: Report, dataset: str) -> VerdictStatus:
    """The verdict of one dataset: its worst reason."""
    severities = {r.severity for r in report.verdict.reasons if r.dataset == dataset}
    return "FAIL" if "fail" in severities else "WARN" if "warn" in severities else "PASS"


def reasons_for(
    report: Report, rule: str | None = None, dataset: str | None = None
) -> list[Reason]:
    return [
        r
        for r in report.verdict.reasons
        if (rule is None or r.rule == rule) and (dataset is None or r.dataset == dataset)
    ]


def dataset_state(d: DatasetDiff) -> str:
    """What happened to a dataset, in the terminal report's words."""
    if d.status != "compared":
        return d.status.replace("_", " ")
    if d.identical:
        return "identical"
    return "different" if d.has_differences else "same"


def classification(report: Report, dataset: str, column: str) -> str:
    """How the policy classified a column's changed values ("" when it did not)."""
    for f in report.verdict.findings:
        if f.kind == "values" and f.dataset == dataset and f.column == column:
            return f.classification
    return ""


def value_text(value: JSONValue, limit: int | None = 80) -> str:
    """One data value as plain text, invisible characters shown as escapes (``humanize.visible``);
    cut to ``limit`` characters (None: not cut)."""
    if value is None:
        text = "null"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False)
    text = visible(text, lines=True)
    return text if limit is None or len(text) <= limit else text[: limit - 1] + "…"


def count(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def number(value: float | None) -> str:
    if value is None:
        return "-"
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:.6g}"


def seconds(value: float) -> str:
    return f"{value:.1f} s"


@dataclass(frozen=True)
class OneSide:
    """A dataset one version wrote and the other did not: its rows are lost (production only) or
    new (candidate only), and what they held is shown as that version's schema and rows."""

    side: str  # "production" or "candidate"
    rows: int | None  # None: a report from before row counts of one-sided datasets
    columns: tuple[Column, ...]
    samples: tuple[RowSample, ...]

    @property
    def headline(self) -> str:
        """``only in candidate, 75 rows``."""
        rows = "rows not counted" if self.rows is None else f"{self.rows:,} rows"
        return f"only in {self.side}, {rows}"


def one_side(d: DatasetDiff) -> OneSide | None:
    """The one version's view of a dataset the other version lacks; None when both have it."""
    if d.status == "compared":
        return None
    if d.status == "only_in_production":
        columns, samples = d.schema.only_in_production, d.only_in_production_samples
        return OneSide("production", d.production_rows, columns, samples)
    columns, samples = d.schema.only_in_candidate, d.only_in_candidate_samples
    return OneSide("candidate", d.candidate_rows, columns, samples)


def has_group_rows(report: Report) -> bool:
    """Whether some dataset has rows in duplicate-key groups: then every table that shows row
    figures shows those rows too, so that rows = matched + only-in + group rows."""
    return any(
        d.duplicates.production_group_rows or d.duplicates.candidate_group_rows
        for d in report.datasets
    )


def group_rows(d: DatasetDiff) -> str:
    """``3 · 4``: the rows of duplicate-key groups, production then candidate."""
    dup = d.duplicates
    return f"{dup.production_group_rows:,} · {dup.candidate_group_rows:,}"


def row_sums(d: DatasetDiff) -> list[str]:
    """Each side's rows as the sum of the figures that make them up (with duplicate groups)."""
    dup = d.duplicates
    out = []
    for side, rows, only, groups in (
        ("production", d.production_rows, d.only_in_production, dup.production_group_rows),
        ("candidate", d.candidate_rows, d.only_in_candidate, dup.candidate_group_rows),
    ):
        out.append(
            f"{side} {count(rows)} rows = {d.matched_rows:,} matched + {only:,} only in {side} "
            f"+ {groups:,} in duplicate-key groups"
        )
    return out


def group_fields(samples: tuple[RowSample, ...] | list[dict[str, JSONValue]]) -> list[str]:
    """The column names of some rows, in first-seen order."""
    fields: list[str] = []
    for row in samples:
        values = row.values if isinstance(row, RowSample) else row
        fields += [f for f in values if f not in fields]
    return fields


def group_row(value: JSONValue) -> dict[str, JSONValue]:
    """One row of a duplicate-key group sample (an object by column name in the model)."""
    return value if isinstance(value, dict) else {"value": value}


def group_side_rows(value: JSONValue) -> list[dict[str, JSONValue]]:
    """One side's rows of a duplicate-key group sample."""
    return [group_row(v) for v in value] if isinstance(value, list) else []


# ------------------------------------------------------------------ the decision at a glance
CLASSES: tuple[Classification, ...] = ("expected", "tolerated", "noise", "unexpected")
CLASS_MARK: dict[str, str] = {  # by Classification
    "expected": "✓",
    "tolerated": "~",
    "noise": "≈",
    "unexpected": "✗",
}


@dataclass(frozen=True)
class Item:
    """One classified difference: a finding (expected, tolerated, noise) or a reason (unexpected:
    what the verdict rests on, with its severity)."""

    classification: Classification
    message: str
    dataset: str | None = None
    column: str | None = None
    severity: Severity | None = None  # unexpected items only: the reason's
    rule: str | None = None  # unexpected items only: the reason's


@dataclass(frozen=True)
class ClassGroup:
    classification: Classification
    items: tuple[Item, ...]

    @property
    def mark(self) -> str:
        return CLASS_MARK[self.classification]

    @property
    def heading(self) -> str:
        """``unexpected ✗ 4``: the class, its mark and how many differences it holds."""
        return f"{self.classification} {self.mark} {len(self.items):,}"


@dataclass(frozen=True)
class DatasetGroup:
    dataset: str | None  # None: the run (counters, duration, inputs) or the whole comparison
    classes: tuple[ClassGroup, ...]  # in CLASSES order, empty classes left out
    title: str = ""  # the dataset's name; "run" or "all datasets" for the rest

    def count(self, classification: Classification) -> int:
        return sum(len(c.items) for c in self.classes if c.classification == classification)


def items(report: Report) -> list[Item]:
    """Every classified difference once: the reasons (unexpected) and the findings of the other
    classes. A declared column's "changed as declared" stands for its expected value finding."""
    out = [
        Item("unexpected", r.message, r.dataset, r.column, r.severity, r.rule)
        for r in report.verdict.reasons
    ]
    declared = {
        (f.dataset, f.column)
        for f in report.verdict.findings
        if f.kind == "expected_change" and f.classification == "expected" and f.column
    }
    for f in report.verdict.findings:
        if f.classification == "unexpected":
            continue  # its reason says it, with the severity
        if f.kind != "expected_change" and (f.dataset, f.column) in declared:
            continue
        out.append(Item(f.classification, f.message, f.dataset, f.column))
    return out


def class_counts(report: Report) -> dict[Classification, int]:
    """How many differences each class holds, every class present (0 when none)."""
    counts = dict.fromkeys(CLASSES, 0)
    for item in items(report):
        counts[item.classification] += 1
    return counts


def grouped(report: Report) -> tuple[DatasetGroup, ...]:
    """The classified differences by dataset (in report order; the run's last) and by class."""
    found = items(report)
    names = [d.name for d in report.datasets]
    names += sorted({i.dataset for i in found if i.dataset is not None} - set(names))
    order: list[str | None] = [*names, None]
    groups = []
    for dataset in order:
        mine = [i for i in found if i.dataset == dataset]
        classes = tuple(
            ClassGroup(c, tuple(i for i in mine if i.classification == c))
            for c in CLASSES
            if any(i.classification == c for i in mine)
        )
        if classes:
            rest = "run" if report.run is not None else "all datasets"
            groups.append(DatasetGroup(dataset, classes, rest if dataset is None else dataset))
    return tuple(groups)


def decision(report: Report) -> str:
    """The verdict in one sentence: what it rests on, where, and what else was found.

    ``FAIL: 6 unexpected differences (4 fail, 2 warn) in orders, refunds and the run; also
    1 expected, 3 tolerated, 4 noise.``
    """
    verdict = report.verdict
    if verdict.status == "ERROR":
        why = verdict.reasons[0].message if verdict.reasons else "nothing could be compared"
        return f"ERROR: {why}."
    counts = class_counts(report)
    others = [f"{counts[c]:,} {c}" for c in CLASSES[:3] if counts[c]]
    also = ", ".join(others)
    if not counts["unexpected"]:
        if not others:
            return f"{verdict.status}: no differences."
        return f"{verdict.status}: no unexpected differences; {also}."
    n = counts["unexpected"]
    severities = [r.severity for r in verdict.reasons]
    split = ", ".join(f"{severities.count(s):,} {s}" for s in ("fail", "warn") if s in severities)
    places = list(dict.fromkeys(r.dataset for r in verdict.reasons))
    named = [p for p in places if p is not None]
    more = len(named) - 3
    where = named[:3] + ([f"{more} more dataset{'s' * (more != 1)}"] if more > 0 else [])
    where += ["the run"] if None in places else []
    where_text = where[0] if len(where) == 1 else ", ".join(where[:-1]) + " and " + where[-1]
    sentence = f"{verdict.status}: {n:,} unexpected difference{'s' * (n != 1)} ({split}) in "
    return sentence + where_text + (f"; also {also}." if also else ".")
