"""Spark SQL text for the Spark engine. Pure string building: no session, no I/O.

The passes and their semantics mirror ``duckdb_sql`` (see its docstrings); the conformance table
(tests/conformance.py) holds both engines to the same results. Differences of dialect:
``<=>`` for IS NOT DISTINCT FROM, backquoted identifiers, ``count_if``, explicit GROUP BY lists,
``NULLS LAST`` orderings (DuckDB sorts nulls last, Spark first), no ``isfinite``, and exact
integer differences through DECIMAL(20, 0) instead of HUGEINT.

The two versions are temp views whose names the caller passes (``Views``): a Spark session may be
shared with the user's own views, so nothing here assumes fixed names. Queries that read a
persisted view (``dups``, ``diff``) use subqueries, not CTEs: Spark does not substitute cached
data inside CTE definitions, and would recompute the persisted result from the sources.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..plan import ColumnPair, Plan, category
from ..spec import DatasetSpec

WHITESPACE = "' \t\n\r\x0b\x0c'"  # the characters themselves: independent of escape settings
P_MARK, C_MARK = "__dd_in_production", "__dd_in_candidate"


@dataclass(frozen=True)
class Views:
    production: str
    candidate: str
    dups: str  # keys duplicated on a side and present on both
    diff: str  # the rows that differ at all (persisted by the engine)


def q(name: str) -> str:
    """Quote an identifier."""
    return "`" + name.replace("`", "``") + "`"


def literal(value: float) -> str:
    return f"CAST('{float(value)!r}' AS DOUBLE)"


def finite(x: str) -> str:
    """NULL for NULL (like DuckDB's isfinite); false for NaN and ±inf."""
    return f"(NOT isnan({x}) AND abs({x}) < CAST('Infinity' AS DOUBLE))"


def normalized(column: str, pair: ColumnPair, spec: DatasetSpec) -> str:
    expr = q(column)
    if pair.as_text:
        expr = f"CAST({expr} AS STRING)"
    if pair.string:
        if spec.ignore_spaces:
            expr = f"trim(BOTH {WHITESPACE} FROM {expr})"
        if spec.ignore_case:
            expr = f"lower({expr})"
    return expr


def shown(expr: str, category: str, arrow_type: str = "") -> str:
    """A value as a sample shows it, in DuckDB's text forms (timestamps with a zone: ``+00``)."""
    if category == "temporal" and "tz=" in arrow_type:
        return f"concat(CAST({expr} AS STRING), '+00')"  # the session time zone is UTC
    if category in ("decimal", "temporal", "other"):
        return f"CAST({expr} AS STRING)"
    if category == "binary":
        return f"concat('0x', hex({expr}))"
    return expr


def equal(p: str, c: str, pair: ColumnPair) -> str:
    """Never NULL. null == null, NaN == NaN, NaN != null, -0.0 == 0.0; tolerance is symmetric."""
    same = f"({p} <=> {c})"
    if not pair.tolerant:
        return same
    pd, cd = f"CAST({p} AS DOUBLE)", f"CAST({c} AS DOUBLE)"
    within = (
        f"{abs_diff(p, c, pair)} <= {literal(pair.abs_tol)} + {literal(pair.rel_tol)}"
        f" * greatest(abs({pd}), abs({cd}))"
    )
    return f"({same} OR coalesce({finite(pd)} AND {finite(cd)} AND {within}, false))"


def abs_diff(p: str, c: str, pair: ColumnPair) -> str:
    """|p - c| as DOUBLE; two integers subtract exactly and round once."""
    if pair.production_category == pair.candidate_category == "integer":
        return f"CAST(abs(CAST({p} AS DECIMAL(20, 0)) - CAST({c} AS DECIMAL(20, 0))) AS DOUBLE)"
    return f"abs(CAST({p} AS DOUBLE) - CAST({c} AS DOUBLE))"


def _key_select(plan: Plan, spec: DatasetSpec, side: str, alias: str = "__k") -> str:
    exprs = []
    for i, k in enumerate(plan.keys):
        name = k.name if side == "production" else k.candidate_name
        exprs.append(f"{normalized(name, k, spec)} AS {alias}{i}")
    return ", ".join(exprs)


def key_names(plan: Plan, prefix: str = "", alias: str = "__k") -> list[str]:
    return [f"{prefix}{alias}{i}" for i in range(len(plan.keys))]


def order_by(plan: Plan, prefix: str = "", alias: str = "__k") -> str:
    return ", ".join(f"{k} ASC NULLS LAST" for k in key_names(plan, prefix, alias))


def _both_keys(plan: Plan, spec: DatasetSpec, views: Views) -> str:
    return f"""
    SELECT {_key_select(plan, spec, "production")}, 1 AS __side FROM {views.production}
    UNION ALL
    SELECT {_key_select(plan, spec, "candidate")}, 2 AS __side FROM {views.candidate}"""


def key_pass(plan: Plan, spec: DatasetSpec, views: Views) -> str:
    """One pass over the key columns only: row counts, matches, duplicates, null keys."""
    keys = ", ".join(key_names(plan))
    any_null = " OR ".join(f"__k{i} IS NULL" for i in range(len(plan.keys)))
    return f"""
WITH k AS ({_both_keys(plan, spec, views)}
), g AS (
    SELECT {keys}, count_if(__side = 1) AS np, count_if(__side = 2) AS nc,
           ({any_null}) AS __null_key
    FROM k GROUP BY {keys}
)
SELECT
    coalesce(sum(np), 0), coalesce(sum(nc), 0),
    coalesce(sum(np) FILTER (WHERE nc = 0), 0), coalesce(sum(nc) FILTER (WHERE np = 0), 0),
    count_if(np = 1 AND nc = 1),
    count_if(np > 1), coalesce(sum(np) FILTER (WHERE np > 1), 0),
    count_if(nc > 1), coalesce(sum(nc) FILTER (WHERE nc > 1), 0),
    count_if(np >= 1 AND nc >= 1 AND (np > 1 OR nc > 1)),
    coalesce(sum(np) FILTER (WHERE __null_key), 0), coalesce(sum(nc) FILTER (WHERE __null_key), 0)
FROM g"""


def duplicate_groups(plan: Plan, spec: DatasetSpec, views: Views) -> str:
    """Keys present on both sides and duplicated on at least one: compared as multisets."""
    keys = ", ".join(key_names(plan))
    return f"""
WITH k AS ({_both_keys(plan, spec, views)})
SELECT {keys} FROM k GROUP BY {keys}
HAVING count_if(__side = 1) >= 1 AND count_if(__side = 2) >= 1
   AND (count_if(__side = 1) > 1 OR count_if(__side = 2) > 1)"""


def _on(plan: Plan, left: str, right: str, right_alias: str = "__k") -> str:
    return " AND ".join(
        f"{left}.__k{i} <=> {right}.{right_alias}{i}" for i in range(len(plan.keys))
    )


def _side_rows(
    plan: Plan, spec: DatasetSpec, side: str, views: Views, dups: bool
) -> tuple[str, list[str]]:
    """One side's rows: keys, compared values, and the columns a sample shows (as DuckDB's)."""
    prod = side == "production"
    letter, mark = ("p", P_MARK) if prod else ("c", C_MARK)
    view = views.production if prod else views.candidate
    kalias = "__k" if prod else "__kc"
    cols = [_key_select(plan, spec, side, kalias)]
    reuse: dict[str, str] = {}
    for i, pair in enumerate(plan.keys):
        name = pair.name if prod else pair.candidate_name
        if normalized(name, pair, spec) == q(name):
            reuse[name] = f"{kalias}{i}"
    for i, pair in enumerate(plan.compared):
        name = pair.name if prod else pair.candidate_name
        expr = normalized(name, pair, spec)
        cols.append(f"{expr} AS __{letter}{i}")
        if expr == q(name):
            reuse[name] = f"__{letter}{i}"
    shown_aliases: list[str] = []
    for j, col in enumerate(plan.production_columns if prod else plan.candidate_columns):
        if col.name in reuse:
            shown_aliases.append(reuse[col.name])
        else:
            cols.append(f"{q(col.name)} AS __{letter}s{j}")
            shown_aliases.append(f"__{letter}s{j}")
    cols.append(f"TRUE AS {mark}")
    rows = f"SELECT {', '.join(cols)} FROM {view}"
    if dups:
        on = _on(plan, "d", "r", kalias)
        rows = f"SELECT r.* FROM ({rows}) r LEFT ANTI JOIN {views.dups} d ON {on}"
    return rows, shown_aliases


def differing_rows(plan: Plan, spec: DatasetSpec, views: Views, dups: bool) -> str:
    """The full outer join by key, keeping only rows that differ at all (one-sided rows, and
    matched rows with a value not exactly equal): what the counts and samples are drawn from."""
    p_rows, _ = _side_rows(plan, spec, "production", views, dups)
    c_rows, _ = _side_rows(plan, spec, "candidate", views, dups)
    eqs = "".join(
        f", {equal(f'p.__p{i}', f'c.__c{i}', pair)} AS __eq{i}"
        for i, pair in enumerate(plan.compared)
    )
    same = "".join(f" AND p.__p{i} <=> c.__c{i}" for i in range(len(plan.compared)))
    identical = f"coalesce(p.{P_MARK} AND c.{C_MARK}, false){same}"
    return f"""
SELECT p.*, c.*{eqs}
FROM ({p_rows}) p FULL OUTER JOIN ({c_rows}) c ON {_on(plan, "p", "c", "__kc")}
WHERE NOT ({identical})"""


def value_counts(plan: Plan, views: Views) -> str:
    """Per compared column the counts and maxima, then the count of changed rows."""
    matched = f"{P_MARK} AND {C_MARK}"
    aggs: list[str] = []
    for i, pair in enumerate(plan.compared):
        unequal = f"{matched} AND NOT __eq{i}"
        aggs += [
            f"count_if({unequal})",
            f"count_if({unequal} AND __p{i} IS NULL)",
            f"count_if({unequal} AND __c{i} IS NULL)",
        ]
        if pair.numeric:
            rows = matched if pair.tolerant else unequal
            pd, cd = f"CAST(__p{i} AS DOUBLE)", f"CAST(__c{i} AS DOUBLE)"
            ok = f"coalesce({rows} AND {finite(pd)} AND {finite(cd)}, false)"
            big = f"greatest(abs({pd}), abs({cd}))"
            diff = abs_diff(f"__p{i}", f"__c{i}", pair)
            aggs += [
                f"max(CASE WHEN {ok} THEN {diff} END)",
                f"max(CASE WHEN {ok} THEN (CASE WHEN {big} = 0 THEN CAST(0 AS DOUBLE)"
                f" ELSE {diff} / {big} END) END)",
            ]
        else:
            aggs += ["CAST(NULL AS DOUBLE)", "CAST(NULL AS DOUBLE)"]
    any_unequal = " OR ".join(f"NOT __eq{i}" for i in range(len(plan.compared))) or "FALSE"
    aggs.append(f"count_if({matched} AND ({any_unequal}))")
    return f"SELECT {', '.join(aggs)} FROM {views.diff}"


def sample_keys(plan: Plan, views: Views, kinds: list[str], n: int) -> str:
    """The keys of the first ``n`` rows by key order of each kind: ``"i"`` rows whose compared
    column i differs, ``"p"`` / ``"c"`` rows only in production / only in candidate."""
    matched = f"{P_MARK} AND {C_MARK}"
    parts = []
    for kind in kinds:
        alias = "__kc" if kind == "c" else "__k"
        cond = {
            "p": f"{P_MARK} AND {C_MARK} IS NULL",
            "c": f"{C_MARK} AND {P_MARK} IS NULL",
        }.get(kind, f"{matched} AND NOT __eq{kind}")
        keys = ", ".join(f"{a} AS __s{i}" for i, a in enumerate(key_names(plan, alias=alias)))
        parts.append(
            f"(SELECT {keys} FROM {views.diff} WHERE {cond}"
            f" ORDER BY {order_by(plan, alias=alias)} LIMIT {n})"
        )
    return " UNION ".join(parts)


def sample_rows(
    plan: Plan, spec: DatasetSpec, views: Views, dups: bool, kinds: list[str], n: int
) -> tuple[str, list[int]]:
    """The differing rows behind the sample keys, in key order.

    Returns the query and the layout ``results.attach_samples`` reads (shown keys, the two
    marks, equality flags, each compared column's production and candidate value, then every
    shown column of production and of candidate) as indexes into the query's columns: each
    expression is selected once, as selecting one column under many aliases makes Spark's
    constraint propagation explode (minutes of planning for a 20-column table).
    """
    _, p_shown = _side_rows(plan, spec, "production", views, dups)
    _, c_shown = _side_rows(plan, spec, "candidate", views, dups)
    p_raw = dict(zip((c.name for c in plan.production_columns), p_shown, strict=True))
    c_raw = dict(zip((c.name for c in plan.candidate_columns), c_shown, strict=True))
    cols = [shown(p_raw[k.name], k.production_category, k.production_type) for k in plan.keys]
    cols += [f"coalesce({P_MARK}, false)", f"coalesce({C_MARK}, false)"]
    cols += [f"coalesce(__eq{i}, false)" for i in range(len(plan.compared))]
    for pair in plan.compared:
        cols += [
            shown(p_raw[pair.name], pair.production_category, pair.production_type),
            shown(c_raw[pair.candidate_name], pair.candidate_category, pair.candidate_type),
        ]
    cols += [
        shown(a, category(c.type), c.type)
        for c, a in zip(plan.production_columns, p_shown, strict=True)
    ]
    cols += [
        shown(a, category(c.type), c.type)
        for c, a in zip(plan.candidate_columns, c_shown, strict=True)
    ]
    unique = list(dict.fromkeys(cols))
    layout = [unique.index(c) for c in cols]
    keys = [f"CASE WHEN {P_MARK} THEN __k{i} ELSE __kc{i} END" for i in range(len(plan.keys))]
    on = " AND ".join(f"{k} <=> s.__s{i}" for i, k in enumerate(keys))
    selected = ", ".join(f"{c} AS __o{j}" for j, c in enumerate(unique))
    order = [f"__ord{i} ASC NULLS LAST" for i in range(len(keys))]
    order += [f"__o{j} ASC NULLS LAST" for j in range(len(unique))]  # ties: one-side duplicates
    ordering = ", ".join(f"{k} AS __ord{i}" for i, k in enumerate(keys))
    outputs = ", ".join(f"__o{j}" for j in range(len(unique)))
    # A subquery, not a CTE (see the module docstring): measured at 1M rows, 2 s instead of 24 s.
    query = f"""
SELECT {outputs} FROM (
    SELECT {selected}, {ordering}
    FROM {views.diff} d LEFT SEMI JOIN ({sample_keys(plan, views, kinds, n)}) s ON {on}
) ORDER BY {", ".join(order)}"""
    return query, layout


def duplicate_pass(plan: Plan, spec: DatasetSpec, views: Views) -> str:
    """Duplicate-key groups compared as multisets of rows (exact values, order never matters)."""
    keys = ", ".join(key_names(plan))

    def side(side: str, tag: int) -> str:
        prod = side == "production"
        vals = [
            f"{normalized(pair.name if prod else pair.candidate_name, pair, spec)} AS __v{i}"
            for i, pair in enumerate(plan.compared)
        ]
        cols = ", ".join([_key_select(plan, spec, side), *vals, f"{tag} AS __side"])
        view = views.production if prod else views.candidate
        on = _on(plan, "r", "d")
        return (
            f"SELECT r.* FROM (SELECT {cols} FROM {view}) r LEFT SEMI JOIN {views.dups} d ON {on}"
        )

    vals = "".join(f", __v{i}" for i in range(len(plan.compared)))
    group = "named_struct(" + ", ".join(f"'k{i}', __k{i}" for i in range(len(plan.keys))) + ")"
    return f"""
SELECT count(DISTINCT CASE WHEN np <> nc THEN {group} END),
       coalesce(sum(greatest(np - nc, 0)), 0), coalesce(sum(greatest(nc - np, 0)), 0)
FROM (
    SELECT {keys}{vals}, count_if(__side = 1) AS np, count_if(__side = 2) AS nc
    FROM ({side("production", 1)} UNION ALL {side("candidate", 2)}) u GROUP BY {keys}{vals}
) g"""
