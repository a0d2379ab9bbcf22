"""The rich terminal summary: verdict first, then datasets, schema changes and changed columns.

Every value from data goes through ``_text`` (a ``Text``, never markup; ``humanize.visible``),
so ``[/bold]`` or an ANSI escape sequence in a column name is shown as typed.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from ..humanize import size, visible
from ..model import ColumnDiff, DatasetDiff, Duplicates, JSONValue, Report, RowSample
from .summary import group_fields, group_rows, group_side_rows, has_group_rows, one_side, row_sums

_VERDICT_STYLE = {
    "PASS": "bold green",
    "WARN": "bold yellow",
    "FAIL": "bold red",
    "ERROR": "bold red",
}
MAX_REASONS = 12
MAX_COLUMNS = 15
MAX_SAMPLES = 3


def render(report: Report, console: Console, quiet: bool = False) -> None:
    console.print(_verdict_line(report))
    if quiet:
        return
    reasons = report.verdict.reasons
    for reason in reasons[:MAX_REASONS]:
        console.print(
            _text(f"  - {reason.message}", style="yellow" if reason.severity == "warn" else "red")
        )
    if len(reasons) > MAX_REASONS:
        console.print(_text(f"  ... and {len(reasons) - MAX_REASONS} more reasons (see --json)"))
    if report.run is not None:
        console.print(_run_table(report))
        for part in _log_tails(report):
            console.print(part)
    console.print(_datasets_table(report))
    for d in report.datasets:
        if d.status != "compared":
            console.print(_one_side_detail(d))
        elif d.has_differences:
            console.print(_dataset_detail(d))


def _verdict_line(report: Report) -> Text:
    n = len(report.datasets)
    differing = sum(d.has_differences for d in report.datasets)
    text = _text(report.verdict.status, style=_VERDICT_STYLE[report.verdict.status])
    if report.verdict.status == "ERROR" and report.verdict.reasons:  # the why is the headline
        text.append(visible(f"  {report.verdict.reasons[0].message}"))
    else:
        text.append(f"  {n} dataset{'s' * (n != 1)} compared, {differing} with differences")
    text.append(
        visible(f"  (production: {report.production}  candidate: {report.candidate})"), style="dim"
    )
    return text


def _run_table(report: Report) -> Table:
    assert report.run is not None
    table = Table(title="Runs", title_justify="left", show_edge=False)
    for header in ("", "production", "candidate"):
        table.add_column(header)
    p, c = report.run.production, report.run.candidate
    rows = [
        ("status", p.status, c.status),
        ("exit code", _s(p.exit_code), _s(c.exit_code)),
        ("commit", (p.git_sha or "working tree")[:12], (c.git_sha or "working tree")[:12]),
        ("duration", f"{p.duration_seconds:.1f} s", f"{c.duration_seconds:.1f} s"),
        ("peak memory", size(p.peak_memory_bytes), size(c.peak_memory_bytes)),
    ]
    for name in sorted(set(p.counters) | set(c.counters)):
        rows.append((f"counter {name}", _s(p.counters.get(name)), _s(c.counters.get(name))))
    for row in rows:
        table.add_row(*(_text(v) for v in row))
    return table


def _log_tails(report: Report) -> list[Text]:
    """The last log lines of each version that did not succeed, and where the whole log is."""
    assert report.run is not None
    parts: list[Text] = []
    for r in (report.run.production, report.run.candidate):
        if r.status != "succeeded":
            log = r.tail_log or r.stderr_log
            parts.append(_text(f"{r.side} run {r.status.replace('_', ' ')}; its log: {log}"))
            parts.extend(_text(f"  | {line}", style="dim") for line in r.stderr_tail)
    return parts


def _datasets_table(report: Report) -> Table:
    """One row a dataset. A dataset one version lacks counts its rows as only in that version;
    with duplicate-key groups a column of their rows makes each side's figures add up."""
    groups = has_group_rows(report)
    table = Table(title="Datasets", title_justify="left", show_edge=False)
    for header in ("dataset", "status", "rows prod", "rows cand", "matched", "only prod",
                   "only cand", *(("dup rows",) if groups else ()), "changed rows",
                   "changed cols"):  # fmt: skip
        table.add_column(header, justify="left" if header in ("dataset", "status") else "right")
    for d in report.datasets:
        status = _status(d)
        style = "green" if status in ("same", "identical") else "red"
        compared = d.status == "compared"
        table.add_row(
            _text(d.name),
            _text(status, style=style),
            _n(d.production_rows),
            _n(d.candidate_rows),
            _n(d.matched_rows if compared else None),
            _n(d.only_in_production if compared or d.production_rows is not None else None),
            _n(d.only_in_candidate if compared or d.candidate_rows is not None else None),
            *((_text(group_rows(d) if compared else "-"),) if groups else ()),
            _n(d.rows_with_differences if compared else None),
            _n(len(d.changed_columns) if compared else None),
        )
    return table


def _one_side_detail(d: DatasetDiff) -> Group:
    """What a dataset one version lacks held: its rows (lost or new), schema and first rows."""
    one = one_side(d)
    assert one is not None
    parts: list[Table | Text] = [Text("\n" + visible(d.name), style="bold")]
    parts.append(_text(f"  {one.headline}"))
    if one.columns:
        columns = ", ".join(f"{c.name} ({c.type})" for c in one.columns)
        parts.append(_text(f"  columns: {_clip(columns, 200)}"))
    parts += _rows(one.samples)
    return Group(*parts)


def _rows(samples: tuple[RowSample, ...]) -> list[Text]:
    return [
        _text(f"    {_clip(', '.join(f'{k}={_v(v)}' for k, v in row.values.items()), 100)}",
              style="dim")
        for row in samples[:MAX_SAMPLES]
    ]  # fmt: skip


def _groups(d: DatasetDiff, dup: Duplicates) -> list[Text]:
    """Each side's figures as a sum, and the first differing duplicate-key groups: key and rows."""
    parts = [_text(f"  {line}", style="dim") for line in row_sums(d)]
    if dup.samples:
        shown = dup.samples[:MAX_SAMPLES]
        parts.append(_text(
            f"  differing duplicate-key groups (showing {len(shown)} of {dup.groups_differing:,})"
        ))  # fmt: skip
    for group in dup.samples[:MAX_SAMPLES]:
        key = ", ".join(f"{k}={_v(v)}" for k, v in group.key.items())
        parts.append(_text(f"    key {key}"))
        for side, value in (("production", group.production), ("candidate", group.candidate)):
            rows = group_side_rows(value)
            for row in rows[:MAX_SAMPLES]:
                fields = [f for f in group_fields([row]) if f not in group.key]
                values = ", ".join(f"{k}={_v(row[k])}" for k in fields)
                parts.append(_text(f"      {side:<10} {_clip(values, 100)}", style="dim"))
            if len(rows) > MAX_SAMPLES:
                parts.append(_text(f"      {side:<10} ... {len(rows) - MAX_SAMPLES} more rows"))
    return parts


def _status(d: DatasetDiff) -> str:
    if d.status != "compared":
        return d.status.replace("_", " ")
    if d.identical:
        return "identical"
    return "different" if d.has_differences else "same"


def _dataset_detail(d: DatasetDiff) -> Group:
    parts: list[Table | Text] = [Text("\n" + visible(d.name), style="bold")]
    s = d.schema
    for col in s.only_in_production:
        parts.append(_text(f"  - column {col.name} ({col.type}) only in production"))
    for col in s.only_in_candidate:
        parts.append(_text(f"  + column {col.name} ({col.type}) only in candidate"))
    for tc in s.type_changes:
        parts.append(_text(f"  ~ column {tc.column}: {tc.production_type} -> {tc.candidate_type}"))
    for r in s.renamed:
        parts.append(_text(f"  = column {r.production} renamed to {r.candidate}", style="dim"))
    dup = d.duplicates
    if dup.any:
        parts.append(_text(
            f"  duplicate keys: {dup.production_keys:,} in production "
            f"({dup.production_rows:,} rows), {dup.candidate_keys:,} in candidate "
            f"({dup.candidate_rows:,} rows); {dup.groups_differing:,} of {dup.groups:,} "
            "shared groups differ"
        ))  # fmt: skip
    if dup.production_group_rows or dup.candidate_group_rows or dup.samples:
        parts += _groups(d, dup)
    for side, count, rows in (
        ("production", d.only_in_production, d.only_in_production_samples),
        ("candidate", d.only_in_candidate, d.only_in_candidate_samples),
    ):
        if count:
            parts.append(_text(f"  {count:,} rows only in {side}"))
            parts += _rows(rows)
    changed = d.changed_columns
    if changed:
        parts.append(_columns_table(changed[:MAX_COLUMNS]))
        if len(changed) > MAX_COLUMNS:
            parts.append(_text(f"  ... and {len(changed) - MAX_COLUMNS} more changed columns"))
        for column in changed[:MAX_SAMPLES]:
            for sample in column.samples[:MAX_SAMPLES]:
                key = ", ".join(f"{k}={_v(v)}" for k, v in sample.key.items())
                parts.append(_text(
                    f"  {column.name} [{key}]: {_v(sample.production)} -> {_v(sample.candidate)}",
                    style="dim",
                ))  # fmt: skip
    return Group(*parts)


def _columns_table(columns: tuple[ColumnDiff, ...]) -> Table:
    table = Table(show_edge=False, box=None, padding=(0, 2))
    for header in ("column", "changed", "% rows", "null->value", "value->null", "max abs diff",
                   "max rel diff"):  # fmt: skip
        table.add_column(header, justify="left" if header == "column" else "right")
    for c in columns:
        share = f"{100 * c.unequal / c.compared:.2f}%" if c.compared else "-"
        table.add_row(
            _text(c.name if c.name == c.candidate_name else f"{c.name} -> {c.candidate_name}"),
            _n(c.unequal), _text(share), _n(c.null_to_value), _n(c.value_to_null),
            _text(_g(c.max_abs_diff)), _text(_g(c.max_rel_diff)),
        )  # fmt: skip
    return table


def _text(text: str, style: str = "") -> Text:
    """Text from data, shown as typed: never markup (a Text), control characters as escapes."""
    return Text(visible(text), style=style)


def _n(value: int | None) -> Text:
    return _text("-" if value is None else f"{value:,}")


def _g(value: float | None) -> str:
    return "-" if value is None else f"{value:.6g}"


def _s(value: object) -> str:
    return "-" if value is None else str(value)


def _v(value: JSONValue) -> str:
    text = "null" if value is None else repr(value) if isinstance(value, str) else str(value)
    return _clip(text, 60)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."
