"""Small views of a Report that the CI renderers (Markdown, JUnit) share. Plain text, no markup."""

from __future__ import annotations

import json
import re

from ..model import DatasetDiff, JSONValue, Reason, Report, VerdictStatus

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


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


def value_text(value: JSONValue, limit: int = 80) -> str:
    """One data value as one line of plain text, control characters shown as \\xNN."""
    if value is None:
        text = "null"
    elif isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, int | float):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    text = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def size(value: int | None) -> str:
    if value is None:
        return "-"
    amount = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if amount < 1024 or unit == "GiB":
            return f"{amount:.0f} {unit}" if unit == "B" else f"{amount:.1f} {unit}"
        amount /= 1024
    return f"{amount:.1f} GiB"
