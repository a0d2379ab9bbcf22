"""Pure: (dataset diffs, run comparison, policy) -> Verdict. No I/O.

The default policy is strict: every difference that survived the tolerances and ignores fails.
A policy declares expected changes, tolerates differences up to limits, allows schema changes, and
can turn any rule into a warning. See docs/policy.md.
"""

from __future__ import annotations

from .model import DatasetDiff, RunComparison, Verdict, VerdictStatus
from .policy_config import (
    RULES,
    ColumnPolicy,
    DatasetPolicy,
    FailOn,
    Limit,
    Policy,
    Rules,
    format_share,
)
from .policy_parse import parse_limit, parse_ratio, policy_from_dict
from .policy_rules import check_dataset
from .policy_run import check_run
from .policy_scope import Outcome, Scope, column_scope, dataset_scope, where

__all__ = [
    "RULES",
    "ColumnPolicy",
    "DatasetPolicy",
    "FailOn",
    "Limit",
    "Policy",
    "Rules",
    "evaluate",
    "format_share",
    "parse_limit",
    "parse_ratio",
    "policy_from_dict",
]


def evaluate(
    datasets: tuple[DatasetDiff, ...], run: RunComparison | None, policy: Policy | None = None
) -> Verdict:
    policy = policy or Policy()
    out = Outcome()
    if run is not None:
        check_run(out, run, policy)
    expected_datasets, expected_columns = _expected(out, datasets, policy)
    for d in datasets:
        check_dataset(
            out, d, policy, d.name in expected_datasets, expected_columns.get(d.name, frozenset())
        )
    _check_policy_names(out, datasets, policy)
    reasons = sorted(out.reasons, key=lambda r: r.severity != "fail")  # stable: fail first
    status: VerdictStatus = "PASS"
    if reasons:
        status = "FAIL" if reasons[0].severity == "fail" else "WARN"
    return Verdict(status, tuple(reasons), tuple(out.findings))


def _column_names(d: DatasetDiff) -> set[str]:
    names = {c.name for c in d.columns} | {c.candidate_name for c in d.columns}
    names |= {c.name for c in d.schema.only_in_production + d.schema.only_in_candidate}
    return names | {t.column for t in d.schema.type_changes}


def _column_change(d: DatasetDiff, column: str) -> str | None:
    """How a column changed ("95 rows changed", "type changed"), or None when it did not."""
    schema = d.schema
    if column in {c.name for c in schema.only_in_production}:
        return "column removed"
    if column in {c.name for c in schema.only_in_candidate}:
        return "column added"
    if column in {t.column for t in schema.type_changes}:
        return "type changed"
    rows = sum(c.unequal for c in d.columns if column in (c.name, c.candidate_name))
    return f"{rows:,} rows changed" if rows else None


def _dataset_change(d: DatasetDiff) -> str | None:
    if d.status != "compared":
        return d.status.replace("_", " ")
    return "it differs" if d.has_differences else None


def _expected(
    out: Outcome, datasets: tuple[DatasetDiff, ...], policy: Policy
) -> tuple[set[str], dict[str, frozenset[str]]]:
    """Resolve the declared changes; say whether each happened; flag those that match nothing."""
    ds_names = {d.name for d in datasets if policy.dataset(d.name).expect_change}
    cols: dict[str, set[str]] = {
        d.name: {
            c
            for c in _column_names(d)
            if any(cp.expect_change for cp in policy.column_levels(d.name, c))
        }
        for d in datasets
    }
    for target in policy.expect_changes:
        matched = False
        for d in datasets:
            if target == d.name:
                ds_names.add(d.name)
                matched = True
            for c in _column_names(d):
                if target in (c, f"{d.name}.{c}"):
                    cols[d.name].add(c)
                    matched = True
        if not matched:
            out.violate(
                "expected_change",
                Scope(policy.rules).severity("expected_change"),
                f"expected change '{target}' matches no compared dataset or column",
                measured="no match",
                limit=target,
            )
    for d in datasets:
        if d.name in ds_names:
            _declared(out, dataset_scope(policy, d.name), d.name, None, _dataset_change(d))
        for c in sorted(cols[d.name]):
            _declared(out, column_scope(policy, d.name, c), d.name, c, _column_change(d, c))
    return ds_names, {n: frozenset(c) for n, c in cols.items()}


def _declared(
    out: Outcome, scope: Scope, dataset: str, column: str | None, change: str | None
) -> None:
    place = where(dataset, column)
    if change is not None:
        out.classify(
            "expected_change",
            "expected",
            f"{place}: changed as declared ({change})",
            dataset,
            column,
        )
        return
    what = "no value changed" if column else "nothing changed"
    out.violate(
        "expected_change",
        scope.severity("expected_change"),
        f"{place}: declared as an expected change, but {what}",
        kind="expected_change",
        dataset=dataset,
        column=column,
        measured="unchanged",
        limit="changed",
    )


def _check_policy_names(out: Outcome, datasets: tuple[DatasetDiff, ...], policy: Policy) -> None:
    """A policy table for a dataset or column that was not compared is most likely a typo."""
    by_name = {d.name: d for d in datasets}
    severity = Scope(policy.rules).severity("policy", default="warn")

    def unknown(place: str, what: str, dataset: str | None, column: str | None) -> None:
        message = f"{place}: the policy names a {what} that was not compared"
        out.violate(
            "policy", severity, message, dataset=dataset, column=column, measured="not compared"
        )

    for name, dp in policy.datasets.items():
        d = by_name.get(name)
        if d is None:
            unknown(name, "dataset", name, None)
            continue
        for column in sorted(set(dp.columns) - _column_names(d)):
            unknown(f"{name}.{column}", "column", name, column)
    targets = {t for d in datasets for c in _column_names(d) for t in (c, f"{d.name}.{c}")}
    for target in sorted(set(policy.columns) - targets):
        unknown(target, "column", None, target)
