"""Hostile rendering: one-sided datasets and duplicate-key groups in every report format
(issue 11 items 7, 11 and 19).

A dataset one version lacks shows its row count (lost or new), its schema and its rows; a
differing duplicate-key group shows its key and both versions' rows; every name and value from
data is shown as text (escaped: Markdown, HTML, XML; invisible and bidi characters as escapes).
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hostile import Outcome, invoke, snapshot
from report_fixtures import check_golden
from rich.console import Console

from dataops_diff.model import (
    Column,
    DatasetDiff,
    Duplicates,
    Report,
    RowSample,
    SchemaDiff,
    ValueSample,
)
from dataops_diff.policy import evaluate
from dataops_diff.reports import html, junit, markdown, terminal

SCRIPT = "<script>alert(1)</script>"
RLO = "\u202e"  # right-to-left override: "exe.txt" would read "txt.exe"
ESC = "\x1b[31m"  # an ANSI colour: would repaint the terminal
# Column names a CSV header can hold (quoted), each trying to break out of one format.
NAMES = (f"{SCRIPT}|x", f"note{RLO}gnp.exe", "`code` **b** [l](http://e) @team #1")
HOSTILE_VALUES = (SCRIPT, f"{RLO}txt.exe", f"{ESC}red")


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _write(path: Path, header: tuple[str, ...], rows: Sequence[tuple[object, ...]]) -> None:
    lines = [",".join(_csv_field(h) for h in header)]
    lines += [",".join(_csv_field(str(v)) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _compare(
    capsys: pytest.CaptureFixture[str], prod: Path, cand: Path, out: Path
) -> tuple[Outcome, dict[str, str]]:
    """compare in every format; the files' texts by format (terminal: stdout)."""
    paths = {fmt: out / f"report.{fmt}" for fmt in ("json", "markdown", "junit", "html")}
    flags = [x for fmt, p in paths.items() for x in (f"--{fmt}", p)]
    before = snapshot(prod, cand)
    outcome = invoke(capsys, "compare", prod, cand, "--key", "id", *flags)
    assert snapshot(prod, cand) == before  # inputs never change
    texts = {fmt: p.read_text(encoding="utf-8") for fmt, p in paths.items()}
    return outcome, {**texts, "terminal": outcome.stdout}


def _assert_no_raw_controls(texts: dict[str, str]) -> None:
    """No format for people carries a bidi override or an escape character raw: they are shown
    escaped. (The JSON report is data: it keeps the values as they are.)"""
    for fmt, text in texts.items():
        if fmt == "json":
            continue
        assert RLO not in text, fmt
        assert "\x1b" not in text, fmt


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _page(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


def _markdown_has_no_markup_from_data(text: str) -> None:
    assert "<script" not in text
    assert "&lt;script>alert(1)&lt;/script>" in text  # shown as text
    for line in text.splitlines():
        if line.startswith("| "):  # a table row keeps its shape: every data pipe escaped
            assert "\\|x" in line or "|x" not in line


# -------------------------------------------------------------------- a dataset on one side only
@pytest.mark.parametrize("side", ["production", "candidate"])
def test_a_one_sided_dataset_with_hostile_names_is_shown_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], side: str
) -> None:
    prod, cand, out = tmp_path / "prod", tmp_path / "cand", tmp_path / "out"
    for folder in (prod, cand, out):
        folder.mkdir()
        if folder is not out:
            _write(folder / "orders.csv", ("id", "v"), [(1, "a"), (2, "b")])
    rows = [(i, *HOSTILE_VALUES) for i in range(1, 4)]
    _write((prod if side == "production" else cand) / "alerts.csv", ("id", *NAMES), rows)
    outcome, texts = _compare(capsys, prod, cand, out)
    assert outcome.code == 1  # a missing or new dataset fails by default
    alerts = next(d for d in json.loads(texts["json"])["datasets"] if d["name"] == "alerts")
    lost = side == "production"
    assert alerts[f"{side}_rows"] == 3
    assert alerts["only_in_production" if lost else "only_in_candidate"] == 3
    headline = f"only in {side}, 3 rows"
    for fmt in ("terminal", "markdown", "html", "junit"):
        assert headline in texts[fmt], fmt
    _assert_no_raw_controls(texts)
    # its columns are its schema, never "added" or "removed" columns
    assert "added &lt;script" not in texts["markdown"]
    assert "removed &lt;script" not in texts["markdown"]
    assert "note\\u202egnp.exe" in texts["terminal"]
    assert "note\\\\u202egnp.exe" in texts["markdown"]  # the escape, its backslash escaped
    assert "@\u200bteam" in texts["markdown"]  # no mention
    _markdown_has_no_markup_from_data(texts["markdown"])
    page = _page(texts["html"])
    assert "script" not in page.tags
    shown = "".join(page.text)
    assert f"{SCRIPT}|x" in shown  # the name, as text
    assert "\\u202etxt.exe" in shown  # a value, escaped visibly
    assert "\\x1b[31mred" in shown
    assert "added" not in shown.split("Columns")[-1].split("Rows only")[0]
    case = ET.fromstring(texts["junit"]).find(".//testcase[@name='alerts']")
    assert case is not None
    said = case.findtext("system-out") or ""
    assert headline in said
    assert f"{SCRIPT}|x" in said  # XML escapes it; the parsed text is the name
    assert "\\u202e" in said


# ------------------------------------------------------------------ duplicate-key groups
def test_differing_duplicate_groups_with_hostile_keys_are_sampled_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prod, cand, out = tmp_path / "prod.csv", tmp_path / "cand.csv", tmp_path / "out"
    out.mkdir()
    key = f"{SCRIPT}{RLO}|k"
    _write(prod, ("id", "v"), [(key, "a"), (key, "b"), ("plain", "x"), ("gone", "y")])
    _write(cand, ("id", "v"), [(key, "a"), (key, f"{ESC}b"), ("plain", "x"), ("new", "z")])
    outcome, texts = _compare(capsys, prod, cand, out)
    assert outcome.code == 1
    (d,) = json.loads(texts["json"])["datasets"]
    dup = d["duplicates"]
    assert dup["groups_differing"] == 1
    for side in ("production", "candidate"):  # the row figures add up
        assert d[f"{side}_rows"] == 4
        assert d["matched_rows"] + d[f"only_in_{side}"] + dup[f"{side}_group_rows"] == 4
    sums = (
        "production 4 rows = 1 matched + 1 only in production + 2 in duplicate-key groups",
        "candidate 4 rows = 1 matched + 1 only in candidate + 2 in duplicate-key groups",
    )
    for fmt in ("terminal", "markdown", "html"):
        assert "showing 1 of 1" in texts[fmt], fmt
        for line in sums:
            assert line in texts[fmt], (fmt, line)
    _assert_no_raw_controls(texts)
    assert "\\u202e" in texts["terminal"]
    assert "\\x1b[31mb" in texts["terminal"]
    _markdown_has_no_markup_from_data(texts["markdown"])
    page = _page(texts["html"])
    assert "script" not in page.tags
    shown = "".join(page.text)
    assert f"{SCRIPT}\\u202e|k" in shown  # the key, as text, the override visible
    assert "\\x1b[31mb" in shown  # the candidate's differing row
    assert "Differing duplicate-key groups" in shown


# ------------------------------------------------------------------- golden: built in code
H = f"{SCRIPT} |{RLO}| `x` @team {ESC}"


def sides_report() -> Report:
    """A missing dataset and a dataset with a differing duplicate group, hostile throughout."""
    group = ValueSample({"id": H}, [{"id": H, "v": H}, {"id": H, "v": None}], [{"id": H, "v": 1}])
    compared = DatasetDiff(
        "orders", "compared", "p/orders.csv", "c/orders.csv", ("id",),
        production_rows=5, candidate_rows=4, matched_rows=3,
        duplicates=Duplicates(production_keys=1, production_rows=2, groups=1,
                              groups_differing=1, production_rows_unmatched=2,
                              candidate_rows_unmatched=1, production_group_rows=2,
                              candidate_group_rows=1, samples=(group,)),
    )  # fmt: skip
    gone = DatasetDiff(
        H, "only_in_production", "p/gone.csv", None, ("id",), production_rows=75,
        only_in_production=75,
        schema=SchemaDiff(only_in_production=(Column("id", "int64"), Column(H, "string"))),
        only_in_production_samples=(RowSample({"id": 1, H: H}), RowSample({"id": 2, H: None})),
    )  # fmt: skip
    datasets = (compared, gone)
    return Report("p", "c", datasets, evaluate(datasets, None), tool_version="0.0.0")


def _terminal(report: Report) -> str:
    out = io.StringIO()
    terminal.render(report, Console(file=out, width=120, color_system=None, highlight=False))
    return out.getvalue()


def test_goldens_of_one_sided_and_duplicate_groups() -> None:
    report = sides_report()
    check_golden("markdown", "sides.md", markdown.render(report))
    check_golden("junit", "sides.xml", junit.render(report))
    check_golden("html", "sides.html", html.render(report))
    check_golden("terminal", "sides.txt", _terminal(report))


def test_one_sided_figures_in_the_tables_count_its_rows_as_lost() -> None:
    report = sides_report()
    md = markdown.render(report)
    row = next(line for line in md.splitlines() if line.startswith("| ") and "only in prod" in line)
    cells = [c.strip() for c in row.strip("|").split(" | ")]
    # rows production, rows candidate, matched, only production, only candidate, group rows
    assert cells[3:9] == ["75", "-", "-", "75", "-", "-"]
    text = _terminal(report)
    assert "only in production, 75 rows" in text
    assert "columns: id (int64), <script>" in text
