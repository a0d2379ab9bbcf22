"""The Markdown renderer: golden files, escaping of hostile values, bounded size."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt
from report_fixtures import HOSTILE, check_golden, failing, hostile, passing
from rich_report import (
    AMOUNT_VALUE_TO_NULL,
    CHANNEL,
    NOTE,
    REPORTS,
    SCRIPT,
    check_counts,
    rich_run,
)

from dataops_diff.ci.github import MAX_BODY
from dataops_diff.model import ColumnDiff, Reason, Report, ValueSample, Verdict
from dataops_diff.policy import RULES
from dataops_diff.reports import markdown


@pytest.mark.parametrize(
    ("name", "build"), [("failing.md", failing), ("passing.md", passing), ("hostile.md", hostile)]
)
def test_golden(name: str, build: Callable[[], Report]) -> None:
    check_golden("markdown", name, markdown.render(build()))


def test_deterministic() -> None:
    assert markdown.render(failing()) == markdown.render(failing())


@pytest.mark.parametrize(
    ("value", "escaped"),
    [
        ("plain", "plain"),
        ("a|b", "a\\|b"),
        ("`code`", "\\`code\\`"),
        ("<b>&", "&lt;b>&amp;"),
        ("**bold** _it_ ~~s~~", "\\*\\*bold\\*\\* \\_it\\_ \\~\\~s\\~\\~"),
        ("[x](y)", "\\[x\\](y)"),
        ("back\\slash", "back\\\\slash"),
        ("one\ntwo\r\nthree", "one<br>two<br>three"),
        ("@octocat #42", "@\u200boctocat #\u200b42"),
        ("bell\x07", "bell\\\\x07"),
    ],
)
def test_text_escapes(value: str, escaped: str) -> None:
    assert markdown.text(value) == escaped


class _Html(HTMLParser):
    """The tags and the text (``<br>`` as a newline) of rendered HTML, per element of interest."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.cells: list[str] = []  # text of every th/td/h3/summary/li
        self.strong: list[str] = []
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag == "br":
            self._text("\n")
            return
        if tag in ("th", "td", "h3", "summary", "li", "strong"):
            self._open.append(tag)
            (self.strong if tag == "strong" else self.cells).append("")

    def handle_endtag(self, tag: str) -> None:
        if self._open and self._open[-1] == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        self._text(data)

    def _text(self, data: str) -> None:
        if self._open:
            target = self.strong if self._open[-1] == "strong" else self.cells
            target[-1] += data


def _rendered_html(report: Report) -> _Html:
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    parser = _Html()
    parser.feed(md.render(markdown.render(report)))
    return parser


def test_hostile_values_stay_text() -> None:
    page = _rendered_html(hostile())
    # Only the structure the renderer writes: no script, link, code, image or stray element.
    assert page.tags <= {"h2", "h3", "p", "strong", "em", "ul", "li", "table", "thead", "tbody",
                         "tr", "th", "td", "details", "summary", "br", "sub"}  # fmt: skip
    assert set(page.strong) <= {"production", "candidate", *RULES}
    shown = HOSTILE.replace("\x1b", "\\x1b").replace("@", "@\u200b").replace("#", "#\u200b")
    # The whole value, pipes, backticks and tags included, is the text of one cell or heading.
    assert sum(cell == shown for cell in page.cells) >= 4
    # In a <summary> (raw HTML, no <br>) the newline becomes a space; still all text.
    assert any(c.startswith(" ".join(shown.split()) + ".") for c in page.cells)


def test_hostile_values_keep_the_table_shape() -> None:
    text = markdown.render(hostile())
    lines = text.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| dataset | verdict"))
    row = lines[header + 2]
    unescaped_pipes = row.replace("\\|", "").count("|")
    assert unescaped_pipes == 11  # 10 columns
    assert "<script>" not in text
    assert text.count("<details>") == text.count("</details>") == 2


def test_bounded() -> None:
    base = failing()
    samples = tuple(ValueSample({"order_id": k}, k, k + 1) for k in range(10))
    columns = tuple(
        ColumnDiff(f"c{i:02}", f"c{i:02}", "int64", "int64", 100, 100 - i, 0, 0, samples=samples)
        for i in range(30)
    )
    reasons = tuple(Reason("changed_rows", "fail", f"reason {i}") for i in range(25))
    report = replace(
        base,
        datasets=(replace(base.datasets[0], columns=columns),),
        verdict=Verdict("FAIL", reasons),
    )
    text = markdown.render(report)
    assert "- … and 5 more (see the JSON report)" in text
    assert "… and 20 more changed columns" in text
    # samples of the top columns only (plus the rows only in the candidate), a few rows each
    assert text.count("<details>") == markdown.MAX_SAMPLE_COLUMNS + 1
    assert f"orders.c00: changed rows (showing {markdown.MAX_SAMPLES} of 100)" in text
    assert "orders.c05:" not in text
    assert len(text) < 12_000


def test_a_report_without_datasets() -> None:
    report = replace(failing(), datasets=())
    text = markdown.render(report)
    assert "### Datasets" not in text
    assert text.startswith("## ❌ dataops-diff: FAIL\n")
    assert "· 0 datasets, 0 with differences" in text


# ------------------------------------------------------------ the rich reports (issues 15, 16)
@pytest.mark.parametrize("name", sorted(REPORTS))
def test_golden_of_the_rich_reports(name: str) -> None:
    report = REPORTS[name]()
    check_counts(report)
    check_golden("markdown", f"rich_{name}.md", markdown.render(report))


def _column_row(text: str, column: str) -> list[str]:
    table = text[text.index("| column |") :]
    row = next(line for line in table.splitlines() if line.startswith(f"| {column} |"))
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]


def test_the_column_table_has_transitions_value_to_null_and_the_floor() -> None:
    text = markdown.render(rich_run())
    header = next(line for line in text.splitlines() if line.startswith("| column |"))
    assert header == (
        "| column | changed rows | share | value → null | top transitions | max abs diff | shift "
        "| policy | noise floor |"
    )
    amount = _column_row(text, "amount")
    assert amount[:4] == ["amount", "80", "8.04%", str(AMOUNT_VALUE_TO_NULL)]
    assert amount[4] == (
        "\\[10, 20) → \\[20, 30): 30 · \\[0, 10) → \\[10, 20): 22 (showing 2 of 7 pairs)"
    )
    assert amount[7:] == ["unexpected ✗", "unchanged"]
    assert _column_row(text, "score")[7:] == ["noise ≈", "31.2% ≤ 5e-10"]
    assert _column_row(text, "scored\\_at")[7:] == ["noise ≈", "volatile"]
    assert _column_row(text, "status")[7] == "expected ✓"


def test_explanations_and_whole_rows_are_collapsed() -> None:
    text = markdown.render(rich_run())
    assert text.count("<details>") == text.count("</details>")
    assert (
        "<details><summary>orders.amount: what changed (showing 5 of 7 transitions)</summary>"
        in text
    )
    assert "| \\[20, 30) | *null* | 14 |" in text  # value -> null, a transition of its own
    assert (
        "- 87.5% of changed rows have country = 'DE' (4.35× its share of all rows, 20.1%)" in text
    )
    assert "- noise floor: volatile in the baseline (995 of 995 rows): noise" in text
    assert "- noise floor: unchanged in the baseline: a real change" in text
    assert "orders: changed rows, whole (showing 2 of 995; changed values as production" in text
    assert "| 17 | 12.5 → 25.0 | High → Low |" in text
    # without whole rows, each column's differing values are not repeated
    assert "orders.amount: changed rows (showing" not in text


def test_the_run_table_has_the_baseline_and_integer_counters() -> None:
    text = markdown.render(rich_run())
    assert "| | production | candidate | baseline |" in text
    assert "| counter rows\\_written | 1,000 | 1,002 | 1,000 |" in text
    assert "| counter latency\\_ms | - | 12.75 | - |" in text
    assert "1000.0" not in text
    assert "**baseline** main (again)" in text


def test_reasons_are_grouped_by_dataset_and_class() -> None:
    text = markdown.render(rich_run())
    assert (
        "FAIL: 6 unexpected differences (4 fail, 2 warn) in orders, refunds and the run; "
        "also 1 expected, 3 tolerated, 4 noise." in text
    )
    assert "- orders: expected ✓ 1 · tolerated ~ 2 · noise ≈ 2 · unexpected ✗ 4" in text
    assert "- events: noise ≈ 2" in text
    assert "  - ⚠️ **new_datasets** · refunds: new dataset, only in candidate, 12 rows" in text
    passing_text = markdown.render(REPORTS["noise"]())
    assert "PASS: no unexpected differences; 1 expected, 4 noise." in passing_text
    error = markdown.render(REPORTS["error"]())
    assert error.startswith("## ⛔ dataops-diff: ERROR\n")
    assert "ERROR: production run failed with exit code 3" in error
    assert "<details><summary>production run failed: last lines of its log" in error


def test_data_in_the_rich_report_stays_text() -> None:
    page = _rendered_html(rich_run())
    assert page.tags <= {"h2", "h3", "p", "strong", "em", "ul", "li", "table", "thead", "tbody",
                         "tr", "th", "td", "details", "summary", "br", "sub"}  # fmt: skip
    assert set(page.strong) <= {"production", "candidate", "baseline", *RULES}
    assert NOTE in page.cells  # the column name, brackets, pipe and backticks as typed
    assert SCRIPT in page.cells
    assert f"channel = '{CHANNEL}'" in " ".join(page.cells)
    text = markdown.render(rich_run())
    assert "\u202e" not in text
    assert "\x1b" not in text


def test_many_rich_datasets_stay_within_a_github_comment() -> None:
    report = rich_run()
    many = tuple(replace(report.datasets[0], name=f"orders{i}") for i in range(12))
    text = markdown.render(replace(report, datasets=many))
    assert f"… and {12 - markdown.MAX_DATASETS} more datasets with differences" in text
    assert len(text) < MAX_BODY
