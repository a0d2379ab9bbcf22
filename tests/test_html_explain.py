"""The HTML report of issues 15 and 16 on the rich reports (tests/rich_report.py): the decision at
a glance, transitions, deltas, segments, the noise floor, whole-row samples, the baseline run."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

import pytest
from report_fixtures import check_golden
from rich_report import (
    AMOUNT_VALUE_TO_NULL,
    ORDERS_MATCHED,
    REPORTS,
    check_counts,
    error_run,
    noise_compare,
    rich_run,
)
from test_html import _numeric_shift, _parse

from dataops_diff.engines import profiles
from dataops_diff.model import ColumnDiff, DatasetDiff, Profile, Report, Verdict
from dataops_diff.reports import html, summary


def _text(page: str) -> str:
    return " ".join(" ".join(_parse(page).text).split())


def _section(page: str, start: str, end: str) -> str:
    i = page.index(start)
    return page[i : page.index(end, i)]


@pytest.mark.parametrize("name", sorted(REPORTS))
def test_goldens_of_the_rich_reports(name: str) -> None:
    report = REPORTS[name]()
    check_counts(report)
    check_golden("html", f"rich-{name}.html", html.render(report))


def test_the_verdict_comes_first_in_one_sentence_with_its_reason() -> None:
    report = rich_run()
    page = html.render(report)
    banner = _text(_section(page, '<header class="banner', "</header>"))
    sentence = summary.decision(report)  # the words the terminal and Markdown say too
    assert sentence.startswith("FAIL: 6 unexpected differences (4 fail, 2 warn) in orders")
    why = sentence.removeprefix("FAIL: ")
    assert banner.startswith(f"FAIL {why[0].upper()}{why[1:]}")
    assert "baseline main (again)" in banner
    assert page.index('id="verdict"') < page.index('id="glance"') < page.index('id="runs"')


def test_the_glance_counts_differences_by_dataset_and_class() -> None:
    report = rich_run()
    grid = _section(html.render(report), '<table class="grid">', "</table>")
    items = summary.items(report)
    for dataset, label in (("orders", "orders"), ("refunds", "refunds"), (None, "run")):
        row = next(r for r in grid.split("<tr>") if f">{label}<" in r)
        cells = re.findall(r'<td class="n">(?:<span class="muted">)?([\d,]+)', row)
        expected = [sum(i.dataset == dataset and i.classification == c for i in items)
                    for c in summary.CLASSES]  # fmt: skip
        assert [int(c) for c in cells] == expected, label
    unexpected = [i for i in items if i.classification == "unexpected"]
    assert len(unexpected) == len(report.verdict.reasons)  # what the verdict rests on
    foot = _section(grid, "<tfoot>", "</tfoot>")
    totals = Counter(i.classification for i in items)
    assert re.findall(r'<th class="n">(\d+)', foot) == [str(totals[c]) for c in summary.CLASSES]


def test_a_pass_names_the_classes_of_its_differences() -> None:
    report = noise_compare()
    counts = summary.class_counts(report)
    banner = _text(_section(html.render(report), "<header", "</header>"))
    assert banner.startswith(
        f"PASS No unexpected differences; {counts['expected']} expected, {counts['noise']} noise."
    )


def test_a_failed_production_run_is_an_error_never_a_fail() -> None:
    page = html.render(error_run())
    assert '<header class="banner ERROR"' in page
    assert '<span class="badge ERROR">error</span>' in page
    assert '<span class="badge ERROR">ERROR</span>' in page  # its group in the glance
    head = _section(page, "<header", '<h2 id="runs"')
    assert "FAIL" not in head
    assert "No dataset was compared." in _text(page)


def test_transitions_say_how_many_they_show() -> None:
    report = rich_run()
    amount, status = report.datasets[0].columns[:2]
    why = _section(html.render(report), 'id="d0-c0-why"', "</details>")
    text = _text(why)
    assert f"showing {len(amount.transitions)} of {amount.transitions_total} transitions" in text
    assert f"value → null: {AMOUNT_VALUE_TO_NULL}" in text
    rows = re.findall(r"<tr><td class=\"v\">(.*?)</tr>", _section(why, "transitions", "</table>"))
    assert len(rows) == len(amount.transitions)
    status_why = _text(_section(html.render(report), 'id="d0-c1-why"', "</details>"))
    for t in status.transitions:
        assert f"{t.count}" in status_why
    assert "High → Low 12" in status_why


def test_segments_read_as_a_sentence_with_share_and_lift() -> None:
    report = rich_run()
    amount = report.datasets[0].columns[0]
    text = _text(html.render(report))
    for s in amount.segments:
        assert s.lift is not None
        value = f"'{s.value}'" if isinstance(s.value, str) else str(s.value)
        sentence = (
            f"{100 * s.share:.3g}% of changed rows have {s.column} = {value} "
            f"({s.lift:.3g}× its share of all rows, {100 * s.base_share:.3g}%)"
        )
        assert sentence in text


def test_the_delta_distribution_shows_median_and_extremes() -> None:
    report = rich_run()
    delta = report.datasets[0].columns[0].delta
    assert delta is not None
    why = _section(html.render(report), 'id="d0-c0-why"', "</details>")
    assert why.count('<line class="median"') == 2  # absolute and relative
    assert 'aria-label="absolute change of amount"' in why
    assert 'aria-label="relative change of amount"' in why
    stats = _text(_section(why, '<th class="n">absolute</th>', "</table>"))
    for label, value in (("min", delta.absolute.min), ("median", delta.absolute.median),
                         ("max", delta.absolute.max)):  # fmt: skip
        assert f"{label} {value:g}" in stats
    bars = re.findall(r'<rect class="d"', why)
    relative = delta.relative
    assert relative is not None
    assert len(bars) == len(delta.absolute.histogram) + len(relative.histogram)


def test_noise_is_apart_from_real_changes_with_the_floor_beside_each_column() -> None:
    report = rich_run()
    page = html.render(report)
    orders = _section(page, 'id="d0"', 'id="d1"')
    real = _section(orders, "<h3>Columns", "</table>")
    noise = _section(orders, '<h3 class="noise">Noise', "</table>")
    noisy = {f.column for f in report.verdict.findings if f.classification == "noise"
             and f.dataset == "orders"}  # fmt: skip
    for col in report.datasets[0].columns:
        where = noise if col.name in noisy else real
        assert f">{col.name}<" in where or f">{html.num(col.unequal)}<" in where, col.name
    assert ">scored_at<" not in real
    assert ">score<" in noise
    assert noise.count('<span class="badge noise">noise</span>') == len(noisy)
    assert '<span class="badge volatile"' in noise  # scored_at: volatile in the baseline too
    assert "noise floor" in real  # the column the floor sits in, beside every column
    floor = report.floor[0].column("score")
    assert floor is not None
    assert f"{html.pct(floor.changed_share)} of rows" in noise
    assert f"abs ≤ {html.num(floor.max_abs_diff)}" in noise


def test_whole_row_samples_show_every_column_and_mark_the_changed_cells() -> None:
    report = rich_run()
    d = report.datasets[0]
    rows = _section(html.render(report), "Rows with differences, whole", "</table>")
    assert f"showing {len(d.row_samples)} of {d.rows_with_differences:,} rows" in _text(rows)
    head = re.findall(r"<th>(.*?)</th>", _section(rows, "<thead>", "</thead>"))
    every = {n for s in d.row_samples for side in (s.production, s.candidate) for n in side}
    assert len(head) == len(every) + 1  # every compared column, the key once, and "version"
    changed = {n for s in d.row_samples for n in s.changed}
    assert head[:2] == ["order_id", "version"]
    assert set(head[2 : 2 + len(changed)]) == changed  # changed columns first
    marked = rows.count('class="v chg"')
    assert marked == 2 * sum(len(s.changed) for s in d.row_samples)  # both versions' cells


def test_the_run_table_has_a_baseline_column_and_collapses_long_commands() -> None:
    report = rich_run()
    assert report.run is not None
    assert report.run.baseline is not None
    runs = _section(html.render(report), '<table class="runs">', "</table>")
    assert list(re.findall(r"<th class=\"(\w+)\">(\w+)</th>", runs)) == [
        ("prod", "production"), ("cand", "candidate"), ("base", "baseline")
    ]  # fmt: skip
    assert runs.count('<details class="long">') == 3
    assert "very-long-config-name-very-long-config-name-" in runs  # the full text, in <code>
    rows = re.findall(r"<tr[^>]*><th>[^<]+</th>(.*?)</tr>", runs)
    assert len(rows) >= 7
    for row in rows[:-1]:  # the last: links to the logs
        assert row.count('<td class="v">') == 3  # production, candidate, baseline


def test_shift_measures_are_left_out_on_id_like_columns() -> None:
    edges = profiles.bin_edges(0.0, 1000.0, bins=10)
    ids = Profile(rows=1000, nulls=0, distinct=1000, min=1, max=1000,
                  histogram=(100,) * 10)  # fmt: skip
    moved = replace(ids, min=500, max=1500, histogram=(0,) * 5 + (100,) * 5)
    id_shift = profiles.shift(ids, moved, edges)
    assert id_shift.psi is not None
    assert id_shift.psi > 0.25
    float_shift = _numeric_shift()  # floats: unique too, yet a distribution
    columns = (
        ColumnDiff("id", "id", "int64", "int64", 1000, 0, 0, 0, shift=id_shift),
        ColumnDiff("x", "x", "double", "double", 1000, 0, 0, 0, shift=float_shift),
    )
    d = DatasetDiff("t", "compared", "p", "c", ("k",), production_rows=1000,
                    candidate_rows=1000, matched_rows=1000, columns=columns)  # fmt: skip
    page = html.render(Report("p", "c", (d,), Verdict("PASS")))
    id_row = _section(page, '<tr id="d0-c0"', "</tr>")
    assert ">id<" in id_row
    assert "id-like" in id_row
    assert "PSI" not in id_row
    chart = _section(page, '<details class="chart" id="d0-c0-chart"', "</summary>")
    assert "PSI" not in chart
    assert "id-like" in chart
    assert f"PSI {float_shift.psi:.3g}" in page  # the float column keeps its measures


def test_histograms_draw_both_versions_side_by_side_with_ticks_and_tooltips() -> None:
    page = html.render(_one_chart())
    svg = _section(page, '<svg class="hist"', "</svg>")
    groups = re.findall(r"<g><title>(.*?)</title>(.*?)</g>", svg)
    assert len(groups) == 10
    for tip, bars in groups:
        assert "production" in tip
        assert "candidate" in tip
        xs = [float(x) for x in re.findall(r'<rect class="[pc]" x="([\d.]+)"', bars)]
        widths = [float(w) for w in re.findall(r'width="([\d.]+)"', bars)]
        assert len(xs) == 2
        assert xs[0] + widths[0] <= xs[1]  # next to each other, never on top of each other
    ticks = re.findall(r"<text x=\"[\d.]+\" y=\"\d+\" text-anchor=\"(\w+)\">", svg)
    assert len(ticks) >= 3
    assert ticks[0] == "start"
    assert ticks[-1] == "end"


def _one_chart() -> Report:
    col = ColumnDiff("x", "x", "double", "double", 1000, 5, 0, 0, shift=_numeric_shift())
    d = DatasetDiff("t", "compared", "p", "c", ("k",), production_rows=1000,
                    candidate_rows=1000, matched_rows=1000, rows_with_differences=5,
                    columns=(col,))  # fmt: skip
    return Report("p", "c", (d,), Verdict("PASS"))


def test_every_figure_is_from_the_report() -> None:
    text = _text(html.render(rich_run()))
    assert f"{ORDERS_MATCHED:,} matched" in text
