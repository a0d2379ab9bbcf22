"""The terminal summary: golden files at 80 and 120 columns, and what they promise: the decision
first, nothing cut ambiguously at 80 columns, counters as integers, the baseline as a third run
column, each changed column explained beside its noise floor, and data never read as markup."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import replace

import pytest
from report_fixtures import check_golden
from rich.console import Console
from rich_report import LONG, MARKUP, NOTE, REPORTS, SCRIPT, check_counts, rich_run

from dataops_diff.model import Report
from dataops_diff.reports import terminal
from dataops_diff.reports.columns import NO_FLOOR


def render(report: Report, width: int, quiet: bool = False) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, highlight=False)
    terminal.render(report, console, quiet=quiet)
    return "\n".join(line.rstrip() for line in out.getvalue().splitlines()) + "\n"


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("name", sorted(REPORTS))
def test_golden(name: str, width: int) -> None:
    report = REPORTS[name]()
    check_counts(report)
    check_golden("terminal", f"{name}_{width}.txt", render(report, width))


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("build", REPORTS.values(), ids=list(REPORTS))
def test_fits_the_width(build: Callable[[], Report], width: int) -> None:
    assert max(map(len, render(build(), width).splitlines())) <= width


def test_tables_fold_long_names_instead_of_cutting_them() -> None:
    """At 80 columns a long dataset or column name folds over lines (nothing is cut with rich's
    "…"), and no figure is broken across lines."""
    report = rich_run()
    orders = report.datasets[0]
    long_name = "orders_" + "x" * 90
    column = replace(
        orders.columns[0], name="amount_" + "y" * 90, candidate_name="amount_" + "y" * 90
    )
    orders = replace(orders, name=long_name, columns=(column, *orders.columns[1:]))
    text = render(replace(report, datasets=(orders, *report.datasets[1:])), 80)
    tables = text[text.index("Datasets") : text.index("\n\n", text.index("Datasets"))]
    assert "…" not in tables
    assert long_name in "".join(line.split()[0] for line in tables.splitlines()[4:] if line.strip())
    figures = re.findall(r"\b\d[\d,]*\b", tables)
    assert "1,000" in figures
    assert "1,002" in figures
    joined = "".join(line.strip() for line in text.splitlines())
    assert column.name in joined


def test_the_decision_comes_first() -> None:
    lines = render(rich_run(), 120).splitlines()
    assert lines[0].startswith("FAIL  4 datasets compared, 3 with differences")
    assert "baseline: main (again)" in lines[0]
    assert lines[1] == (
        "FAIL: 6 unexpected differences (4 fail, 2 warn) in orders, refunds and the run; "
        "also 1 expected, 3 tolerated, 4 noise."
    )
    assert lines[2] == "  orders: expected ✓ 1 · tolerated ~ 2 · noise ≈ 2 · unexpected ✗ 4"
    assert "  events: noise ≈ 2" in lines
    assert "    ! warn: refunds: new dataset, only in candidate, 12 rows, not allowed" in lines


def test_quiet_is_the_verdict_line_only() -> None:
    assert render(rich_run(), 80, quiet=True).count("\n") == 2  # one line, wrapped at 80


def test_the_run_table_has_the_baseline_and_integer_counters() -> None:
    text = render(rich_run(), 120)
    header = next(line for line in text.splitlines() if "production" in line and "┃" in line)
    assert header.split("┃")[1:] == [" production   ", " candidate    ", " baseline"]
    counters = {
        line.split("│")[0].strip(): [c.strip() for c in line.split("│")[1:]]
        for line in text.splitlines()
        if line.startswith(" counter ")
    }
    assert counters["counter rows_written"] == ["1,000", "1,002", "1,000"]
    assert counters["counter rejected"] == ["3", "5", "3"]
    assert counters["counter latency_ms"] == ["-", "12.75", "-"]
    assert "1000.0" not in text
    assert "12.0" not in text


def test_each_changed_column_is_explained_beside_its_floor() -> None:
    text = render(rich_run(), 120)
    amount = text[text.index("  amount: 80 of 995 rows changed") :]
    amount = amount[: amount.index("\n  status:")]
    assert "· unexpected ✗" in amount
    assert (
        "transitions: [10, 20) → [20, 30): 30 · [0, 10) → [10, 20): 22 · [20, 30) → null: 14"
        in (amount)
    )
    assert "(showing 3 of 7 pairs)" in amount
    assert "nulls: value → null: 14, null → value: 0" in amount
    assert "median +1.25, min -3.5, max +12.5" in amount
    assert (
        "87.5% of changed rows have country = 'DE' (4.35× its share of all rows, 20.1%)" in amount
    )
    assert "floor: unchanged in the baseline: a real change" in amount
    assert "floor: volatile in the baseline (995 of 995 rows): noise" in text
    assert "floor: 310 of 995 rows in the baseline (31.2%), max abs diff 5e-10: noise" in text
    row = next(line for line in text.splitlines() if line.startswith(" score "))
    assert row.split()[-4:] == ["≈", "31.2%", "≤", "5e-10"]


def test_whole_changed_rows_show_every_value_whole() -> None:
    text = render(rich_run(), 80)
    assert "changed rows (showing 2 of 995)" in text
    assert "      ≠ amount: 23.0 → null" in text
    joined = "".join(line.strip() for line in text.splitlines())
    assert LONG in joined  # wrapped over lines, never cut


def test_data_is_never_markup() -> None:
    text = render(rich_run(), 120)
    assert MARKUP in text  # shown as typed, not made bold and red
    assert NOTE in text
    assert SCRIPT in text
    assert "\x1b" not in text
    assert "\\x1b[31m" in text
    assert "\u202e" not in text
    assert "\\u202e" in text


def test_an_error_run_shows_why_and_the_log() -> None:
    text = render(REPORTS["error"](), 80)
    assert text.startswith("ERROR  production run failed with exit code 3")
    assert "production run failed; its log: runs/r1/logs/production.err" in text
    assert "Datasets" not in text
    assert "\\x1b[31m" in text


HOSTILE_NAMES = [
    "[/amount]",  # a closing tag rich would refuse (MarkupError) if it read markup
    "[bold red]x[/bold red]",
    "\x1b[2J\x1b[31mred",  # clear the screen, repaint
    "exe.\u202etxt",  # right-to-left override
    "two\nlines\rback",
    "[link=http://e]click[/link]",
]


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_and_values_are_shown_as_typed(name: str) -> None:
    """Wherever data reaches the terminal (dataset, column, transition, segment, row, run label,
    counter, baseline), it is text with invisible characters escaped, never markup."""
    report = rich_run()
    orders = report.datasets[0]
    amount = orders.columns[0]
    amount = replace(
        amount,
        name=name,
        candidate_name=name,
        transitions=(replace(amount.transitions[0], production=name),),
        segments=(replace(amount.segments[0], column=name, value=name),),
    )
    row = replace(
        orders.row_samples[0], production={**orders.row_samples[0].production, "amount": name}
    )
    orders = replace(orders, name=name, columns=(amount, *orders.columns[1:]), row_samples=(row,))
    assert report.run is not None
    run = replace(report.run, candidate=replace(report.run.candidate, counters={name: 1.0}))
    report = replace(report, datasets=(orders,), run=run, baseline=name, candidate=name)
    text = render(report, 120)
    shown = name.replace("\x1b", "\\x1b").replace("\u202e", "\\u202e")
    shown = shown.replace("\n", "\\x0a").replace("\r", "\\x0d")
    assert f"{shown}  (key order_id)" in text  # the dataset's heading
    assert f"baseline: {shown})" in " ".join(text.split())
    assert f"{shown}: 80 of 995 rows changed" in text
    assert f"have {shown} = '{shown}'" in text
    assert f"counter {shown}" in text
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]", text)


def test_a_dataset_without_a_floor_is_not_called_unchanged() -> None:
    """With a baseline, a dataset the floor does not cover says so; it is not 'unchanged'."""
    report = rich_run()
    report = replace(report, floor=tuple(f for f in report.floor if f.name != "events"))
    text = render(report, 120)
    events = text[text.index("events  (key event_id)") :]
    assert f"floor: {NO_FLOOR}" in events
    total = next(line for line in events.splitlines() if line.startswith(" total "))
    assert total.split()[-1] == "-"
    assert "floor: unchanged in the baseline: a real change" in text  # orders.amount, covered
