"""Small views of a Report that the CI renderers (Markdown, JUnit) share. Plain text, no markup."""

from __future__ import annotations

import json

from ..humanize import size as size  # re-exported: the renderers' one size format
from ..humanize import visible
from ..model import DatasetDiff, JSONValue, Reason, Report, VerdictStatus


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
