"""The JUnit renderer: golden files, validity against the JUnit schema, hostile values."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from report_fixtures import HOSTILE, check_golden, failing, hostile, passing
from rich_report import NOTE, error_run, noise_compare, rich_run

from dataops_diff.model import Report
from dataops_diff.policy import RULES, RUN_RULES
from dataops_diff.reports import junit

XSD = Path(__file__).parent / "data" / "junit.xsd"
BUILDS: list[tuple[str, Callable[[], Report]]] = [
    ("failing.xml", failing),
    ("passing.xml", passing),
    ("hostile.xml", hostile),
    ("rich_run.xml", rich_run),
    ("rich_noise.xml", noise_compare),
    ("rich_error.xml", error_run),
]


@pytest.mark.parametrize(("name", "build"), BUILDS)
def test_golden(name: str, build: Callable[[], Report]) -> None:
    check_golden("junit", name, junit.render(build()))


@pytest.mark.parametrize(("name", "build"), BUILDS)
def test_valid_against_the_junit_schema(name: str, build: Callable[[], Report]) -> None:
    xmlschema = pytest.importorskip("xmlschema", reason="the dev extra installs xmlschema")
    schema = xmlschema.XMLSchema(str(XSD))
    schema.validate(junit.render(build()))


def test_the_schema_rejects_what_it_should() -> None:
    """The schema is not vacuous: a case with two failures or a suite without counts is invalid."""
    xmlschema = pytest.importorskip("xmlschema", reason="the dev extra installs xmlschema")
    schema = xmlschema.XMLSchema(str(XSD))
    two = '<testsuite name="s" tests="1" failures="1" errors="0"><testcase name="c" classname="s">'
    assert not schema.is_valid(two + "<failure/><failure/></testcase></testsuite>")
    assert not schema.is_valid('<testsuite name="s"/>')
    assert not schema.is_valid('<testsuite name="s" tests="x" failures="0" errors="0"/>')
    assert schema.is_valid(two + "<failure/></testcase></testsuite>")


@pytest.mark.parametrize(("name", "build"), BUILDS)
def test_structure(name: str, build: Callable[[], Report]) -> None:
    """What the schema checks, checked again with the standard library, plus the counts."""
    report = build()
    root = ET.fromstring(junit.render(report))
    assert root.tag == "testsuites"
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == [
        "dataops-diff.datasets",
        "dataops-diff.columns",
        "dataops-diff.rules",
    ]
    for suite in suites:
        cases = suite.findall("testcase")
        assert suite.get("tests") == str(len(cases))
        assert suite.get("failures") == str(sum(c.find("failure") is not None for c in cases))
        assert suite.get("errors") == str(sum(c.find("error") is not None for c in cases))
        for case in cases:
            assert len(case.findall("failure")) + len(case.findall("error")) <= 1
            assert case.get("classname") == suite.get("name")
    assert root.get("tests") == str(sum(int(s.get("tests", "")) for s in suites))
    assert root.get("failures") == str(sum(int(s.get("failures", "")) for s in suites))
    datasets = [c.get("name") for c in suites[0].findall("testcase")]
    assert datasets == [junit.clean(d.name) for d in report.datasets]
    columns = [c.get("name") for c in suites[1].findall("testcase")]
    changed = [f"{d.name}.{c.name}" for d in report.datasets for c in d.changed_columns]
    assert columns == [junit.clean(name) for name in changed]
    rules = {c.get("name") for c in suites[2].findall("testcase")}
    expected = set(RULES) if report.run else set(RULES) - RUN_RULES
    assert rules == expected


def _case(root: ET.Element, suite: str, name: str) -> ET.Element:
    found = root.find(f"testsuite[@name='dataops-diff.{suite}']/testcase[@name='{name}']")
    assert found is not None
    return found


def test_failures_carry_the_reasons() -> None:
    report = failing()
    root = ET.fromstring(junit.render(report))
    orders = _case(root, "datasets", "orders").find("failure")
    assert orders is not None
    first = next(r for r in report.verdict.reasons if r.dataset == "orders")
    assert orders.get("message") == first.message
    assert orders.get("type") == first.rule
    assert "FAIL changed_rows: orders.amount: 1.9% of rows changed (95 of 5,000), limit 0.5%" in (
        orders.text or ""
    )
    out = _case(root, "datasets", "orders").find("system-out")
    assert out is not None
    assert out.text == "WARN only_in_candidate: orders: 3 of 5,003 rows only in candidate " + (
        "(0.06%), limit 0"
    )
    assert _case(root, "datasets", "customers").find("failure") is None
    duration = _case(root, "rules", "duration").find("failure")
    assert duration is not None
    assert duration.get("message", "").startswith("run: candidate duration 14.0 s")
    assert _case(root, "rules", "counters").find("failure") is None  # within its limit
    only = _case(root, "rules", "only_in_candidate")
    assert only.find("failure") is None
    assert only.find("system-out") is not None


def test_passing_report_has_no_failures() -> None:
    root = ET.fromstring(junit.render(passing()))
    assert root.get("failures") == "0"
    assert root.find(".//failure") is None


def test_hostile_values_round_trip_as_text() -> None:
    root = ET.fromstring(junit.render(hostile()))
    shown = HOSTILE.replace("\x1b", "\\x1b")
    (case,) = root.findall("testsuite[@name='dataops-diff.datasets']/testcase")
    assert case.get("name") == shown
    failure = case.find("failure")
    assert failure is not None
    assert shown in (failure.text or "")
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["production"] == shown
    assert props["engine"] == shown


def test_characters_xml_cannot_carry_are_made_visible() -> None:
    assert junit.clean("a\x00b\x1bc\ud800d\ufffee") == "a\\x00b\\x1bc\\ud800d\\ufffee"
    assert junit.clean("tab\tnewline\n") == "tab\tnewline\n"


def test_reasons_outside_the_known_rules_still_get_a_case() -> None:
    from dataclasses import replace

    from dataops_diff.model import Reason, Verdict

    report = replace(passing(), verdict=Verdict("FAIL", (Reason("legacy", "fail", "boom"),)))
    root = ET.fromstring(junit.render(report))
    legacy = _case(root, "rules", "legacy").find("failure")
    assert legacy is not None
    assert legacy.get("message") == "boom"


def test_a_noise_only_column_is_a_passing_case_with_a_note() -> None:
    """Issue 15: a column whose differences stay within the floor does not fail; its case says
    why (the class and the floor), so a CI server lists it as passed, not as missing."""
    root = ET.fromstring(junit.render(rich_run()))
    for name in ("orders.score", "orders.scored_at", "events.total", "events.ingested_at"):
        case = _case(root, "columns", name)
        assert case.find("failure") is None
        assert case.find("error") is None
        out = case.find("system-out")
        assert out is not None
        assert (out.text or "").startswith("noise ≈: ")
        assert "noise floor: " in (out.text or "")
    assert "volatile in the baseline (995 of 995 rows)" in (
        _case(root, "columns", "orders.scored_at").findtext("system-out") or ""
    )
    # the dataset whose only differences are noise passes too
    events = _case(root, "datasets", "events")
    assert events.find("failure") is None
    # a real change beside the noise still fails, with the floor it exceeded
    amount = _case(root, "columns", "orders.amount")
    failure = amount.find("failure")
    assert failure is not None
    assert failure.get("type") == "changed_rows"
    assert amount.findtext("system-out") == "noise floor: unchanged in the baseline: a real change"
    tolerated = _case(root, "columns", junit.clean(f"orders.{NOTE}"))
    assert (tolerated.findtext("system-out") or "").startswith("tolerated ~: ")
    props = {p.get("name"): p.get("value") for p in root.iter("property")}
    assert props["baseline"] == "main (again)"


def test_a_noise_only_report_has_no_failures() -> None:
    root = ET.fromstring(junit.render(noise_compare()))
    assert root.get("failures") == "0"
    assert root.get("errors") == "0"
    assert len(root.findall("testsuite[@name='dataops-diff.columns']/testcase")) == 5


def test_a_failed_production_run_stays_an_error() -> None:
    report = error_run()
    text = junit.render(report)
    root = ET.fromstring(text)
    assert root.get("errors") == "1"
    assert root.get("failures") == "0"
    error = _case(root, "rules", "run").find("error")
    assert error is not None
    assert error.get("message") == report.verdict.reasons[0].message
    xmlschema = pytest.importorskip("xmlschema", reason="the dev extra installs xmlschema")
    xmlschema.XMLSchema(str(XSD)).validate(text)
