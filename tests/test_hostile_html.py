"""Hostile data in the HTML report's new parts (issues 15 and 16): transitions, segments, whole-row
samples, the noise floor, the glance and the run table. Markup stays text, quotes cannot leave an
attribute, control and bidi characters show as escapes, 10,000-character values are cut, and 500
columns stay bounded. (The page at 900 px with 500 columns: tests/test_html_browser.py.)"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from dataops_diff.model import (
    Classification,
    ColumnDiff,
    ColumnFloor,
    DatasetDiff,
    DatasetFloor,
    DeltaDistribution,
    Distribution,
    Finding,
    FullRowSample,
    JSONValue,
    Reason,
    Report,
    RowSample,
    RunComparison,
    RunRecord,
    Segment,
    Transition,
    Verdict,
)
from dataops_diff.reports import html
from dataops_diff.reports.html_rows import MAX_CELL, MAX_ROW_COLUMNS, MAX_TITLE
from dataops_diff.reports.html_view import MAX_COLUMNS_OPEN, MAX_EXPLAINED

SCRIPT = "<script>alert(1)</script>"
QUOTES = "\"'><img src=x onerror=alert(2)>"
RLO, ESC, NUL = "\u202e", "\x1b[31m", "\x00"
LONG = "x" * 10_000
VALUES: tuple[str, ...] = (SCRIPT, QUOTES, f"txt{RLO}gnp.exe", f"{ESC}red", f"a{NUL}b", LONG)
CLASSES: tuple[Classification, ...] = ("noise", "expected", "tolerated", "unexpected", "noise")
NAMES = (SCRIPT, QUOTES, f"col{RLO}x", f"{ESC}c", "a" * 300)


def _column(name: str, i: int, rows: int = 100) -> ColumnDiff:
    v = VALUES[i % len(VALUES)]
    return ColumnDiff(
        name, name, "string", "string", rows, 10, 1, 2,
        transitions=(*tuple(Transition(v, w, 3) for w in VALUES), Transition(v, None, 2)),
        transitions_total=40,
        delta=DeltaDistribution(Distribution(8, (-1.0, 0.0, 1.0), (4, 4), -1.0, 0.0, 1.0)),
        segments=tuple(Segment(n, w, 8, 10, 20, rows)
                       for n, w in zip(NAMES, VALUES[: len(NAMES)], strict=True)),
    )  # fmt: skip


def _row(names: list[str], seed: int) -> dict[str, JSONValue]:
    return {n: VALUES[(seed + i) % len(VALUES)] for i, n in enumerate(names)}


def hostile_report(columns: int = len(NAMES)) -> Report:
    names = [*NAMES, *(f"c{i:03d}{SCRIPT}" for i in range(columns - len(NAMES)))][:columns]
    cols = tuple(_column(n, i) for i, n in enumerate(names))
    key: dict[str, JSONValue] = {QUOTES: SCRIPT}
    samples = tuple(
        FullRowSample(key, _row(names, s), _row(names, s + 1), tuple(names[s::7])) for s in range(3)
    )
    d = DatasetDiff(
        SCRIPT, "compared", QUOTES, f"{QUOTES}/c", (QUOTES,), production_rows=110,
        candidate_rows=110,
        matched_rows=100, rows_with_differences=10, only_in_production=10, only_in_candidate=10,
        columns=cols, row_samples=samples,
        only_in_production_samples=(RowSample({QUOTES: LONG, **_row(names, 2)}),),
        only_in_candidate_samples=(RowSample(_row(names, 3)),),
    )  # fmt: skip
    floor = DatasetFloor(SCRIPT, 100, 10, columns=tuple(
        ColumnFloor(n, 100, 9, max_abs_diff=1e-9, volatile=i % 2 == 0) for i, n in enumerate(names)
    ))  # fmt: skip
    record = RunRecord("production", ("python", QUOTES, LONG, f"{ESC}{RLO}"), ".", "out",
                       "succeeded", 0, stderr_tail=(SCRIPT, f"{ESC}{RLO}"))  # fmt: skip
    run = RunComparison(SCRIPT, QUOTES, record, record, baseline=record)
    reasons = (Reason("values", "fail", f"{SCRIPT}.{QUOTES}: {ESC}{RLO}", SCRIPT, QUOTES),)
    findings = tuple(
        Finding("values", c, f"{c} {n} {SCRIPT}", SCRIPT, n)
        for c, n in zip(CLASSES, names[: len(CLASSES)], strict=True)
    )
    return Report(SCRIPT, QUOTES, (d,), Verdict("FAIL", reasons, findings), command="run",
                  run=run, baseline=f"{RLO}{SCRIPT}", floor=(floor,))  # fmt: skip


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _page(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


@pytest.fixture(scope="module")
def rendered() -> str:
    return html.render(hostile_report())


def test_markup_from_data_stays_text(rendered: str) -> None:
    page = _page(rendered)
    tags = {t for t, _ in page.tags}
    assert not tags & {"script", "img", "iframe", "object", "embed"}
    assert not any(name.startswith("on") for _, attrs in page.tags for name in attrs)
    shown = "".join(page.text)
    assert SCRIPT in shown
    assert QUOTES in shown  # the quote did not close an attribute: it is text


@pytest.mark.parametrize("where", ["transitions", "segments", "whole rows", "floor", "runs"])
def test_every_new_part_keeps_markup_as_text(rendered: str, where: str) -> None:
    start = {
        "transitions": "Value transitions",
        "segments": "Where the changed rows are",
        "whole rows": "Rows with differences, whole",
        "floor": "noise floor",
        "runs": '<h2 id="runs">',
    }[where]
    part = rendered[rendered.index(start) :][:20_000]
    shown = "".join(_page(part).text)
    assert "<script" not in part
    assert "&lt;script&gt;" in part
    assert SCRIPT in shown or where == "floor"


def test_control_and_bidi_characters_show_as_escapes(rendered: str) -> None:
    for raw in (RLO, "\x1b", NUL):
        assert raw not in rendered
    shown = "".join(_page(rendered).text)
    assert "\\u202e" in shown
    assert "\\x1b[31m" in shown
    assert "a\\x00b" in shown
    titles = [a.get("title") or "" for _, a in _page(rendered).tags]
    assert not any(ch in t for t in titles for ch in (RLO, "\x1b", NUL))


def test_ten_thousand_character_values_are_cut(rendered: str) -> None:
    # each run's command, whole, once, inside the <details> that collapses it
    assert rendered.count(LONG) == rendered.count("<code>python") == 3
    page = _page(rendered.split("</style>")[1].replace(LONG, ""))
    assert max(len(t) for t in page.text) < 2 * MAX_TITLE
    cells = [t for t in page.text if t.startswith("xxxx")]
    assert cells
    assert all(len(t) <= MAX_CELL for t in cells if t.endswith("…"))
    titles = [len(a.get("title") or "") for _, a in page.tags]
    assert max(titles) <= MAX_TITLE


def test_a_long_command_is_collapsed_with_its_text_one_click_away(rendered: str) -> None:
    runs = rendered[rendered.index('<table class="runs">') :]
    runs = runs[: runs.index("</table>")]
    assert runs.count('<details class="long">') == 3
    # the columns are named by their place, whatever the records say of themselves
    assert re.findall(r'<th class="\w+">(\w+)</th>', runs) == [
        "production",
        "candidate",
        "baseline",
    ]
    assert "x" * 5000 not in runs.split("<code>")[0]  # the summary shows the start only


def test_five_hundred_columns_stay_bounded() -> None:
    report = hostile_report(500)
    text = html.render(report)
    assert len(text.encode()) < 1_500_000
    noise = {f.column for f in report.verdict.findings if f.classification == "noise"}
    changed = len(report.datasets[0].changed_columns) - len(noise)
    assert text.count('<details class="why" ') == MAX_EXPLAINED  # the most changed first
    assert text.count('<details class="why noise"') == len(noise)  # noise apart
    assert f"What explains {changed - MAX_EXPLAINED} more changed columns" in text
    shown = " ".join(" ".join(_page(text).text).split())
    assert f"showing 3 of 10 rows · {MAX_ROW_COLUMNS} of 500 columns, changed first" in shown
    assert f"{500 - len(noise) - MAX_COLUMNS_OPEN} more columns" in shown
