"""The Markdown report: a concise pull-request comment (GitHub-flavoured Markdown).

The decision first (one sentence, then the differences by dataset and class with counts), then
the declared changes, the runs, one table of datasets, and per dataset its schema changes, changed
columns (transitions, value -> null, the noise floor) and collapsible explanations and samples
(``markdown_detail``). Every value from data goes through ``text()`` (inline Markdown) or
``attr()`` (inside HTML tags): neither a pipe, a backtick, HTML nor a newline in a value can
change the document's structure.
"""

from __future__ import annotations

import html

from ..model import Report
from . import runs
from . import summary as s
from .markdown_detail import MAX_SAMPLE_COLUMNS as MAX_SAMPLE_COLUMNS
from .markdown_detail import MAX_SAMPLES as MAX_SAMPLES
from .markdown_detail import dataset_section, one_side_section
from .markdown_escape import REFERENCE, attr
from .markdown_escape import cell as cell
from .markdown_escape import text as text

MAX_REASONS = 20
MAX_DATASETS = 10

ICON = {
    "PASS": "✅",
    "WARN": "⚠️",
    "FAIL": "❌",
    "ERROR": "⛔",
    "error": "⛔",
    "fail": "❌",
    "warn": "⚠️",
}


def render(report: Report) -> str:
    verdict = report.verdict
    out = [f"## {ICON[verdict.status]} dataops-diff: {verdict.status}", ""]
    n = len(report.datasets)
    differing = sum(d.has_differences for d in report.datasets)
    baseline = f" · **baseline** {text(report.baseline)}" if report.baseline is not None else ""
    out.append(
        f"**production** {text(report.production)} → **candidate** {text(report.candidate)}"
        + baseline
        + (
            " · nothing compared"
            if verdict.status == "ERROR"
            else f" · {n} dataset{'s' * (n != 1)}, {differing} with differences"
        )
    )
    out.append("")
    out += _reasons(report)
    out += _expected(report)
    out += _run(report)
    out += _datasets(report)
    detailed = [d for d in report.datasets if d.has_differences]
    for d in detailed[:MAX_DATASETS]:
        out += dataset_section(report, d) if d.status == "compared" else one_side_section(d)
    if len(detailed) > MAX_DATASETS:
        out += [f"… and {len(detailed) - MAX_DATASETS} more datasets with differences", ""]
    version = f"dataops-diff {text(report.tool_version)} · " if report.tool_version else ""
    out.append(f"<sub>{version}engine {text(report.engine)} · full report: --json</sub>")
    return "\n".join(out) + "\n"


def _reasons(report: Report) -> list[str]:
    """The decision sentence, then by dataset its classes with counts and each unexpected
    difference (the reasons), the rule that found it first."""
    out = [text(s.decision(report)), ""]
    groups = s.grouped(report)
    if not groups:
        return out
    out += ["### Reasons", ""]
    said = 0
    for group in groups:
        out.append(f"- {text(group.title)}: {' · '.join(c.heading for c in group.classes)}")
        for cls in group.classes:
            if cls.classification != "unexpected":
                continue
            for item in cls.items:
                said += 1
                if said <= MAX_REASONS:
                    icon = ICON[item.severity or "fail"]
                    out.append(f"  - {icon} **{item.rule}** · {text(item.message)}")
    if said > MAX_REASONS:
        out.append(f"- … and {said - MAX_REASONS} more (see the JSON report)")
    return [*out, ""]


def _expected(report: Report) -> list[str]:
    declared = [f for f in report.verdict.findings if f.kind == "expected_change"]
    if not declared:
        return []
    out = ["### Expected changes", ""]
    for f in declared:
        out.append(f"- {'✅' if f.classification == 'expected' else '❌'} {text(f.message)}")
    return [*out, ""]


def _run(report: Report) -> list[str]:
    """One column per version, the baseline third when production ran twice."""
    records = runs.records(report)
    if not records:
        return []
    out = ["### Runs", "", "| | " + " | ".join(r.side for r in records) + " |"]
    out.append("|---|" + "---|" * len(records))
    out += ["| " + " | ".join(text(c) for c in row) + " |" for row in runs.run_rows(report)]
    return [*out, "", *_log_tails(report)]


def _log_tails(report: Report) -> list[str]:
    """The last log lines of each version that did not succeed, in a collapsed block."""
    out: list[str] = []
    for r in runs.not_succeeded(report):
        lines = (html.escape(s.value_text(line, limit=500)) for line in r.stderr_tail)
        tail = REFERENCE.sub("\\1\u200b", "\n".join(lines))
        state = r.status.replace("_", " ")
        log = attr(r.tail_log or r.stderr_log)
        out += [f"<details><summary>{r.side} run {state}: last lines of its log {log}</summary>",
                "", f"<pre>{tail}</pre>", "</details>", ""]  # fmt: skip
    return out


def _datasets(report: Report) -> list[str]:
    if not report.datasets:
        return []
    groups = s.has_group_rows(report)
    out = [
        "### Datasets",
        "",
        "| dataset | verdict | status | rows production | rows candidate | matched "
        "| only production | only candidate "
        + ("| rows in duplicate-key groups " if groups else "")
        + "| changed rows | changed columns |",
        "|---|---|---|" + "---:|" * (8 if groups else 7),
    ]
    for d in report.datasets:
        compared = d.status == "compared"
        status = s.dataset_status(report, d.name)
        only = (  # a one-sided dataset's rows are all lost or all new
            [d.only_in_production, d.only_in_candidate]
            if compared
            else [
                d.only_in_production if d.production_rows is not None else None,
                d.only_in_candidate if d.candidate_rows is not None else None,
            ]
        )
        rest = [d.rows_with_differences, len(d.changed_columns)] if compared else [None, None]
        cells = [s.count(v) for v in [d.production_rows, d.candidate_rows]]
        cells += [s.count(d.matched_rows if compared else None), *(s.count(v) for v in only)]
        if groups:
            cells.append(s.group_rows(d) if compared else "-")
        cells += [s.count(v) for v in rest]
        out.append(
            f"| {text(d.name)} | {ICON[status]} {status} | {s.dataset_state(d)} | "
            + " | ".join(cells)
            + " |"
        )
    return [*out, ""]
