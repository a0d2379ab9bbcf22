"""The passes that explain a change (issue 16), written once over a ``Dialect``: pure string
building, no connection.

They read one relation of **changed rows** (``changed_rows``): the matched rows with a value that
differs after tolerances, and the rows only in production (for the segments' base counts). Its
columns have fixed names: ``__xm`` (matched), ``__xk{i}`` (key as compared: the order of
samples), ``__xks{i}`` (key as stored), ``__xp{i}``/``__xc{i}`` (compared column i as stored on
each side) and ``__xe{i}`` (equal after tolerances). DuckDB keeps it in a temporary table;
Spark reads it from the persisted differing rows.

Every grouped pass is a UNION ALL of one small branch per column (``__set``), each with its own
filter: the work grows with the number of columns, never with its square, and the branches'
values are handed over as text (``value_text``) so that columns of any type share one union.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..plan import ColumnPair, Plan
from .compare import MATCHED, ONLY_P, shown
from .dialect import Dialect

CHANGED_TABLE = "__dd_changed"  # DuckDB: the changed rows, kept until the explanation is read
FULL_TABLE = "__dd_changed_full"  # DuckDB: the first changed rows by key, every column


def changed_rows(
    plan: Plan, source: str, p_shown: list[str], c_shown: list[str], columns: Sequence[int]
) -> str:
    """The changed rows of ``source`` (rows of ``compare.differing_join`` with the shown
    columns of ``compare.side_rows``), under the names of the module docstring, with the
    compared ``columns`` only (DuckDB keeps just the changed ones: most of the cost of keeping
    the rows is in the columns kept)."""
    p_raw = dict(zip((c.name for c in plan.production_columns), p_shown, strict=True))
    c_raw = dict(zip((c.name for c in plan.candidate_columns), c_shown, strict=True))
    cols = [f"coalesce({MATCHED}, false) AS __xm"]
    for i, key in enumerate(plan.keys):
        cols += [f"__k{i} AS __xk{i}", f"{p_raw[key.name]} AS __xks{i}"]
    for i in columns:
        pair = plan.compared[i]
        cols += [
            f"{p_raw[pair.name]} AS __xp{i}",
            f"{c_raw[pair.candidate_name]} AS __xc{i}",
            f"coalesce(__eq{i}, false) AS __xe{i}",
        ]
    unequal = " OR ".join(f"NOT __eq{i}" for i in range(len(plan.compared))) or "FALSE"
    return (
        f"SELECT {', '.join(cols)} FROM {source}"
        f" WHERE coalesce({MATCHED} AND ({unequal}), false) OR coalesce({ONLY_P}, false)"
    )


def first_keys(plan: Plan, relation: str, n: int) -> str:
    """The keys (as compared) of the first ``n`` matched changed rows by key order."""
    keys = ", ".join(f"__xk{i}" for i in range(len(plan.keys)))
    order = ", ".join(f"__xk{i} ASC NULLS LAST" for i in range(len(plan.keys)))
    return f"SELECT {keys} FROM {relation} WHERE __xm ORDER BY {order} LIMIT {int(n)}"


def with_keys(d: Dialect, relation: str, keys: Sequence[str], wanted: str) -> str:
    """The rows of ``relation`` whose key (``keys``: each key column as compared, over the
    relation's own columns) is among the ``__xk*`` of ``wanted``."""
    cond = " AND ".join(d.same(k, f"s.__xk{i}") for i, k in enumerate(keys))
    return f"(SELECT r.* FROM {relation} r {d.semi_join} ({wanted}) s ON {cond})"


def segment_rows(
    d: Dialect, plan: Plan, changed: str, production: str, keys: Sequence[str],
    values: dict[int, str],
) -> str:  # fmt: skip
    """The changed rows with production's value of each segment column j (``__xs{j}``; its
    SQL over ``production`` in ``values``), joined from ``production`` by key."""
    selected = ", ".join([*(f"{k} AS __k{i}" for i, k in enumerate(keys)),
                          *(f"{v} AS __xs{j}" for j, v in values.items())])  # fmt: skip
    cond = " AND ".join(d.same(f"x.__xk{i}", f"p.__k{i}") for i in range(len(plan.keys)))
    picked = ", ".join(f"p.__xs{j}" for j in values)
    rows = f"(SELECT {selected} FROM {production}) p"
    return f"(SELECT x.*, {picked} FROM {changed} x JOIN {rows} ON {cond})"


def unequal(i: int) -> str:
    """The changed rows where compared column i differs."""
    return f"__xm AND NOT __xe{i}"


def value_text(d: Dialect, expr: str, category: str, arrow_type: str) -> str:
    """A value as text, read back by its column's category (``explain_values.from_text``):
    decimals, times and bytes as samples show them; numbers, booleans and strings cast."""
    if category in ("decimal", "temporal", "binary", "other"):
        return d.text(shown(d, expr, category, arrow_type))
    return d.text(expr)


def as_double(expr: str) -> str:
    return f"CAST({expr} AS DOUBLE)"


def delta(d: Dialect, pair: ColumnPair, p: str, c: str) -> str:
    """candidate - production as DOUBLE: two integers subtract exactly and round once; other
    numbers (decimals included) subtract as float64."""
    if pair.production_category == pair.candidate_category == "integer":
        t = d.exact_integer
        return f"CAST(CAST({c} AS {t}) - CAST({p} AS {t}) AS DOUBLE)"
    return f"({as_double(c)} - {as_double(p)})"


def _median(d: Dialect, expr: str) -> str:
    """The exact median (the mean of the middle two of an even count) in both engines."""
    return f"median({expr})" if d.name == "duckdb" else f"percentile({expr}, 0.5)"


def deltas(d: Dialect, plan: Plan, i: int) -> tuple[str, str, str, str]:
    """(finite pair condition, absolute delta, relative-delta condition, relative delta) of
    compared column i over its changed rows. Pairs with a null, NaN or infinity on a side, or
    whose difference overflows, are left out."""
    pair, p, c = plan.compared[i], f"__xp{i}", f"__xc{i}"
    dd = delta(d, pair, p, c)
    ok = (
        f"{unequal(i)} AND {d.finite(as_double(p))} AND {d.finite(as_double(c))} AND {d.finite(dd)}"
    )
    return ok, dd, f"{ok} AND {as_double(p)} <> 0", f"({dd} / abs({as_double(p)}))"


def stats(d: Dialect, plan: Plan, relation: str, numeric: Sequence[int]) -> str:
    """One row for the numeric changed columns: per column i, distinct values of each side
    (``dp{i}``, ``dc{i}``), finite extremes of each side (``lo``/``hi``), and count, extremes and
    median of the absolute (``a``) and relative (``r``) change."""
    named: list[str] = ["count(*) AS n"]
    for i in numeric:
        u = unequal(i)
        for side, v in (("p", f"__xp{i}"), ("c", f"__xc{i}")):
            x = as_double(v)
            named.append(f"count(DISTINCT CASE WHEN {u} THEN {x} END) AS d{side}{i}")
            fin = f"{u} AND {d.finite(x)}"
            named.append(f"min(CASE WHEN {fin} THEN {x} END) AS lo{side}{i}")
            named.append(f"max(CASE WHEN {fin} THEN {x} END) AS hi{side}{i}")
        ok, dd, rel_ok, rel = deltas(d, plan, i)
        for tag, cond, value in (("a", ok, dd), ("r", rel_ok, rel)):
            picked = f"CASE WHEN {cond} THEN {value} END"
            named += [
                f"{d.count_if(cond)} AS {tag}n{i}",
                f"min({picked}) AS {tag}min{i}",
                f"max({picked}) AS {tag}max{i}",
                f"{_median(d, picked)} AS {tag}med{i}",
            ]
    return f"SELECT {', '.join(named)} FROM {relation}"


def bin_index(d: Dialect, expr: str, origin: float, step: float) -> str:
    """The bin of a number on edges ``origin + k * step``: k for finite values, -1 for NaN, -2
    for +inf, -3 for -inf, NULL for null. ``x / step - origin / step``, not ``(x - origin) /
    step``: the difference of two large numbers of opposite signs overflows."""
    x = as_double(expr)
    first = round(origin / step)  # origin is a multiple of step
    return (
        f"CASE WHEN {x} IS NULL THEN NULL WHEN isnan({x}) THEN -1"
        f" WHEN {x} = {d.double(float('inf'))} THEN -2 WHEN {x} = {d.double(float('-inf'))} THEN -3"
        f" ELSE CAST(floor({x} / {d.double(step)}) AS BIGINT) - {int(first)} END"
    )


def transitions(relation: str, branches: Sequence[tuple[int, str, str, str, str]], top: int) -> str:
    """Per branch (column i; production and candidate expressions; their text, written over
    ``__op`` and ``__oc``): the ``top`` most frequent pairs among the rows where column i
    differs (``n``), most frequent first, ties by value, and the count of distinct pairs
    (``total``)."""
    parts = []
    for i, p, c, p_text, c_text in branches:
        grouped = (
            f"SELECT __op, __oc, count(*) AS __n FROM (SELECT {p} AS __op, {c} AS __oc"
            f" FROM {relation} WHERE {unequal(i)}) x GROUP BY __op, __oc"
        )
        ranked = (
            f"SELECT __op, __oc, __n, row_number() OVER (ORDER BY __n DESC,"
            f" __op ASC NULLS FIRST, __oc ASC NULLS FIRST) AS __r, count(*) OVER () AS __t"
            f" FROM ({grouped}) g"
        )
        parts.append(
            f"SELECT {i} AS __set, {p_text} AS p, {c_text} AS c, __n AS n, __t AS total, __r AS r"
            f" FROM ({ranked}) t WHERE __r <= {int(top)}"
        )
    return " UNION ALL ".join(parts)


def histograms(
    d: Dialect, relation: str, branches: Sequence[tuple[int, str, str, str, float, float, int]]
) -> str:
    """Per branch (column i, kind, condition, expression, low edge, bin width, bins): counts of
    ``expression`` over the rows where the condition holds, by bin (the top bin closed)."""
    parts = []
    for i, kind, cond, expr, low, width, bins in branches:
        b = (
            f"CAST(least(greatest(floor({expr} / {d.double(width)} - {d.double(low / width)}),"
            f" 0), {int(bins) - 1}) AS BIGINT)"
            if width > 0
            else "0"
        )
        parts.append(
            f"SELECT {i} AS __set, '{kind}' AS kind, bin, count(*) AS n"
            f" FROM (SELECT {b} AS bin FROM {relation} WHERE {cond}) x GROUP BY bin"
        )
    return " UNION ALL ".join(parts)


def segment_counts(
    d: Dialect, relation: str, segments: Sequence[tuple[int, str]], changed: Sequence[int]
) -> str:
    """Per segment column (index, production value as text): its values among the changed
    rows, with the rows where each changed column i differs (``n{i}``) and the rows only in
    production (``only``)."""
    counts = "".join(f", {d.count_if(unequal(i))} AS n{i}" for i in changed)
    return " UNION ALL ".join(
        f"SELECT {j} AS __set, {v} AS v{counts}, {d.count_if('NOT __xm')} AS only"
        f" FROM {relation} GROUP BY {v}"
        for j, v in segments
    )


def segment_base(relation: str, segments: Sequence[tuple[int, str]]) -> str:
    """Per segment column (index, value as text over ``relation``): every value's rows."""
    return " UNION ALL ".join(
        f"SELECT {j} AS __set, {v} AS v, count(*) AS n FROM {relation} GROUP BY {v}"
        for j, v in segments
    )


def row_samples(d: Dialect, plan: Plan, relation: str, n: int) -> str:
    """The first ``n`` matched changed rows by key: keys, both versions of every compared column
    as samples show them (``k{i}``, ``p{i}``, ``c{i}``), and which differ (``e{i}``)."""
    cols = [
        f"{shown(d, f'__xks{i}', k.production_category, k.production_type)} AS k{i}"
        for i, k in enumerate(plan.keys)
    ]
    for i, pair in enumerate(plan.compared):
        cols += [
            f"{shown(d, f'__xp{i}', pair.production_category, pair.production_type)} AS p{i}",
            f"{shown(d, f'__xc{i}', pair.candidate_category, pair.candidate_type)} AS c{i}",
            f"__xe{i} AS e{i}",
        ]
    order = ", ".join(f"__xk{i} ASC NULLS LAST" for i in range(len(plan.keys)))
    return f"SELECT {', '.join(cols)} FROM {relation} WHERE __xm ORDER BY {order} LIMIT {int(n)}"
