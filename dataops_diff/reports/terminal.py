"""The rich terminal summary: the decision first, then the runs, the datasets and their details.

Readable at 80 columns: tables fold long cells onto further lines instead of cutting them, and a
value elided in a one-line explanation ends in a visible ``…`` (its full text is in the row
samples below and in the JSON report). Every value from data goes through ``text`` (a ``Text``,
never markup; ``humanize.visible``), so ``[/bold]`` or an ANSI escape in a name is shown as typed.
"""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..model import DatasetDiff, Report
from . import runs
from .summary import count, dataset_state, decision, group_rows, grouped, has_group_rows
from .terminal_detail import dataset_detail, one_side_detail, table_of, text

_VERDICT_STYLE = {
    "PASS": "bold green",
    "WARN": "bold yellow",
    "FAIL": "bold red",
    "ERROR": "bold red",
}
MAX_REASONS = 12


def render(report: Report, console: Console, quiet: bool = False) -> None:
    console.print(_verdict_line(report))
    if quiet:
        return
    for line in _decision(report):
        console.print(line)
    if report.run is not None:
        console.print(_run_table(report))
        for part in _log_tails(report):
            console.print(part)
    if report.datasets:
        console.print(_datasets_table(report))
    for d in report.datasets:
        if d.status != "compared":
            console.print(one_side_detail(d))
        elif d.has_differences:
            console.print(dataset_detail(report, d))


def _verdict_line(report: Report) -> Text:
    n = len(report.datasets)
    differing = sum(d.has_differences for d in report.datasets)
    line = text(report.verdict.status, style=_VERDICT_STYLE[report.verdict.status])
    if report.verdict.status == "ERROR" and report.verdict.reasons:  # the why is the headline
        line.append_text(text(f"  {report.verdict.reasons[0].message}"))
    else:
        line.append(f"  {n} dataset{'s' * (n != 1)} compared, {differing} with differences")
    sides = f"  (production: {report.production}  candidate: {report.candidate}"
    if report.baseline is not None:
        sides += f"  baseline: {report.baseline}"
    line.append_text(text(sides + ")", style="dim"))
    return line


def _decision(report: Report) -> list[Text]:
    """The decision sentence, then per dataset its classes with counts and what fails or warns."""
    if report.verdict.status == "ERROR":
        return []
    lines = [text(decision(report), style="bold")]
    said = 0
    for group in grouped(report):
        heading = text(f"  {group.title}: ", style="bold")
        heading.append(" · ".join(c.heading for c in group.classes))
        lines.append(heading)
        for cls in group.classes:
            if cls.classification != "unexpected":
                continue
            for item in cls.items:
                said += 1
                if said > MAX_REASONS:
                    continue
                warn = item.severity == "warn"
                mark = "    ! warn: " if warn else "    ✗ "
                lines.append(text(mark + item.message, style="yellow" if warn else "red"))
    if said > MAX_REASONS:
        lines.append(text(f"  ... and {said - MAX_REASONS} more reasons (see --json)"))
    return lines


def _run_table(report: Report) -> Table:
    table = Table(title="Runs", title_justify="left", show_edge=False)
    table.add_column("")
    for record in runs.records(report):
        table.add_column(record.side, overflow="fold")
    for row in runs.run_rows(report):
        table.add_row(*(text(cell) for cell in row))
    return table


def _log_tails(report: Report) -> list[Text]:
    """The last log lines of each version that did not succeed, and where the whole log is."""
    parts: list[Text] = []
    for r in runs.not_succeeded(report):
        log = r.tail_log or r.stderr_log
        parts.append(text(f"{r.side} run {r.status.replace('_', ' ')}; its log: {log}"))
        parts.extend(text(f"  | {line}", style="dim") for line in r.stderr_tail)
    return parts


def _datasets_table(report: Report) -> Table:
    """One row a dataset. A dataset one version lacks counts its rows as only in that version;
    with duplicate-key groups a column of their rows makes each side's figures add up.

    Figures never fold (a number cut in two reads as two numbers): each figure column is as wide
    as its widest figure, and the dataset names fold into what is left."""
    groups = has_group_rows(report)
    headers = ["dataset", "status", "rows prod", "rows cand", "matched", "only prod", "only cand",
               *(["dup rows"] if groups else []), "changed rows", "changed cols"]  # fmt: skip
    rows = [_dataset_row(d, groups) for d in report.datasets]
    return table_of(headers, rows, title="Datasets", left=(0, 1), wrap=(1,))


def _dataset_row(d: DatasetDiff, groups: bool) -> list[str]:
    compared = d.status == "compared"
    figures = [
        d.production_rows,
        d.candidate_rows,
        d.matched_rows if compared else None,
        d.only_in_production if compared or d.production_rows is not None else None,
        d.only_in_candidate if compared or d.candidate_rows is not None else None,
    ]
    cells = [d.name, dataset_state(d), *(count(v) for v in figures)]
    if groups:
        cells.append(group_rows(d) if compared else "-")
    changed = [d.rows_with_differences, len(d.changed_columns)] if compared else [None, None]
    return cells + [count(v) for v in changed]
