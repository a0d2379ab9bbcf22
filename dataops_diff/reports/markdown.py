"""The Markdown report: a concise pull-request comment (GitHub-flavoured Markdown).

Verdict and reasons first, then the declared changes, the runs, one table of datasets, and per
dataset its schema changes, top changed columns and collapsible samples. Every value from data
goes through ``text()`` (inline Markdown) or ``attr()`` (inside HTML tags): neither a pipe, a
backtick, HTML nor a newline in a value can change the document's structure.
"""

from __future__ import annotations

import html
import re

from ..model import ColumnShift, DatasetDiff, JSONValue, Report, RowSample
from . import summary as s

MAX_REASONS = 20
MAX_DATASETS = 10
MAX_COLUMNS = 10
MAX_SAMPLE_COLUMNS = 5
MAX_SAMPLES = 5
MAX_ROW_FIELDS = 8

_ICON = {
    "PASS": "✅",
    "WARN": "⚠️",
    "FAIL": "❌",
    "ERROR": "⛔",
    "error": "⛔",
    "fail": "❌",
    "warn": "⚠️",
}
_MARKDOWN = re.compile(r"([\\`*_\[\]|~])")
_REFERENCE = re.compile(r"([@#])(?=\w)")  # @team mentions and #123 links: broken by U+200B


def text(value: str) -> str:
    """Inline Markdown showing ``value`` literally, on one line (newlines become <br>)."""
    value = s.value_text(value, limit=10_000)
    value = value.replace("&", "&amp;").replace("<", "&lt;")  # no tag or entity can start
    value = _MARKDOWN.sub(r"\\\1", value)
    value = _REFERENCE.sub("\\1\u200b", value)
    return re.sub(r"\r\n|\r|\n", "<br>", value)


def attr(value: str) -> str:
    """Text inside an HTML element (<summary>): HTML-escaped, one line, no mentions."""
    value = html.escape(" ".join(s.value_text(value, limit=10_000).split()))
    return _REFERENCE.sub("\\1\u200b", value)


def cell(value: JSONValue) -> str:
    return "*null*" if value is None else text(s.value_text(value))


def render(report: Report) -> str:
    verdict = report.verdict
    out = [f"## {_ICON[verdict.status]} dataops-diff: {verdict.status}", ""]
    n = len(report.datasets)
    differing = sum(d.has_differences for d in report.datasets)
    out.append(
        f"**production** {text(report.production)} → **candidate** {text(report.candidate)}"
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
        out += _dataset(report, d) if d.status == "compared" else _one_side(d)
    if len(detailed) > MAX_DATASETS:
        out += [f"… and {len(detailed) - MAX_DATASETS} more datasets with differences", ""]
    version = f"dataops-diff {text(report.tool_version)} · " if report.tool_version else ""
    out.append(f"<sub>{version}engine {text(report.engine)} · full report: --json</sub>")
    return "\n".join(out) + "\n"


def _reasons(report: Report) -> list[str]:
    reasons = report.verdict.reasons
    if not reasons:
        return ["No differences beyond what the policy declares or tolerates.", ""]
    out = ["### Reasons", ""]
    for r in reasons[:MAX_REASONS]:
        out.append(f"- {_ICON[r.severity]} **{r.rule}** · {text(r.message)}")
    if len(reasons) > MAX_REASONS:
        out.append(f"- … and {len(reasons) - MAX_REASONS} more (see the JSON report)")
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
    if report.run is None:
        return []
    p, c = report.run.production, report.run.candidate
    rows = [
        ("status", p.status, c.status),
        ("exit code", s.value_text(p.exit_code), s.value_text(c.exit_code)),
        ("commit", (p.git_sha or "working tree")[:12], (c.git_sha or "working tree")[:12]),
        ("duration", s.seconds(p.duration_seconds), s.seconds(c.duration_seconds)),
        ("peak memory", s.size(p.peak_memory_bytes), s.size(c.peak_memory_bytes)),
    ]
    for name in sorted(p.counters.keys() | c.counters.keys()):
        rows.append(
            (f"counter {name}", s.number(p.counters.get(name)), s.number(c.counters.get(name)))
        )
    out = ["### Runs", "", "| | production | candidate |", "|---|---|---|"]
    out += [f"| {text(a)} | {text(b)} | {text(c_)} |" for a, b, c_ in rows]
    return [*out, "", *_log_tails(report)]


def _log_tails(report: Report) -> list[str]:
    """The last log lines of each version that did not succeed, in a collapsed block."""
    assert report.run is not None
    out: list[str] = []
    for r in (report.run.production, report.run.candidate):
        if r.status == "succeeded":
            continue
        lines = (html.escape(s.value_text(line, limit=500)) for line in r.stderr_tail)
        tail = _REFERENCE.sub("\\1\u200b", "\n".join(lines))
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
            f"| {text(d.name)} | {_ICON[status]} {status} | {s.dataset_state(d)} | "
            + " | ".join(cells)
            + " |"
        )
    return [*out, ""]


def _one_side(d: DatasetDiff) -> list[str]:
    """A dataset one version lacks: its rows (lost or new), its schema and its first rows."""
    one = s.one_side(d)
    assert one is not None
    out = [f"### {text(d.name)}", "", one.headline, ""]
    if one.columns:
        columns = ", ".join(f"{text(c.name)} ({text(c.type)})" for c in one.columns)
        out += [f"columns ({one.side}): {columns}", ""]
    if one.samples:
        out += _row_samples(
            f"{d.name}: rows of {one.side}",
            len(one.samples) if one.rows is None else one.rows,
            one.samples,
        )
    return out


def _groups(d: DatasetDiff) -> list[str]:
    """Each side's figures as a sum, and the first differing duplicate-key groups."""
    dup = d.duplicates
    out = [f"rows: {'; '.join(s.row_sums(d))}", ""]
    if not dup.samples:
        return out
    groups = dup.samples[:MAX_SAMPLES]
    keys = list(groups[0].key)
    table: list[list[JSONValue]] = []
    fields: list[str] = []
    for g in groups:
        for side in (g.production, g.candidate):
            fields += [f for f in s.group_fields(s.group_side_rows(side)) if f not in fields]
    shown = [f for f in fields if f not in keys][:MAX_ROW_FIELDS]
    for g in groups:
        for side, value in (("production", g.production), ("candidate", g.candidate)):
            for row in s.group_side_rows(value)[:MAX_SAMPLES]:
                table.append([*(g.key.get(k) for k in keys), side, *(row.get(f) for f in shown)])
    title = (
        f"{d.name}: differing duplicate-key groups "
        f"(showing {len(groups)} of {dup.groups_differing:,})"
    )
    return out + _details(title, [*keys, "version", *shown], table)


def _dataset(report: Report, d: DatasetDiff) -> list[str]:
    out = [f"### {text(d.name)}", ""]
    if d.key:
        out.append(f"key: {', '.join(text(k) for k in d.key)}")
        out.append("")
    schema = d.schema
    changes = [f"added {text(c.name)} ({text(c.type)})" for c in schema.only_in_candidate]
    changes += [f"removed {text(c.name)} ({text(c.type)})" for c in schema.only_in_production]
    changes += [
        f"type of {text(t.column)}: {text(t.production_type)} → {text(t.candidate_type)}"
        for t in schema.type_changes
    ]
    changes += [f"renamed {text(r.production)} → {text(r.candidate)}" for r in schema.renamed]
    if changes:
        out += [f"schema: {'; '.join(changes)}", ""]
    changed = d.changed_columns
    if changed:
        out += [
            "| column | changed rows | share | max abs diff | shift | policy |",
            "|---|---:|---:|---:|---|---|",
        ]
        for c in changed[:MAX_COLUMNS]:
            share = f"{100 * c.unequal / c.compared:.2f}%" if c.compared else "-"
            name = text(c.name if c.name == c.candidate_name else f"{c.name} → {c.candidate_name}")
            out.append(
                f"| {name} | {c.unequal:,} | {share} | {s.number(c.max_abs_diff)} "
                f"| {_shift(c.shift)} | {s.classification(report, d.name, c.name)} |"
            )
        if len(changed) > MAX_COLUMNS:
            out.append(f"\n… and {len(changed) - MAX_COLUMNS} more changed columns")
        out.append("")
    for c in changed[:MAX_SAMPLE_COLUMNS]:
        if c.samples:
            keys = list(c.samples[0].key)
            rows = [
                [*(v.key.get(k) for k in keys), v.production, v.candidate]
                for v in c.samples[:MAX_SAMPLES]
            ]
            title = f"{d.name}.{c.name}: changed rows (showing {len(rows)} of {c.unequal:,})"
            out += _details(title, [*keys, "production", "candidate"], rows)
    dup = d.duplicates
    if dup.production_group_rows or dup.candidate_group_rows or dup.samples:
        out += _groups(d)
    for side, total, samples in (
        ("production", d.only_in_production, d.only_in_production_samples),
        ("candidate", d.only_in_candidate, d.only_in_candidate_samples),
    ):
        if samples:
            out += _row_samples(f"{d.name}: rows only in {side}", total, samples)
    return out


def _shift(shift: ColumnShift | None) -> str:
    if shift is None:
        return "-"
    parts = [
        f"{label} {value:.3g}"
        for label, value in (("PSI", shift.psi), ("KS", shift.ks), ("TVD", shift.tvd))
        if value is not None
    ]
    return ", ".join(parts) or "-"


def _row_samples(title: str, total: int, samples: tuple[RowSample, ...]) -> list[str]:
    fields: list[str] = []
    for row in samples:
        fields += [f for f in row.values if f not in fields]
    shown = fields[:MAX_ROW_FIELDS]
    rows = [[row.values.get(f) for f in shown] for row in samples[:MAX_SAMPLES]]
    more = f"; first {len(shown)} of {len(fields)} columns" if len(fields) > len(shown) else ""
    return _details(f"{title} (showing {len(rows)} of {total:,}{more})", shown, rows)


def _details(title: str, header: list[str], rows: list[list[JSONValue]]) -> list[str]:
    out = [f"<details><summary>{attr(title)}</summary>", ""]
    out.append("| " + " | ".join(text(h) for h in header) + " |")
    out.append("|" + "---|" * len(header))
    out += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return [*out, "", "</details>", ""]
