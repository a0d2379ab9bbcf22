"""SQL text for the DuckDB engine. Pure string building: no connection, no I/O.

Both versions are views named ``production`` and ``candidate``. Columns are addressed by position
aliases (``__k0``, ``__p0``/``__c0``) so that any column name, however odd, is quoted exactly once.
"""

from __future__ import annotations

from ..plan import ColumnPair, Plan, category
from ..spec import DatasetSpec

WHITESPACE = "' \t\n\r\x0b\x0c'"
P_MARK, C_MARK = "__dd_in_production", "__dd_in_candidate"


def q(name: str) -> str:
    """Quote an identifier."""
    return '"' + name.replace('"', '""') + '"'


def literal(value: float) -> str:
    return f"CAST({float(value)!r} AS DOUBLE)"


def normalized(column: str, pair: ColumnPair, spec: DatasetSpec) -> str:
    """A value as it is compared: text for unrelated types; case and spaces folded on request."""
    expr = q(column)
    if pair.as_text:
        expr = f"CAST({expr} AS VARCHAR)"
    if pair.string:
        if spec.ignore_spaces:
            expr = f"trim({expr}, {WHITESPACE})"
        if spec.ignore_case:
            expr = f"lower({expr})"
    return expr


def shown(expr: str, category: str) -> str:
    """A value as a sample shows it: JSON-friendly (exact decimals, ISO times, hex bytes)."""
    if category in ("decimal", "temporal", "other"):
        return f"CAST({expr} AS VARCHAR)"
    if category == "binary":
        return f"('0x' || hex({expr}))"
    return expr


def equal(p: str, c: str, pair: ColumnPair) -> str:
    """Never NULL. null == null, NaN == NaN, NaN != null, -0.0 == 0.0; tolerance is symmetric."""
    same = f"({p} IS NOT DISTINCT FROM {c})"
    if not pair.tolerant:
        return same
    pd, cd = f"CAST({p} AS DOUBLE)", f"CAST({c} AS DOUBLE)"
    within = (
        f"abs({pd} - {cd}) <= {literal(pair.abs_tol)} + {literal(pair.rel_tol)}"
        f" * greatest(abs({pd}), abs({cd}))"
    )
    return f"({same} OR coalesce(isfinite({pd}) AND isfinite({cd}) AND {within}, false))"


def _key_select(plan: Plan, spec: DatasetSpec, side: str, alias: str = "__k") -> str:
    exprs = []
    for i, k in enumerate(plan.keys):
        name = k.name if side == "production" else k.candidate_name
        exprs.append(f"{normalized(name, k, spec)} AS {alias}{i}")
    return ", ".join(exprs)


def key_names(plan: Plan, prefix: str = "") -> list[str]:
    return [f"{prefix}__k{i}" for i in range(len(plan.keys))]


def _key_struct(plan: Plan, prefix: str) -> str:
    return "struct_pack(" + ", ".join(f"k{i} := {prefix}{i}" for i in range(len(plan.keys))) + ")"


def key_pass(plan: Plan, spec: DatasetSpec) -> str:
    """One pass over the key columns only: row counts, matches, duplicates, null keys."""
    keys = ", ".join(key_names(plan))
    any_null = " OR ".join(f"__k{i} IS NULL" for i in range(len(plan.keys)))
    return f"""
WITH k AS (
    SELECT {_key_select(plan, spec, "production")}, 1 AS __side FROM production
    UNION ALL
    SELECT {_key_select(plan, spec, "candidate")}, 2 AS __side FROM candidate
), g AS (
    SELECT {keys}, count(*) FILTER (WHERE __side = 1) AS np,
           count(*) FILTER (WHERE __side = 2) AS nc
    FROM k GROUP BY ALL
)
SELECT
    coalesce(sum(np), 0), coalesce(sum(nc), 0),
    coalesce(sum(np) FILTER (WHERE nc = 0), 0), coalesce(sum(nc) FILTER (WHERE np = 0), 0),
    count(*) FILTER (WHERE np = 1 AND nc = 1),
    count(*) FILTER (WHERE np > 1), coalesce(sum(np) FILTER (WHERE np > 1), 0),
    count(*) FILTER (WHERE nc > 1), coalesce(sum(nc) FILTER (WHERE nc > 1), 0),
    count(*) FILTER (WHERE np >= 1 AND nc >= 1 AND (np > 1 OR nc > 1)),
    coalesce(sum(np) FILTER (WHERE {any_null}), 0), coalesce(sum(nc) FILTER (WHERE {any_null}), 0)
FROM g"""


def duplicate_groups_table(plan: Plan, spec: DatasetSpec) -> str:
    """Keys present on both sides and duplicated on at least one: compared as multisets."""
    keys = ", ".join(key_names(plan))
    return f"""
CREATE OR REPLACE TEMP TABLE __dd_dups AS
WITH k AS (
    SELECT {_key_select(plan, spec, "production")}, 1 AS __side FROM production
    UNION ALL
    SELECT {_key_select(plan, spec, "candidate")}, 2 AS __side FROM candidate
)
SELECT {keys} FROM k GROUP BY ALL
HAVING count(*) FILTER (WHERE __side = 1) >= 1 AND count(*) FILTER (WHERE __side = 2) >= 1
   AND (count(*) FILTER (WHERE __side = 1) > 1 OR count(*) FILTER (WHERE __side = 2) > 1)"""


def _on(plan: Plan, left: str, right: str, right_alias: str = "__k") -> str:
    return " AND ".join(
        f"{left}.__k{i} IS NOT DISTINCT FROM {right}.{right_alias}{i}"
        for i in range(len(plan.keys))
    )


def _side_rows(plan: Plan, spec: DatasetSpec, side: str, dups: str | None) -> tuple[str, list[str]]:
    """One side's rows: keys, compared values, and the columns a one-side sample shows.

    Returns the SQL and, per shown column, the alias to read it from. A shown column that is
    compared unchanged reuses its compared alias, so the join carries each column once.
    """
    prod = side == "production"
    letter, mark, view = ("p", P_MARK, "production") if prod else ("c", C_MARK, "candidate")
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
        rows = f"SELECT * FROM ({rows}) r ANTI JOIN {dups} d ON {_on(plan, 'd', 'r', kalias)}"
    return rows, shown_aliases


def value_pass(plan: Plan, spec: DatasetSpec, dups: str | None, samples: int) -> str:
    """The one full pass: a full outer join by key, aggregated into counts, maxima and samples."""
    n = max(samples, 0)
    matched = f"{P_MARK} AND {C_MARK}"
    p_rows, p_shown = _side_rows(plan, spec, "production", dups)
    c_rows, c_shown = _side_rows(plan, spec, "candidate", dups)
    shown_key = (
        "struct_pack("
        + ", ".join(
            f"k{i} := {shown(f'__order.k{i}', k.production_category)}"
            for i, k in enumerate(plan.keys)
        )
        + ")"
    )
    aggs: list[str] = []
    eqs: list[str] = []
    for i, pair in enumerate(plan.compared):
        eqs.append(f"{equal(f'p.__p{i}', f'c.__c{i}', pair)} AS __eq{i}")
        aggs += [
            f"count(*) FILTER (WHERE {matched} AND NOT __eq{i})",
            f"count(*) FILTER (WHERE {matched} AND __p{i} IS NULL AND __c{i} IS NOT NULL)",
            f"count(*) FILTER (WHERE {matched} AND __p{i} IS NOT NULL AND __c{i} IS NULL)",
        ]
        if pair.numeric:
            pd, cd = f"CAST(__p{i} AS DOUBLE)", f"CAST(__c{i} AS DOUBLE)"
            finite = f"{matched} AND isfinite({pd}) AND isfinite({cd})"
            big = f"greatest(abs({pd}), abs({cd}))"
            aggs += [
                f"max(abs({pd} - {cd})) FILTER (WHERE {finite})",
                f"max(CASE WHEN {big} = 0 THEN 0 ELSE abs({pd} - {cd}) / {big} END)"
                f" FILTER (WHERE {finite})",
            ]
        else:
            aggs += ["NULL", "NULL"]
        cond = f"{matched} AND NOT __eq{i}"
        sample = (
            f"struct_pack(k := {shown_key}, p := {shown(f'__p{i}', pair.production_category)},"
            f" c := {shown(f'__c{i}', pair.candidate_category)})"
        )
        aggs.append(_first(n, cond, sample))
    any_unequal = " OR ".join(f"NOT __eq{i}" for i in range(len(plan.compared))) or "FALSE"
    aggs.append(f"count(*) FILTER (WHERE {matched} AND ({any_unequal}))")
    for mark, other, cols, aliases in (
        (P_MARK, C_MARK, plan.production_columns, p_shown),
        (C_MARK, P_MARK, plan.candidate_columns, c_shown),
    ):
        fields = ", ".join(
            f"f{j} := {shown(alias, category(col.type))}"
            for j, (col, alias) in enumerate(zip(cols, aliases, strict=True))
        )
        aggs.append(_first(n, f"{mark} AND {other} IS NULL", f"struct_pack({fields})"))
    select_eq = (", " + ", ".join(eqs)) if eqs else ""
    return f"""
WITH p AS ({p_rows}),
     c AS ({c_rows}),
     j AS (
        SELECT p.*, c.*,
               CASE WHEN p.{P_MARK} THEN {_key_struct(plan, "p.__k")}
                    ELSE {_key_struct(plan, "c.__kc")} END AS __order
               {select_eq}
        FROM p FULL OUTER JOIN c ON {_on(plan, "p", "c", "__kc")}
     )
SELECT {", ".join(aggs)} FROM j"""


def _first(n: int, cond: str, value: str) -> str:
    """The first ``n`` values by key order among rows meeting ``cond`` (NULL when n is 0).

    CASE keeps the struct from being built for rows that do not qualify.
    """
    if not n:
        return "NULL"
    return (
        f"arg_min(CASE WHEN {cond} THEN {value} END, CASE WHEN {cond} THEN __order END, {n})"
        f" FILTER (WHERE {cond})"
    )


def duplicate_pass(plan: Plan, spec: DatasetSpec, dups: str) -> str:
    """Duplicate-key groups compared as multisets of rows (exact values, order never matters)."""
    keys = ", ".join(key_names(plan))

    def side(side: str, tag: int) -> str:
        prod = side == "production"
        vals = [
            f"{normalized(pair.name if prod else pair.candidate_name, pair, spec)} AS __v{i}"
            for i, pair in enumerate(plan.compared)
        ]
        cols = ", ".join([_key_select(plan, spec, side), *vals, f"{tag} AS __side"])
        view = "production" if prod else "candidate"
        on = _on(plan, "r", "d")
        return f"SELECT * FROM (SELECT {cols} FROM {view}) r SEMI JOIN {dups} d ON {on}"

    vals = "".join(f", __v{i}" for i in range(len(plan.compared)))
    return f"""
WITH u AS ({side("production", 1)} UNION ALL {side("candidate", 2)}),
g AS (
    SELECT {keys}{vals}, count(*) FILTER (WHERE __side = 1) AS np,
           count(*) FILTER (WHERE __side = 2) AS nc
    FROM u GROUP BY ALL
)
SELECT count(DISTINCT struct_pack({", ".join(f"k{i} := __k{i}" for i in range(len(plan.keys)))}))
           FILTER (WHERE np <> nc),
       coalesce(sum(greatest(np - nc, 0)), 0), coalesce(sum(greatest(nc - np, 0)), 0)
FROM g"""
