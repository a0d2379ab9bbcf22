"""The machinery the rule checks share: which limits apply where, and the verdict being built."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Classification, Finding, Reason, Severity
from .config import STRICT, Limit, Policy, Rules, format_share


class Scope:
    """The rules that apply at one place, column -> dataset -> top -> strict default."""

    def __init__(self, *levels: Rules, own: int = 0) -> None:
        self.levels = (*levels, STRICT)
        self.own = own  # how many of the levels are the column's own tables

    def limit(self, name: str) -> Limit | None:
        for level in self.levels:
            value = getattr(level, name)
            if value is not None:
                assert isinstance(value, Limit)
                return value
        return None

    def allowed(self, name: str) -> bool:
        for level in self.levels:
            value = getattr(level, name)
            if value is not None:
                return bool(value)
        return False

    def ratio(self, name: str) -> float | None:
        for level in self.levels:
            value = getattr(level, name)
            if value is not None:
                return float(value)
        return None

    def set_on_column(self, name: str) -> bool:
        """Whether the column's own tables set ``name`` (not a dataset or top-level default)."""
        return any(getattr(level, name) is not None for level in self.levels[: self.own])

    def severity(self, rule: str, default: Severity = "fail") -> Severity:
        for level in self.levels:
            if rule in level.severity:
                return level.severity[rule]
        return default


def dataset_scope(policy: Policy, dataset: str) -> Scope:
    return Scope(policy.dataset(dataset).rules, policy.rules)


def column_scope(policy: Policy, dataset: str, column: str) -> Scope:
    own = tuple(c.rules for c in policy.column_levels(dataset, column))
    return Scope(*own, policy.dataset(dataset).rules, policy.rules, own=len(own))


@dataclass
class Outcome:
    """The reasons and findings gathered so far, in evaluation order."""

    reasons: list[Reason] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def classify(
        self,
        kind: str,
        classification: Classification,
        message: str,
        dataset: str | None = None,
        column: str | None = None,
    ) -> None:
        self.findings.append(Finding(kind, classification, message, dataset, column))

    def violate(
        self,
        rule: str,
        severity: Severity,
        message: str,
        *,
        kind: str | None = None,
        dataset: str | None = None,
        column: str | None = None,
        measured: float | str | None = None,
        limit: float | str | None = None,
    ) -> None:
        """A reason; and, when ``kind`` is given, an unexpected finding for the difference."""
        self.reasons.append(Reason(rule, severity, message, dataset, column, measured, limit))
        if kind is not None:
            self.classify(kind, "unexpected", message, dataset, column)

    def not_measured(
        self,
        rule: str,
        what: str,
        why: str,
        limit: float,
        limit_text: str,
        dataset: str | None = None,
        column: str | None = None,
    ) -> None:
        """A limit that could not be checked: always a warning, never silently a pass."""
        where = _where(dataset, column)
        message = f"{where}{what} not measured ({why}), limit {limit_text}"
        self.reasons.append(Reason(rule, "warn", message, dataset, column, "not measured", limit))


def _where(dataset: str | None, column: str | None) -> str:
    if dataset is None:
        return ""
    return f"{dataset}.{column}: " if column is not None else f"{dataset}: "


def where(dataset: str, column: str | None = None) -> str:
    return f"{dataset}.{column}" if column is not None else dataset


def check_rows(
    out: Outcome,
    scope: Scope,
    *,
    rule: str,
    limit_name: str,
    kind: str,
    noun: str,
    verb: str,
    count: int,
    total: int,
    dataset: str,
    column: str | None = None,
    expected: bool = False,
) -> None:
    """Classify ``count`` of ``total`` rows against a row limit ("95 of 5,000 rows changed")."""
    if count == 0:
        return
    place = where(dataset, column)
    share = count / total if total else 1.0
    counted = f"{count:,} of {total:,} {noun} {verb}"
    if expected:
        out.classify(kind, "expected", f"{place}: {counted}, expected", dataset, column)
        return
    limit = scope.limit(limit_name)
    if limit is None:
        return
    if limit.share:
        detail = f"{place}: {format_share(share)} of {noun} {verb} ({count:,} of {total:,})"
        measured: float = share
    else:
        detail = f"{place}: {counted} ({format_share(share)})"
        measured = count
    if limit.allows(count, total):
        out.classify(kind, "tolerated", f"{detail}, within limit {limit}", dataset, column)
    else:
        out.violate(
            rule,
            scope.severity(rule),
            f"{detail}, limit {limit}",
            kind=kind,
            dataset=dataset,
            column=column,
            measured=measured,
            limit=limit.value,
        )
