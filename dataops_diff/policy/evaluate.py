"""Pure: (dataset diffs, run comparison, policy) -> Verdict. No I/O.

The default policy is strict: every difference that survived the tolerances and ignores fails.
A policy declares expected changes, tolerates differences up to limits, allows schema changes, and
can turn any rule into a warning. See docs/policy.md.
"""

from __future__ import annotations

from ..model import DatasetDiff, DatasetFloor, RunComparison, Verdict, VerdictStatus
from .checks import check_dataset
from .config import Policy
from .names import check_names, names_in
from .noise import floor_of
from .run_checks import check_run
from .scope import Outcome, Scope, column_scope, dataset_scope, where


def evaluate(
    datasets: tuple[DatasetDiff, ...],
    run: RunComparison | None,
    policy: Policy | None = None,
    floor: tuple[DatasetFloor, ...] | None = None,
) -> Verdict:
    """``floor``: the noise floor learnt from a baseline (None: no baseline); differences within
    it are classified ``noise`` (policy/noise.py, docs/noise.md)."""
    policy = policy or Policy()
    if datasets:  # with none (production failed), there is nothing a name could match
        check_names(policy, *names_in(datasets))  # raises: a misspelt name must not pass
    out = Outcome()
    if run is not None:
        check_run(out, run, policy)
    expected_datasets, expected_columns = _expected(out, datasets, policy)
    for d in datasets:
        expected = expected_columns.get(d.name, frozenset())
        own = floor_of(floor, d.name)
        check_dataset(out, d, policy, d.name in expected_datasets, expected, own, floor is not None)
    reasons = sorted(out.reasons, key=lambda r: r.severity != "fail")  # stable: fail first
    status: VerdictStatus = "PASS"
    if reasons:
        status = "FAIL" if reasons[0].severity == "fail" else "WARN"
    return Verdict(status, tuple(reasons), tuple(out.findings))


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
    """Resolve the declared changes and say whether each happened."""
    columns = names_in(datasets)[0]
    ds_names = {d.name for d in datasets if policy.dataset(d.name).expect_change}
    cols: dict[str, set[str]] = {
        d.name: {
            c
            for c in columns[d.name]
            if any(cp.expect_change for cp in policy.column_levels(d.name, c))
        }
        for d in datasets
    }
    for target in () if datasets else policy.expect_changes:  # a change that cannot happen
        out.violate(
            "expected_change",
            Scope(policy.rules).severity("expected_change"),
            f"expected change '{target}': no dataset was compared",
            measured="no match",
            limit=target,
        )
    for target in policy.expect_changes:  # check_names made sure that each matches something
        for d in datasets:
            if target == d.name:
                ds_names.add(d.name)
            cols[d.name].update(c for c in columns[d.name] if target in (c, f"{d.name}.{c}"))
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
