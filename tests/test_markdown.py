"""The Markdown renderer: golden files, escaping of hostile values, bounded size."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt
from report_fixtures import HOSTILE, check_golden, failing, hostile, passing

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
