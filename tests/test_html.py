"""The HTML report: golden file, escaping, no network references, bounded size."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dataops_diff.engines import profiles
from dataops_diff.model import (
    Column,
    ColumnDiff,
    ColumnShift,
    DatasetDiff,
    Duplicates,
    Finding,
    InputFingerprint,
    JSONValue,
    Profile,
    Reason,
    Rename,
    Report,
    RowSample,
    RunComparison,
    RunRecord,
    SchemaDiff,
    TypeChange,
    ValueSample,
    Verdict,
)
from dataops_diff.reports import html

GOLDEN = Path(__file__).parent / "golden" / "html"
SCRIPT = "<script>alert('x')</script>"


def _numeric_shift() -> ColumnShift:
    edges = profiles.bin_edges(0.0, 1.0, bins=10)
    prod = Profile(rows=1000, nulls=10, distinct=950, min=0.0, max=0.98, mean=0.41, std=0.2,
                   quantiles=((0.05, 0.1), (0.5, 0.4), (0.95, 0.8)),
                   histogram=(40, 90, 150, 200, 180, 140, 90, 60, 30, 10))  # fmt: skip
    cand = Profile(rows=1000, nulls=25, distinct=940, min=0.01, max=1.0, mean=0.52, std=0.21,
                   quantiles=((0.05, 0.2), (0.5, 0.5), (0.95, 0.9)),
                   histogram=(10, 40, 90, 150, 200, 180, 140, 90, 50, 25), nonfinite=3)  # fmt: skip
    return profiles.shift(prod, cand, edges)


def _category_shift() -> ColumnShift:
    ptop, ctop = profiles.select_top(
        {"paid": 600, "open": 300, SCRIPT: 90}, {"paid": 500, "open": 420}
    )
    prod = Profile(rows=1000, nulls=0, distinct=4, min="open", max="paid", top=ptop)
    cand = Profile(rows=1000, nulls=0, distinct=3, min="open", max="paid", top=ctop)
    return profiles.shift(prod, cand)


def _time_shift() -> ColumnShift:
    edges = profiles.bin_edges(1704067200.0, 1704067200.0 + 86400 * 10, bins=5)
    prod = Profile(rows=1000, nulls=0, distinct=10, min="2024-01-01T00:00:00",
                   max="2024-01-11T00:00:00", quantiles=((0.5, 1704499200.0),),
                   histogram=(200, 200, 200, 200, 200))  # fmt: skip
    return profiles.shift(prod, prod, edges)


def sample_report() -> Report:
    """A report with one of everything; data values include markup that must stay text."""
    key: dict[str, JSONValue] = {"order_id": 7, "line": SCRIPT}
    amount = ColumnDiff("amount", "amount", "double", "double", 990, 12, 1, 0,
                        max_abs_diff=0.5, max_rel_diff=0.01, abs_tol=0.001,
                        samples=(ValueSample(key, 10.0, 10.5),
                                 ValueSample({"order_id": 9, "line": "b"}, None, 3.25)),
                        shift=_numeric_shift())  # fmt: skip
    status = ColumnDiff("status", "state", "string", "string", 990, 90, 0, 0,
                        samples=(ValueSample(key, SCRIPT, "<script>alert('y')</script>"),
                                 ValueSample({"order_id": 8, "line": "a"}, "open", "paid")),
                        shift=_category_shift())  # fmt: skip
    created = ColumnDiff("created", "created", "timestamp[us]", "timestamp[us]", 990, 0, 0, 0,
                         shift=_time_shift())  # fmt: skip
    weird = ColumnDiff(SCRIPT, SCRIPT, "int64", "string", 990, 0, 0, 0)
    orders = DatasetDiff(
        "orders", "compared", "prod/orders.parquet", "cand/orders.parquet",
        key=("order_id", "line"), production_rows=1002, candidate_rows=1002, matched_rows=990,
        rows_with_differences=95, only_in_production=10, only_in_candidate=10,
        null_key_rows_production=1,
        duplicates=Duplicates(production_keys=1, production_rows=2, candidate_keys=1,
                              candidate_rows=2, groups=1, groups_differing=1,
                              production_rows_unmatched=1, candidate_rows_unmatched=1,
                              production_group_rows=2, candidate_group_rows=2,
                              samples=(ValueSample({"order_id": 5, "line": SCRIPT},
                                                   [{"amount": 1.0}, {"amount": 2.0}],
                                                   [{"amount": 1.0}, {"amount": SCRIPT}]),)),
        schema=SchemaDiff(only_in_production=(Column("legacy", "string"),),
                          only_in_candidate=(Column(SCRIPT, "int64"),),
                          type_changes=(TypeChange(SCRIPT, "int64", "string"),),
                          renamed=(Rename("status", "state"),)),
        columns=(created, weird, status, amount), ignored_columns=("loaded_at",),
        only_in_production_samples=(RowSample({"order_id": 1, "line": "a", "amount": 1.5}),),
        only_in_candidate_samples=(RowSample({"order_id": 2, "line": SCRIPT, "amount": None}),),
        key_shifts=(("order_id", _time_shift()),),
    )  # fmt: skip
    same = DatasetDiff("customers", "compared", "prod/customers", "cand/customers",
                       key=("id",), production_rows=5, candidate_rows=5, matched_rows=5,
                       identical=True)  # fmt: skip
    gone = DatasetDiff(
        "returns",
        "only_in_candidate",
        None,
        "cand/returns.csv",
        candidate_rows=75,
        only_in_candidate=75,
        schema=SchemaDiff(only_in_candidate=(Column("id", "int64"), Column(SCRIPT, "string"))),
        only_in_candidate_samples=(RowSample({"id": 1, SCRIPT: SCRIPT}),),
    )
    reasons = (
        Reason("values", "fail", f"orders.status: 90 of 990 rows changed {SCRIPT}",
               "orders", "status", 90, 0),
        Reason("shift", "warn", "orders.amount: PSI 0.18, limit 0.1",
               "orders", "amount", 0.18, 0.1),
        Reason("datasets", "fail", "returns: dataset only in candidate", "returns"),
    )  # fmt: skip
    findings = (
        Finding("values", "unexpected", reasons[0].message, "orders", "status"),
        Finding("values", "tolerated", "orders.amount: 12 rows within tolerance",
                "orders", "amount"),
        Finding("rows_only_in_candidate", "expected", "orders: 10 rows only in candidate",
                "orders"),
    )  # fmt: skip
    record = RunRecord("production", ("python", "job.py", "--out", "out dir"), ".", "out",
                       "succeeded", 0, 12.5, 200 * 1024 * 1024, "runs/r1/production/stdout.log",
                       "runs/r1/production/stderr.log", ("warning: <b>slow</b>",), "main",
                       "0123456789abcdef0123",
                       {"rows_written": 1000.0, "seconds": 1.5})  # fmt: skip
    cand = RunRecord("candidate", ("python", "job.py", "--out", "out dir"), ".", "out", "failed",
                     3, 75.0, 300 * 1024 * 1024, "runs/r1/candidate/stdout.log",
                     "runs/r1/candidate/stderr.log", (), "feature/x", "fedcba9876543210fedc",
                     {"rows_written": 990.0})  # fmt: skip
    inputs = (InputFingerprint("data/in", 3, 4096, "ab" * 32, ("candidate",)),)
    run = RunComparison("r1", "runs/r1", record, cand, inputs)
    return Report("prod", "cand", (orders, same, gone), Verdict("FAIL", reasons, findings),
                  command="run", options={"abs_tol": 0.001, "note": SCRIPT}, run=run,
                  tool_version="0.1.0")  # fmt: skip


# ------------------------------------------------------------------------------------ parsing
class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.style: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        (self.style if self._in_style else self.text).append(data)


def _parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


def test_golden() -> None:
    text = html.render(sample_report())
    path = GOLDEN / "sample.html"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), "run with UPDATE_GOLDEN=1 and review the diff"


def test_render_is_deterministic() -> None:
    assert html.render(sample_report()) == html.render(sample_report())


def test_markup_from_data_stays_text() -> None:
    text = html.render(sample_report())
    page = _parse(text)
    assert [t for t, _ in page.tags if t == "script"] == []
    body = "".join(page.text)
    assert SCRIPT in body  # shown as text: column name, values, reason, key, options
    assert "<b>slow</b>" in body
    assert "&lt;script&gt;" in text
    assert not any(name.startswith("on") for _, attrs in page.tags for name in attrs)


def test_nothing_references_the_network() -> None:
    text = html.render(sample_report())
    page = _parse(text)
    for tag, attrs in page.tags:
        for name in ("src", "href", "srcset", "action", "data", "poster", "xlink:href"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(https?:|//|ftp:)", value, re.I), (tag, name, value)
        assert tag not in ("script", "iframe", "object", "embed", "link", "img")
    css = "".join(page.style)
    assert "@import" not in css
    assert re.search(r"url\(", css) is None
    assert re.search(r"https?://", text) is None
    csp = [
        a for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    ]
    assert csp
    assert "default-src 'none'" in (csp[0].get("content") or "")


def test_sections_and_values() -> None:
    body = " ".join(" ".join(_parse(html.render(sample_report())).text).split())
    for expected in (
        "FAIL", "Runs", "Datasets", "orders", "customers", "returns", "byte-identical",
        "only in candidate", "Schema", "renamed", "Distributions", "Changed values by column",
        "Rows only in production", "Rows only in candidate", "0123456789ab", "exit code",
        "1 min 15 s", "300.0 MiB", "counter rows_written", "unexpected", "tolerated", "expected",
        "PSI", "TVD", "Inputs",
    ):  # fmt: skip
        assert expected in body, expected


def test_columns_sorted_by_impact_and_changes_highlighted() -> None:
    text = html.render(sample_report())
    table = text[text.index("<h3>Columns") :]
    order = [table.index(name) for name in (">status<", ">amount<", ">created<")]
    assert order == sorted(order)  # unexpected first, then by changed rows
    assert "<mark>" in text  # the differing part of a changed value
    assert 'href="runs/r1/candidate/stderr.log"' in text


def test_log_links_relative_to_the_report_folder(tmp_path: Path) -> None:
    report = sample_report()
    assert report.run is not None
    log = tmp_path / "runs" / "r1" / "production" / "stdout log.txt"
    production = replace(report.run.production, stdout_log=str(log))
    changed = replace(report, run=replace(report.run, production=production))
    text = html.render(changed, base_dir=str(tmp_path / "reports"))
    assert 'href="../runs/r1/production/stdout%20log.txt"' in text


def _wide_report(columns: int) -> Report:
    shift_n, shift_c = _numeric_shift(), _category_shift()
    cols = []
    for i in range(columns):
        samples = tuple(
            ValueSample({"id": j, "part": f"p{j}"}, f"value {i}-{j} " * 3, f"value {i}-{j}x " * 3)
            for j in range(10)
        )
        cols.append(ColumnDiff(f"column_{i:03d}", f"column_{i:03d}", "double", "double", 50_000,
                               i * 10, 0, 0, samples=samples,
                               shift=shift_n if i % 2 else shift_c))  # fmt: skip
    rows = tuple(RowSample({f"column_{i:03d}": f"v{i}" for i in range(columns)}) for _ in range(10))
    d = DatasetDiff("wide", "compared", "p", "c", key=("id", "part"), production_rows=50_000,
                    candidate_rows=50_000, matched_rows=50_000, rows_with_differences=999,
                    columns=tuple(cols), only_in_production_samples=rows,
                    only_in_candidate_samples=rows)  # fmt: skip
    reasons = tuple(
        Reason("values", "fail", f"wide.{c.name}: changed", "wide", c.name) for c in cols
    )
    return Report("p", "c", (d,), Verdict("FAIL", reasons))


def test_a_hundred_columns_stay_small() -> None:
    text = html.render(_wide_report(100))
    assert len(text.encode()) < 1_500_000
    body = " ".join(_parse(text).text)
    assert "75 more columns" in body
    assert "85 more unexpected" in body
    assert "Samples of 70 more columns are in the JSON report." in " ".join(body.split())


@pytest.mark.parametrize("value", [None, 0.0, 1e-7, 0.5, 0.99999, 1.0, -0.25])
def test_pct_never_rounds_a_difference_away(value: float | None) -> None:
    text = html.pct(value)
    if value not in (None, 0.0, 1.0):
        assert text not in ("0.00%", "100.00%")
    if value == 1.0:
        assert text == "100.00%"


def test_minimal_reports_render() -> None:
    empty = Report("p", "c", (), Verdict("PASS"))
    body = " ".join(_parse(html.render(empty)).text)
    assert "PASS" in body
    assert "No differences." in body
    clean = DatasetDiff("t", "compared", "p/t", "c/t", key=("id",), production_rows=0,
                        candidate_rows=0,
                        columns=(ColumnDiff("x", "x", "int64", "int64", 0, 0, 0, 0),))  # fmt: skip
    text = html.render(Report("p", "c", (clean,), Verdict("PASS")))
    assert "Distributions" not in text  # no profiles, no charts
    assert "no differences" in text
