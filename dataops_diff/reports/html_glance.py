"""The decision at a glance: one sentence (the verdict and why), then the reasons and the policy's
findings grouped by dataset and by class, with counts.

A reviewer reads the sentence and the grid first; every reason and finding is one click away,
grouped where it applies instead of fifteen lines of equal weight.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..model import Classification, Finding, Reason, Report, VerdictStatus

# the classes in reading order, each with its mark and the words of the grid's header
CLASSES: tuple[tuple[Classification, str], ...] = (
    ("expected", "✓ expected"),
    ("tolerated", "tolerated"),
    ("noise", "noise"),
    ("unexpected", "✗ unexpected"),
)
MAX_LISTED = 15  # reasons or findings of one group shown before "N more"
_SEVERITY_ORDER = {"error": 0, "fail": 1, "warn": 2}
# the group of reasons and findings that name no dataset: the runs' (a shadow run), or overall
RUN, OVERALL = "the runs", "overall"


@dataclass(frozen=True)
class ClassGroup:
    classification: Classification
    label: str
    findings: tuple[Finding, ...]
    listed: tuple[Finding, ...]  # less the unexpected ones already listed as reasons


@dataclass(frozen=True)
class Group:
    """One dataset's (or the runs') reasons and findings."""

    name: str
    anchor: str | None  # the dataset's section, None for the runs
    status: VerdictStatus
    reasons: tuple[Reason, ...]  # worst first
    counts: tuple[int, ...]  # findings per class, in CLASSES order
    classes: tuple[ClassGroup, ...]  # classes with findings only

    @property
    def open(self) -> bool:
        return self.status in ("FAIL", "ERROR")


@dataclass(frozen=True)
class Glance:
    sentence: str
    groups: tuple[Group, ...]
    totals: tuple[int, ...]  # findings per class over all groups

    @property
    def why(self) -> str:
        """The sentence without its leading verdict (the banner shows the verdict in large)."""
        why = self.sentence.split(": ", 1)[-1]
        return why[:1].upper() + why[1:]


def status_of(reasons: tuple[Reason, ...] | list[Reason]) -> VerdictStatus:
    """The status a set of reasons gives: ERROR before FAIL before WARN; none: PASS."""
    severities = {r.severity for r in reasons}
    if "error" in severities:
        return "ERROR"
    return "FAIL" if "fail" in severities else "WARN" if "warn" in severities else "PASS"


def _names(names: list[str]) -> str:
    shown = names[:3]
    text = ", ".join(shown[:-1]) + (" and " if len(shown) > 1 else "") + shown[-1]
    return text + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def sentence(report: Report) -> str:
    """One sentence: the verdict and why, in words a reviewer reads first."""
    verdict = report.verdict
    reasons = sorted(verdict.reasons, key=lambda r: _SEVERITY_ORDER.get(r.severity, 3))
    found = Counter(f.classification for f in verdict.findings)
    if verdict.status == "ERROR":
        why = reasons[0].message if reasons else "the production run did not succeed"
        return f"ERROR: {why}" + ("" if "compare" in why else "; nothing was compared") + "."
    if verdict.status in ("FAIL", "WARN"):
        severity = "fail" if verdict.status == "FAIL" else "warn"
        worst = [r for r in reasons if r.severity == severity] or reasons
        where = list(dict.fromkeys(r.dataset for r in worst if r.dataset is not None))
        verb = "fail" if severity == "fail" else "warn"
        head = f"{verdict.status}: {_plural(len(worst), 'reason')} {verb}"
        if len(worst) == 1:
            head = f"{verdict.status}: {_plural(1, 'reason')} {verb}s"
        head += f" (in {_names(where)})" if where else ""
        first = worst[0].message if worst else ""
        more = f" and {len(worst) - 1:,} more" if len(worst) > 1 else ""
        return f"{head}: {first}{more}." if first else f"{head}."
    parts = [f"{label.split()[-1]} ({found[c]:,})" for c, label in CLASSES if found[c]]
    if parts:
        listed = ", ".join(parts[:-1]) + (" or " if len(parts) > 1 else "") + parts[-1]
        return f"PASS: every difference is {listed}."
    if report.has_differences:
        return "PASS: no difference fails the policy."
    return "PASS: no differences."


def glance(report: Report, anchors: dict[str, str]) -> Glance:
    """The sentence and the groups: datasets in report order, then the runs."""
    names: list[str | None] = [d.name for d in report.datasets]
    named = [r.dataset for r in report.verdict.reasons] + [
        f.dataset for f in report.verdict.findings
    ]
    names += [n for n in dict.fromkeys(named) if n not in names]
    groups = []
    for name in names:
        reasons = tuple(
            sorted((r for r in report.verdict.reasons if r.dataset == name),
                   key=lambda r: _SEVERITY_ORDER.get(r.severity, 3))
        )  # fmt: skip
        findings = [f for f in report.verdict.findings if f.dataset == name]
        if not reasons and not findings:
            continue
        said = {r.message for r in reasons}
        classes = tuple(
            ClassGroup(c, label, tuple(f for f in findings if f.classification == c),
                       tuple(f for f in findings if f.classification == c
                             and not (c == "unexpected" and f.message in said)))
            for c, label in CLASSES
        )  # fmt: skip
        counts = tuple(len(g.findings) for g in classes)
        title = name if name is not None else RUN if report.run is not None else OVERALL
        anchor = None if name is None else anchors.get(name)
        groups.append(Group(title, anchor, status_of(reasons), reasons, counts,
                            tuple(g for g in classes if g.findings)))  # fmt: skip
    totals = tuple(sum(g.counts[i] for g in groups) for i in range(len(CLASSES)))
    return Glance(sentence(report), tuple(groups), totals)
