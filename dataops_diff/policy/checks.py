"""The rule checks on one dataset: datasets present, schema, rows, values, distribution shift.

Each check classifies a difference as expected, tolerated or unexpected (``Finding``) and, for an
unexpected one, adds a ``Reason`` with the rule's severity at that place.
"""

from __future__ import annotations

from ..model import ColumnDiff, DatasetDiff, DatasetFloor
from .config import Policy, exact
from .noise import column_noise, no_floor, noise, rows_noise
from .rules import SHIFT_LABEL, SHIFT_MEASURES
from .scope import Outcome, Scope, check_rows, column_scope, dataset_scope, where


def check_dataset(
    out: Outcome,
    d: DatasetDiff,
    policy: Policy,
    expected_dataset: bool,
    expected_columns: frozenset[str],
    floor: DatasetFloor | None = None,
    baseline: bool = False,
) -> None:
    """``floor``: the dataset's noise floor; ``baseline``: whether one was learnt at all."""
    scope = dataset_scope(policy, d.name)
    if d.status != "compared":
        _check_presence(out, d, policy, scope, expected_dataset)
        return
    if baseline and floor is None and d.has_differences:
        no_floor(out, d.name)
    _check_schema(out, d, policy, expected_dataset, expected_columns)
    _check_row_counts(out, d, scope, expected_dataset, policy, floor)
    if d.duplicates.groups_differing:
        check_rows(
            out,
            scope,
            rule="duplicates",
            limit_name="max_duplicate_groups",
            kind="duplicates",
            noun="duplicate-key groups",
            verb="differ",
            count=d.duplicates.groups_differing,
            total=d.duplicates.groups,
            dataset=d.name,
            expected=expected_dataset,
        )
    if scope.limit("max_dataset_changed_rows") is not None:
        check_rows(
            out,
            scope,
            rule="dataset_changed_rows",
            limit_name="max_dataset_changed_rows",
            kind="changed_rows",
            noun="matched rows",
            verb="changed",
            count=d.rows_with_differences,
            total=d.matched_rows,
            dataset=d.name,
            expected=expected_dataset,
        )
    any_profile = any(c.shift is not None for c in d.columns)
    for col in d.columns:
        col_scope = column_scope(policy, d.name, col.name)
        expected = expected_dataset or bool({col.name, col.candidate_name} & expected_columns)
        why = (
            None if expected or floor is None else column_noise(col, floor.column(col.name), policy)
        )
        within = None if expected or why is not None else _within_magnitude(col, col_scope)
        counted = f"{where(d.name, col.name)}: {col.unequal:,} of {col.compared:,} rows changed"
        if why is not None:
            noise(out, policy, "values", f"{counted}, {why}", d.name, col.name)
        elif within is not None:
            out.classify("values", "tolerated", f"{counted}, {within}", d.name, col.name)
        else:
            check_rows(
                out,
                col_scope,
                rule="changed_rows",
                limit_name="max_changed_rows",
                kind="values",
                noun="rows",
                verb="changed",
                count=col.unequal,
                total=col.compared,
                dataset=d.name,
                column=col.name,
                expected=expected,
            )
        _check_shift(out, d.name, col, col_scope, any_profile)


def _within_magnitude(col: ColumnDiff, scope: Scope) -> str | None:
    """``max_abs_diff`` / ``max_rel_diff``: a numeric column whose every change is that small is
    tolerated however many rows changed; None when a bound is unset, exceeded or cannot apply
    (not a number, or nulls appeared or vanished: no magnitude covers those). Exact."""
    bounds: list[tuple[str, float, float | None]] = []
    for name in ("max_abs_diff", "max_rel_diff"):
        limit = scope.ratio(name)
        if limit is not None:
            bounds.append((name, limit, getattr(col, name)))
    if not bounds or not col.unequal or col.null_to_value or col.value_to_null:
        return None
    if any(got is None or exact(got) > exact(limit) for _, limit, got in bounds):
        return None
    within = " and ".join(f"{name} {got:.3g} within {limit:g}" for name, limit, got in bounds)
    return f"every change within its bound ({within})"


def _check_presence(
    out: Outcome, d: DatasetDiff, policy: Policy, scope: Scope, expected: bool
) -> None:
    if d.status == "only_in_candidate":
        rule, kind, allowed, what = (
            "new_datasets",
            "dataset_added",
            policy.allow_new_datasets,
            "new",
        )
        rows, side = d.candidate_rows, "candidate"
    else:
        rule, kind, allowed = "missing_datasets", "dataset_removed", policy.allow_missing_datasets
        what, rows, side = "missing", d.production_rows, "production"
    size = f", {rows:,} rows" if rows is not None else ""
    message = f"{d.name}: {what} dataset, only in {side}{size}"
    if expected:
        out.classify(kind, "expected", f"{message}, expected", d.name)
    elif allowed:
        out.classify(kind, "tolerated", f"{message}, allowed", d.name)
    else:
        out.violate(
            rule,
            scope.severity(rule),
            f"{message}, not allowed",
            kind=kind,
            dataset=d.name,
            measured=what,
            limit="not allowed",
        )


def _check_schema(
    out: Outcome,
    d: DatasetDiff,
    policy: Policy,
    expected_dataset: bool,
    expected_columns: frozenset[str],
) -> None:
    changes: list[tuple[str, str, str, str]] = []  # (column, rule, kind, description)
    for c in d.schema.only_in_candidate:
        changes.append((c.name, "added_columns", "column_added", f"column added ({c.type})"))
    for c in d.schema.only_in_production:
        changes.append((c.name, "removed_columns", "column_removed", f"column removed ({c.type})"))
    for tc in d.schema.type_changes:
        desc = f"type changed from {tc.production_type} to {tc.candidate_type}"
        changes.append((tc.column, "type_changes", "type_change", desc))
    for column, rule, kind, desc in changes:
        scope = column_scope(policy, d.name, column)
        message = f"{where(d.name, column)}: {desc}"
        if expected_dataset or column in expected_columns:
            out.classify(kind, "expected", f"{message}, expected", d.name, column)
        elif scope.allowed(f"allow_{rule}"):
            out.classify(kind, "tolerated", f"{message}, allowed", d.name, column)
        else:
            out.violate(
                rule,
                scope.severity(rule),
                f"{message}, not allowed",
                kind=kind,
                dataset=d.name,
                column=column,
                measured=desc,
                limit="not allowed",
            )


def _check_row_counts(
    out: Outcome,
    d: DatasetDiff,
    scope: Scope,
    expected: bool,
    policy: Policy,
    floor: DatasetFloor | None,
) -> None:
    production, candidate = d.production_rows or 0, d.candidate_rows or 0
    for side, count, total, floor_count in (
        ("production", d.only_in_production, production, floor and floor.only_in_production),
        ("candidate", d.only_in_candidate, candidate, floor and floor.only_in_baseline),
    ):
        if not expected and floor_count and rows_noise(count, floor_count, policy):
            message = (f"{d.name}: {count:,} rows only in {side}, within the noise floor "
                       f"({floor_count:,} between production and its baseline)")  # fmt: skip
            noise(out, policy, f"rows_only_in_{side}", message, d.name)
            continue
        check_rows(
            out,
            scope,
            rule=f"only_in_{side}",
            limit_name=f"max_only_in_{side}",
            kind=f"rows_only_in_{side}",
            noun="rows",
            verb=f"only in {side}",
            count=count,
            total=total,
            dataset=d.name,
            expected=expected,
        )
    limit = scope.limit("max_row_count_change")
    change = candidate - production
    if limit is None or change == 0 or d.production_rows is None or d.candidate_rows is None:
        return
    share = abs(change) / production if production else 1.0
    pct = f"{'+' if change > 0 else '-'}{share * 100:.3g}%" if production else "new rows"
    message = f"{d.name}: row count {production:,} -> {candidate:,} ({change:+,}, {pct})"
    if expected:
        out.classify("row_count", "expected", f"{message}, expected", d.name)
    elif limit.allows(abs(change), production):
        out.classify("row_count", "tolerated", f"{message}, within limit {limit}", d.name)
    else:
        out.violate(
            "row_count",
            scope.severity("row_count"),
            f"{message}, limit {limit}",
            kind="row_count",
            dataset=d.name,
            measured=share if limit.share else abs(change),
            limit=limit.value,
        )


def _check_shift(
    out: Outcome, dataset: str, col: ColumnDiff, scope: Scope, any_profile: bool
) -> None:
    for measure in SHIFT_MEASURES:
        name = f"max_{measure}"
        limit = scope.ratio(name)
        if limit is None:
            continue
        label = SHIFT_LABEL[measure]
        value = getattr(col.shift, measure) if col.shift is not None else None
        if value is None:
            # Say so where it matters: a limit set on this column, or no profiles at all.
            if scope.set_on_column(name):
                why = "no profile" if col.shift is None else "does not apply to this column"
                out.not_measured(measure, label, why, limit, f"{limit:g}", dataset, col.name)
            elif not any_profile and not _reported(out, measure, dataset):
                out.not_measured(measure, label, "no column profiles", limit, f"{limit:g}", dataset)
            continue
        measured = abs(float(value))
        message = f"{where(dataset, col.name)}: {label} {measured:.3g}"
        if measured <= limit:
            if measured > 0:
                out.classify(
                    "shift", "tolerated", f"{message}, within limit {limit:g}", dataset, col.name
                )
            continue
        out.violate(
            measure,
            scope.severity(measure),
            f"{message}, limit {limit:g}",
            kind="shift",
            dataset=dataset,
            column=col.name,
            measured=measured,
            limit=limit,
        )


def _reported(out: Outcome, rule: str, dataset: str) -> bool:
    """Whether a dataset-wide reason for ``rule`` exists: 'no profiles' is said once per dataset."""
    return any(r.rule == rule and r.dataset == dataset and r.column is None for r in out.reasons)
