"""The JUnit XML report: every dataset, every changed column and every policy rule is a test
case, so a CI server shows the verdict natively. A case fails when a reason with severity "fail"
concerns it, and is an error (not a failure) when nothing could be compared; warnings go to its
``system-out``. A changed column the policy did not fail (noise within the floor learnt from a
baseline run, expected, tolerated) is a passing case whose ``system-out`` says why. Valid against
Jenkins' junit-10.xsd and the Ant JUnit schema (one failure per case, no timestamps).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..humanize import visible
from ..model import DatasetDiff, Reason, Report
from ..policy import RULES, RUN_RULES
from .columns import floor_judged, has_floor
from .summary import CLASS_MARK, items, one_side, value_text

# Characters XML 1.0 cannot carry at all, even escaped: shown as \xNN / \uNNNN instead.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
SUITE = "dataops-diff"


def clean(text: str) -> str:
    """Text XML can carry, invisible and reordering characters shown as escapes."""
    return _NOT_XML.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}"
        ),
        visible(text, lines=True),
    )


def render(report: Report) -> str:
    reasons = report.verdict.reasons
    datasets = [(d.name, [r for r in reasons if r.dataset == d.name]) for d in report.datasets]
    rules = [r for r in RULES if report.run is not None or r not in RUN_RULES]
    rules += sorted({r.rule for r in reasons} - set(rules))
    root = ET.Element("testsuites", name=SUITE)
    columns = [
        (f"{d.name}.{c.name}", [r for r in reasons if r.dataset == d.name and r.column == c.name])
        for d in report.datasets
        for c in d.changed_columns
    ]
    column_notes = {
        f"{d.name}.{c.name}": _column_notes(report, d.name, c.name)
        for d in report.datasets
        for c in d.changed_columns
    }
    suites = [
        _suite(f"{SUITE}.datasets", datasets, report, {d.name: _notes(d) for d in report.datasets}),
        _suite(f"{SUITE}.columns", columns, None, column_notes),
        _suite(
            f"{SUITE}.rules",
            [(rule, [r for r in reasons if r.rule == rule]) for rule in rules],
            None,
        ),
    ]
    root.set("tests", str(sum(int(s.get("tests", "0")) for s in suites)))
    root.set("failures", str(sum(int(s.get("failures", "0")) for s in suites)))
    root.set("errors", str(sum(int(s.get("errors", "0")) for s in suites)))
    root.extend(suites)
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _notes(d: DatasetDiff) -> list[str]:
    """What a dataset one version lacks held (its rows are lost or new): rows, schema, rows."""
    one = one_side(d)
    if one is None:
        return []
    notes = [f"{d.name}: {one.headline}"]
    if one.columns:
        notes.append(f"columns: {', '.join(f'{c.name} ({c.type})' for c in one.columns)}")
    for row in one.samples[:5]:
        notes.append("row: " + ", ".join(f"{k}={value_text(v)}" for k, v in row.values.items()))
    return notes


def _column_notes(report: Report, dataset: str, column: str) -> list[str]:
    """How the policy classified a changed column (but as unexpected: its reasons say that), and
    its noise floor when a baseline ran."""
    notes = [
        f"{item.classification} {CLASS_MARK[item.classification]}: {item.message}"
        for item in items(report)
        if item.dataset == dataset and item.column == column and item.classification != "unexpected"
    ]
    if has_floor(report):
        notes.append(f"noise floor: {floor_judged(report, dataset, column)}")
    return notes


def _suite(
    name: str,
    cases: list[tuple[str, list[Reason]]],
    report: Report | None,
    notes: dict[str, list[str]] | None = None,
) -> ET.Element:
    suite = ET.Element("testsuite", name=name)
    failures = errors = 0
    if report is not None:
        props = ET.SubElement(suite, "properties")
        for key, value in (
            ("verdict", report.verdict.status),
            ("production", report.production),
            ("candidate", report.candidate),
            ("command", report.command),
            ("engine", report.engine),
            ("tool_version", report.tool_version),
            *((("baseline", report.baseline),) if report.baseline is not None else ()),
        ):
            ET.SubElement(props, "property", name=key, value=clean(value))
    for case_name, case_reasons in cases:
        case = ET.SubElement(suite, "testcase", name=clean(case_name), classname=name)
        failed = [r for r in case_reasons if r.severity == "fail"]
        warned = [r for r in case_reasons if r.severity == "warn"]
        broken = [r for r in case_reasons if r.severity == "error"]
        if broken:  # nothing could be compared: a CI error, not a failed test
            errors += 1
            error = ET.SubElement(
                case, "error", message=clean(broken[0].message), type=clean(broken[0].rule)
            )
            error.text = "\n".join(clean(f"ERROR {r.rule}: {r.message}") for r in broken)
        if failed:
            failures += 1
            failure = ET.SubElement(
                case, "failure", message=clean(failed[0].message), type=clean(failed[0].rule)
            )
            failure.text = "\n".join(clean(f"FAIL {r.rule}: {r.message}") for r in failed)
        said = [f"WARN {r.rule}: {r.message}" for r in warned] + (notes or {}).get(case_name, [])
        if said:
            out = ET.SubElement(case, "system-out")
            out.text = "\n".join(clean(line) for line in said)
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", "0")
    return suite
