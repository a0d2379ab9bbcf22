"""The comparison passes every engine shares, written once over a ``Dialect``. Pure string
building: no connection, no session, no I/O.

Both versions are relations whose names the caller passes (``Views``). Columns are addressed by
position aliases (``__k0``, ``__p0``/``__c0``) so that any column name, however odd, is quoted
exactly once. Every number a pass returns has a name (``KEY_NUMBERS``, ``column_number``): the
engines read results by column name, never by position.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...model import Column
from ...spec import DatasetSpec
from ..arrow_types import category
from ..plan import ColumnPair, Plan
from . import exact
from .dialect import Dialect

P_MARK, C_MARK = "__dd_in_production", "__dd_in_candidate"
MATCHED = f"{P_MARK} AND {C_MARK}"
ONLY_P, ONLY_C = f"{P_MARK} AND {C_MARK} IS NULL", f"{C_MARK} AND {P_MARK} IS NULL"

# The key pass's numbers, by the name the query gives each (see ``results.KeyCounts``).
KEY_NUMBERS = (
    "production_rows", "candidate_rows", "only_in_production", "only_in_candidate",
    "matched_rows", "duplicate_keys_production", "duplicate_rows_production",
    "duplicate_keys_candidate", "duplicate_rows_candidate", "groups",
    "null_key_rows_production", "null_key_rows_candidate",
    "group_rows_production", "group_rows_candidate",
)  # fmt: skip
# Per compared column i, the value pass's numbers: ``column_number(field, i)``; each is the
# ColumnDiff field of the same name. Then ``CHANGED_ROWS``.
COLUMN_NUMBERS = ("unequal", "null_to_value", "value_to_null", "max_abs_diff", "max_rel_diff")
CHANGED_ROWS = "changed_rows"
# A key on both sides and duplicated on at least one (np, nc: its rows on each side).
SHARED_GROUP = "np >= 1 AND nc >= 1 AND (np > 1 OR nc > 1)"


def column_number(field: str, i: int) -> str:
    return f"{field}__{i}"


@dataclass(frozen=True)
class Views:
    production: str
    candidate: str
    dups: str  # keys duplicated on a side and present on both
    diff: str  # the rows that differ at all (Spark persists them)


def normalized(d: Dialect, column: str, pair: ColumnPair, spec: DatasetSpec) -> str:
    """A value as it is compared: text for unrelated types; case and spaces folded on request."""
    expr = d.q(column)
    if pair.as_text:
        expr = d.text(expr)
    if pair.string:
        if spec.ignore_spaces:
            expr = d.trim(expr)
        if spec.ignore_case:
            expr = f"lower({expr})"
    return expr


def shown(d: Dialect, expr: str, category: str, arrow_type: str = "") -> str:
    """A value as a sample shows it: JSON-friendly (exact decimals, ISO times, hex bytes)."""
    if category == "temporal" and d.zone_suffix and "tz=" in arrow_type:
        return f"({d.text(expr)} || '{d.zone_suffix}')"
    if category in ("decimal", "temporal", "other"):
        return d.text(expr)
    if category == "binary":
        return f"('0x' || hex({expr}))"
    return expr


def equal(d: Dialect, p: str, c: str, pair: ColumnPair) -> str:
    """Never NULL. null == null, NaN == NaN, NaN != null, -0.0 == 0.0; tolerance is symmetric.
    Numbers of two types compare exactly (``exact.same_value``); a tolerance on integers and
    decimals is applied in decimal arithmetic, on floats to the values the floats hold."""
    same = f"({exact.same_value(d, p, c, pair)})"
    if not pair.tolerant:
        return same
    within = exact.within_decimal(d, p, c, pair)
    if within is not None:
        return f"({same} OR coalesce({within}, false))"
    pd, cd = f"CAST({p} AS DOUBLE)", f"CAST({c} AS DOUBLE)"
    within = (
        f"{abs_diff(d, p, c, pair)} <= {d.double(pair.abs_tol)} + {d.double(pair.rel_tol)}"
        f" * greatest(abs({pd}), abs({cd}))"
    )
    return f"({same} OR coalesce({d.finite(pd)} AND {d.finite(cd)} AND {within}, false))"


def abs_diff(d: Dialect, p: str, c: str, pair: ColumnPair) -> str:
    """|p - c| as DOUBLE; two integers subtract exactly and round once."""
    if pair.production_category == pair.candidate_category == "integer":
        return d.exact_difference(p, c)
    return f"abs(CAST({p} AS DOUBLE) - CAST({c} AS DOUBLE))"


def key_select(d: Dialect, plan: Plan, spec: DatasetSpec, side: str, alias: str = "__k") -> str:
    exprs = []
    for i, k in enumerate(plan.keys):
        name = plan.sql_name(side, k.name if side == "production" else k.candidate_name)
        exprs.append(f"{normalized(d, name, k, spec)} AS {alias}{i}")
    return ", ".join(exprs)


def key_names(plan: Plan, prefix: str = "", alias: str = "__k") -> list[str]:
    return [f"{prefix}{alias}{i}" for i in range(len(plan.keys))]


def on(d: Dialect, plan: Plan, left: str, right: str, right_alias: str = "__k") -> str:
    return " AND ".join(
        d.same(f"{left}.__k{i}", f"{right}.{right_alias}{i}") for i in range(len(plan.keys))
    )


def both_keys(d: Dialect, plan: Plan, spec: DatasetSpec, views: Views) -> str:
    return f"""
    SELECT {key_select(d, plan, spec, "production")}, 1 AS __side FROM {views.production}
    UNION ALL
    SELECT {key_select(d, plan, spec, "candidate")}, 2 AS __side FROM {views.candidate}"""


def key_pass(d: Dialect, plan: Plan, spec: DatasetSpec, views: Views) -> str:
    """One pass over the key columns only: row counts, matches, duplicates, null keys."""
    keys = ", ".join(key_names(plan))
    any_null = " OR ".join(f"__k{i} IS NULL" for i in range(len(plan.keys)))

    def total(expr: str, where: str) -> str:
        return f"coalesce(sum({expr}) FILTER (WHERE {where}), 0)"

    numbers = (
        "coalesce(sum(np), 0)", "coalesce(sum(nc), 0)", total("np", "nc = 0"),
        total("nc", "np = 0"), d.count_if("np = 1 AND nc = 1"), d.count_if("np > 1"),
        total("np", "np > 1"), d.count_if("nc > 1"), total("nc", "nc > 1"),
        d.count_if(SHARED_GROUP),
        total("np", "__null_key"), total("nc", "__null_key"),
        total("np", SHARED_GROUP), total("nc", SHARED_GROUP),
    )  # fmt: skip
    selected = ", ".join(f"{e} AS {n}" for e, n in zip(numbers, KEY_NUMBERS, strict=True))
    return f"""
WITH k AS ({both_keys(d, plan, spec, views)}
), g AS (
    SELECT {keys}, {d.count_if("__side = 1")} AS np, {d.count_if("__side = 2")} AS nc,
           ({any_null}) AS __null_key
    FROM k GROUP BY {keys}
)
SELECT {selected}
FROM g"""


def side_rows(
    d: Dialect,
    plan: Plan,
    spec: DatasetSpec,
    side: str,
    views: Views,
    dups: bool,
    with_shown: bool = True,
    relation: str | None = None,
) -> tuple[str, list[str]]:
    """One side's rows (read from ``relation``, by default the side's view): keys, compared
    values, and (``with_shown``) the columns samples show.

    Returns the SQL and, per shown column, the alias to read it from. A shown column that is
    compared unchanged reuses its compared alias, so the join carries each column once.
    """
    prod = side == "production"
    letter, mark = ("p", P_MARK) if prod else ("c", C_MARK)
    view = relation or (views.production if prod else views.candidate)
    kalias = "__k" if prod else "__kc"
    cols = [key_select(d, plan, spec, side, kalias)]
    reuse: dict[str, str] = {}
    for i, pair in enumerate(plan.keys):
        name = plan.sql_name(side, pair.name if prod else pair.candidate_name)
        if normalized(d, name, pair, spec) == d.q(name):
            reuse[name] = f"{kalias}{i}"
    for i, pair in enumerate(plan.compared):
        name = plan.sql_name(side, pair.name if prod else pair.candidate_name)
        expr = normalized(d, name, pair, spec)
        cols.append(f"{expr} AS __{letter}{i}")
        if expr == d.q(name):
            reuse[name] = f"__{letter}{i}"
    shown_aliases: list[str] = []
    side_columns = plan.production_columns if prod else plan.candidate_columns
    for j, col in enumerate(side_columns if with_shown else ()):
        name = plan.sql_name(side, col.name)
        if name in reuse:
            shown_aliases.append(reuse[name])
        else:
            cols.append(f"{d.q(name)} AS __{letter}s{j}")
            shown_aliases.append(f"__{letter}s{j}")
    cols.append(f"TRUE AS {mark}")
    rows = f"SELECT {', '.join(cols)} FROM {view}"
    if dups:
        cond = on(d, plan, "x", "r", kalias)
        rows = f"SELECT r.* FROM ({rows}) r {d.anti_join} {views.dups} x ON {cond}"
    return rows, shown_aliases


def differing_join(d: Dialect, plan: Plan, p_rows: str, c_rows: str) -> str:
    """The full outer join by key of two sides' rows, keeping only rows that differ at all
    (one-sided rows, and matched rows with a value not exactly equal: within-tolerance rows
    included, so maxima stay right), with one equality flag ``__eq{i}`` per compared column."""
    eqs = "".join(
        f", {equal(d, f'p.__p{i}', f'c.__c{i}', pair)} AS __eq{i}"
        for i, pair in enumerate(plan.compared)
    )
    same = "".join(
        f" AND {exact.same_value(d, f'p.__p{i}', f'c.__c{i}', pair)}"
        for i, pair in enumerate(plan.compared)
    )
    identical = f"coalesce(p.{P_MARK} AND c.{C_MARK}, false){same}"
    return f"""
SELECT p.*, c.*{eqs}
FROM ({p_rows}) p FULL OUTER JOIN ({c_rows}) c ON {on(d, plan, "p", "c", "__kc")}
WHERE NOT ({identical})"""


def maxima(d: Dialect, p: str, c: str, pair: ColumnPair, rows: str) -> tuple[str, str]:
    """The largest absolute and relative difference of two numeric columns over ``rows``
    (finite pairs only), as two aggregates."""
    pd, cd = f"CAST({p} AS DOUBLE)", f"CAST({c} AS DOUBLE)"
    ok = f"{rows} AND {d.finite(pd)} AND {d.finite(cd)}"
    big = f"greatest(abs({pd}), abs({cd}))"
    diff = abs_diff(d, p, c, pair)
    return (
        f"max(CASE WHEN {ok} THEN {diff} END)",
        f"max(CASE WHEN {ok} THEN (CASE WHEN {big} = 0 THEN CAST(0 AS DOUBLE)"
        f" ELSE {diff} / {big} END) END)",
    )


def value_numbers(d: Dialect, plan: Plan) -> dict[str, str]:
    """Per compared column the counts and maxima, then the count of changed rows, by name, over
    the rows of ``differing_join``.

    Conditions short-circuit left to right and CASE evaluates its result only where the
    condition holds: the costly parts run on the few unequal rows, not on every row.
    """
    numbers: dict[str, str] = {}
    for i, pair in enumerate(plan.compared):
        unequal = f"{MATCHED} AND NOT __eq{i}"
        column = {
            "unequal": d.count_if(unequal),
            "null_to_value": d.count_if(f"{unequal} AND __p{i} IS NULL"),
            "value_to_null": d.count_if(f"{unequal} AND __c{i} IS NULL"),
            "max_abs_diff": "CAST(NULL AS DOUBLE)",
            "max_rel_diff": "CAST(NULL AS DOUBLE)",
        }
        if pair.numeric:
            # Equal pairs differ by 0, so without a tolerance only unequal rows can set a maximum.
            rows = MATCHED if pair.tolerant else unequal
            column["max_abs_diff"], column["max_rel_diff"] = maxima(
                d, f"__p{i}", f"__c{i}", pair, rows
            )
        numbers.update({column_number(f, i): column[f] for f in COLUMN_NUMBERS})
    any_unequal = " OR ".join(f"NOT __eq{i}" for i in range(len(plan.compared))) or "FALSE"
    numbers[CHANGED_ROWS] = d.count_if(f"{MATCHED} AND ({any_unequal})")
    return numbers


def side_sample(
    d: Dialect, view: str, columns: tuple[Column, ...], sql_names: dict[str, str], n: int
) -> str:
    """The first ``n`` rows of a dataset one version has alone, ordered by every value as a
    sample shows it (so never by the order rows were read in), under ``v{j}`` names."""
    shown_cols = [
        f"{shown(d, d.q(sql_names.get(c.name, c.name)), category(c.type), c.type)} AS v{j}"
        for j, c in enumerate(columns)
    ]
    order = ", ".join(f"v{j} ASC NULLS LAST" for j in range(len(columns)))
    return f"SELECT {', '.join(shown_cols)} FROM {view} ORDER BY {order} LIMIT {int(n)}"
