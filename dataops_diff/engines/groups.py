"""Duplicate-key groups in a result: compared as multisets (``sql.duplicates``), the first
differing ones sampled, and their rows counted so that each side's row figures add up.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from ..model import Duplicates, JSONValue, ValueSample
from ..spec import DatasetSpec
from .plan import Plan
from .results import KeyCounts, Row, duplicates_of, jsonable
from .sql import duplicates
from .sql.compare import Views
from .sql.dialect import Dialect

OneFn = Callable[[str, str], Row]  # (phase, query) -> the query's one row
AllFn = Callable[[str, str], Sequence[Row]]  # (phase, query) -> its rows


def compare_groups(
    one: OneFn, rows: AllFn, d: Dialect, plan: Plan, spec: DatasetSpec, views: Views, k: KeyCounts
) -> Duplicates:
    """The duplicate-key groups compared as multisets, and the first differing ones sampled."""
    query = duplicates.duplicate_pass(d, plan, spec, views)
    found = duplicates_of(k, one("comparing duplicate keys", query))
    if not (found.groups_differing and spec.samples):
        return found
    sides = [
        rows(
            "sampling duplicate keys",
            duplicates.differing_group_rows(d, plan, spec, views, side, spec.samples),
        )
        for side in ("production", "candidate")
    ]
    return replace(found, samples=group_samples(plan, *sides))


def group_samples(
    plan: Plan, production: Sequence[Row], candidate: Sequence[Row]
) -> tuple[ValueSample, ...]:
    """Rows of ``sql.duplicates.differing_group_rows`` of both sides as one sample a group: the
    key, then each side's rows (objects by column name), in key order."""
    names = [k.name for k in plan.keys]
    groups: dict[str, tuple[dict[str, JSONValue], list[JSONValue], list[JSONValue]]] = {}
    for rows, columns, at in (
        (production, plan.production_columns, 1),
        (candidate, plan.candidate_columns, 2),
    ):
        for r in rows:
            key = {n: jsonable(r[f"k{i}"]) for i, n in enumerate(names)}
            row: JSONValue = {c.name: jsonable(r[f"v{j}"]) for j, c in enumerate(columns)}
            group = groups.setdefault(repr(key), (key, [], []))
            group[at].append(row)  # type: ignore[union-attr]
    return tuple(ValueSample(key, p, c) for key, p, c in groups.values())
