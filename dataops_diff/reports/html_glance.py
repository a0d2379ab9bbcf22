"""The decision at a glance: one sentence (the verdict and why), then the classified differences
grouped by dataset and by class, with counts.

The words are the ones every renderer shares (``summary.decision``, ``summary.grouped``): the
terminal, the Markdown comment and this page say the same thing. A reviewer reads the sentence
and the grid first; every reason and finding is one click away, grouped where it applies instead
of fifteen lines of equal weight.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Reason, Report, VerdictStatus
from . import summary
from .summary import CLASS_MARK, CLASSES, ClassGroup

# the classes in reading order, each with the words of the grid's header
LABELS: tuple[tuple[str, str], ...] = tuple((c, f"{CLASS_MARK[c]} {c}") for c in CLASSES)
MAX_LISTED = 15  # items of one class shown before "N more"


@dataclass(frozen=True)
class Group:
    """One dataset's (or the run's) classified differences."""

    name: str
    anchor: str | None  # the dataset's section, None for the run
    status: VerdictStatus
    counts: tuple[int, ...]  # per class, in CLASSES order
    classes: tuple[ClassGroup, ...]  # classes with items only

    @property
    def open(self) -> bool:
        return self.status in ("FAIL", "ERROR")


@dataclass(frozen=True)
class Glance:
    sentence: str
    groups: tuple[Group, ...]
    totals: tuple[int, ...]  # per class over all groups

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


def glance(report: Report, anchors: dict[str, str]) -> Glance:
    """The sentence and the groups: datasets in report order, then the run."""
    groups = []
    for g in summary.grouped(report):
        reasons = [r for r in report.verdict.reasons if r.dataset == g.dataset]
        anchor = None if g.dataset is None else anchors.get(g.dataset)
        counts = tuple(g.count(c) for c in CLASSES)
        groups.append(Group(g.title, anchor, status_of(reasons), counts, g.classes))
    totals = tuple(sum(g.counts[i] for g in groups) for i in range(len(CLASSES)))
    return Glance(summary.decision(report), tuple(groups), totals)
