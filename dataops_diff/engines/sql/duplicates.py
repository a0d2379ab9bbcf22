"""Duplicate-key groups: keys on both sides and duplicated on at least one, compared as
multisets of rows (exact values, order never matters), and samples of the groups that differ.
Written once over a ``Dialect``; pure string building.

Queries that read the persisted groups (``views.dups``) use subqueries, not CTEs: Spark does not
substitute cached data inside CTE definitions.
"""

from __future__ import annotations

from ...spec import DatasetSpec
from ..arrow_types import category
from ..plan import Plan
from .compare import SHARED_GROUP, Views, both_keys, key_names, key_select, normalized, on, shown
from .dialect import Dialect


def duplicate_groups(d: Dialect, plan: Plan, spec: DatasetSpec, views: Views) -> str:
    """Keys present on both sides and duplicated on at least one: compared as multisets."""
    keys = ", ".join(key_names(plan))
    np, nc = d.count_if("__side = 1"), d.count_if("__side = 2")
    return f"""
SELECT {keys} FROM (
    SELECT {keys}, {np} AS np, {nc} AS nc FROM ({both_keys(d, plan, spec, views)}) k
    GROUP BY {keys}
) g WHERE {SHARED_GROUP}"""


def _group_rows(
    d: Dialect, plan: Plan, spec: DatasetSpec, views: Views, side: str, tag: int
) -> str:
    """One side's rows of the shared groups: normalized keys, compared values, a side tag."""
    prod = side == "production"
    names = [plan.sql_name(side, p.name if prod else p.candidate_name) for p in plan.compared]
    vals = [
        f"{normalized(d, name, pair, spec)} AS __v{i}"
        for i, (name, pair) in enumerate(zip(names, plan.compared, strict=True))
    ]
    cols = ", ".join([key_select(d, plan, spec, side), *vals, f"{tag} AS __side"])
    view = views.production if prod else views.candidate
    rows = f"(SELECT {cols} FROM {view}) r"
    return f"SELECT r.* FROM {rows} {d.semi_join} {views.dups} x ON {on(d, plan, 'r', 'x')}"


def _multisets(d: Dialect, plan: Plan, spec: DatasetSpec, views: Views) -> str:
    """Per group and distinct row (key and compared values): its rows on each side."""
    keys = ", ".join(key_names(plan))
    vals = "".join(f", __v{i}" for i in range(len(plan.compared)))
    union = (
        f"{_group_rows(d, plan, spec, views, 'production', 1)} UNION ALL "
        f"{_group_rows(d, plan, spec, views, 'candidate', 2)}"
    )
    return f"""
    SELECT {keys}{vals}, {d.count_if("__side = 1")} AS np, {d.count_if("__side = 2")} AS nc
    FROM ({union}) u GROUP BY {keys}{vals}"""


def duplicate_pass(d: Dialect, plan: Plan, spec: DatasetSpec, views: Views) -> str:
    """How many groups differ, and their rows with no identical row on the other side."""
    group = d.struct({f"k{i}": f"__k{i}" for i in range(len(plan.keys))})
    return f"""
SELECT count(DISTINCT CASE WHEN np <> nc THEN {group} END) AS differing,
       coalesce(sum(greatest(np - nc, 0)), 0) AS unmatched_production,
       coalesce(sum(greatest(nc - np, 0)), 0) AS unmatched_candidate
FROM ({_multisets(d, plan, spec, views)}) g"""


def differing_group_rows(
    d: Dialect, plan: Plan, spec: DatasetSpec, views: Views, side: str, n: int
) -> str:
    """One side's rows of the first ``n`` differing groups by key order, at most ``n`` rows a
    group (ordered by their values, never by the order rows were read in): the normalized key
    as ``k{i}``, then each shown column as ``v{j}``."""
    prod = side == "production"
    keys = key_names(plan)
    order = ", ".join(f"{k} ASC NULLS LAST" for k in keys)
    chosen = (
        f"SELECT {', '.join(keys)} FROM ({_multisets(d, plan, spec, views)}) g WHERE np <> nc "
        f"GROUP BY {', '.join(keys)} ORDER BY {order} LIMIT {int(n)}"
    )
    columns = plan.production_columns if prod else plan.candidate_columns
    shown_cols = [
        f"{shown(d, d.q(plan.sql_name(side, c.name)), category(c.type), c.type)} AS v{j}"
        for j, c in enumerate(columns)
    ]
    view = views.production if prod else views.candidate
    rows = f"(SELECT {key_select(d, plan, spec, side)}, {', '.join(shown_cols)} FROM {view}) r"
    values = ", ".join(f"v{j} ASC NULLS LAST" for j in range(len(columns)))
    shown_keys = ", ".join(
        f"{shown(d, k, p.production_category, p.production_type)} AS k{i}"
        for i, (k, p) in enumerate(zip(keys, plan.keys, strict=True))
    )
    outputs = ", ".join(f"v{j}" for j in range(len(columns)))
    return f"""
SELECT {shown_keys}, {outputs} FROM (
    SELECT r.*, row_number() OVER (PARTITION BY {", ".join(keys)} ORDER BY {values}) AS __rn
    FROM {rows} {d.semi_join} ({chosen}) s ON {on(d, plan, "r", "s")}
) WHERE __rn <= {int(n)} ORDER BY {order}, {values}"""
