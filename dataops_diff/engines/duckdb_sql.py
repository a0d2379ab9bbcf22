"""SQL text for the DuckDB engine. Pure string building: no connection, no I/O.

Both versions are views named ``production`` and ``candidate``. Columns are addressed by position
aliases (``__k0``, ``__p0``/``__c0``) so that any column name, however odd, is quoted exactly once.
"""

from __future__ import annotations

from ..plan import ColumnPair, Plan, category, normalize_type
from ..spec import DatasetSpec
from .results import PER_COLUMN

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
        f"{abs_diff(p, c, pair)} <= {literal(pair.abs_tol)} + {literal(pair.rel_tol)}"
        f" * greatest(abs({pd}), abs({cd}))"
    )
    return f"({same} OR coalesce(isfinite({pd}) AND isfinite({cd}) AND {within}, false))"


def abs_diff(p: str, c: str, pair: ColumnPair) -> str:
    """|p - c| as DOUBLE. Integers subtract exactly (HUGEINT) and round once: int64 values never
    compare through float64, so 2**53 + 1 and 2**53 differ by 1, not 0."""
    if pair.production_category == pair.candidate_category == "integer":
        return f"CAST(abs(CAST({p} AS HUGEINT) - CAST({c} AS HUGEINT)) AS DOUBLE)"
    return f"abs(CAST({p} AS DOUBLE) - CAST({c} AS DOUBLE))"


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


def key_join(plan: Plan, spec: DatasetSpec) -> str:
    """Keys only, joined: row counts (from file metadata where the format keeps them), joined
    rows matched and on one side only, and rows with a null key.

    Every key on both sides is unique on both exactly when matched == rows - only on each side
    (a shared key with n production and m candidate rows joins n * m times); duplicates of
    keys on one side only are found later, in ``value_pass`` (``dp``/``dc``).
    """
    p_null = " OR ".join(f"p.__k{i} IS NULL" for i in range(len(plan.keys)))
    c_null = " OR ".join(f"c.__kc{i} IS NULL" for i in range(len(plan.keys)))
    return f"""
WITH p AS (SELECT {_key_select(plan, spec, "production")}, TRUE AS {P_MARK} FROM production),
     c AS (SELECT {_key_select(plan, spec, "candidate", "__kc")}, TRUE AS {C_MARK} FROM candidate)
SELECT (SELECT count(*) FROM production), (SELECT count(*) FROM candidate),
       count(*) FILTER (WHERE {P_MARK} AND {C_MARK}),
       count(*) FILTER (WHERE {P_MARK} AND {C_MARK} IS NULL),
       count(*) FILTER (WHERE {C_MARK} AND {P_MARK} IS NULL),
       count(*) FILTER (WHERE {P_MARK} AND ({p_null})),
       count(*) FILTER (WHERE {C_MARK} AND ({c_null}))
FROM p FULL OUTER JOIN c ON {_on(plan, "p", "c", "__kc")}"""


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


def _side_rows(
    plan: Plan,
    spec: DatasetSpec,
    side: str,
    dups: str | None,
    with_shown: bool = True,
    relation: str | None = None,
) -> tuple[str, list[str]]:
    """One side's rows (read from ``relation``, by default the side's view): keys, compared
    values, and (``with_shown``) the columns samples show.

    Returns the SQL and, per shown column, the alias to read it from. A shown column that is
    compared unchanged reuses its compared alias, so the join carries each column once.
    """
    prod = side == "production"
    letter, mark, view = ("p", P_MARK, "production") if prod else ("c", C_MARK, "candidate")
    view = relation or view
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
    side_columns = plan.production_columns if prod else plan.candidate_columns
    for j, col in enumerate(side_columns if with_shown else ()):
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


RESIDUE, CANDIDATE_RESIDUE = "__dd_residue", "__dd_candidate_residue"


def hashed(pair: ColumnPair) -> bool:
    """Whether a column's values may be compared through DuckDB's ``hash``: both sides of the same
    scalar type once normalized (then equal values hash alike, -0.0/0.0 and NaNs included). Nested
    values are compared as they are, since a null list, ``[]`` and ``[NULL]`` hash alike."""
    if pair.as_text:
        return True  # both sides cast to VARCHAR
    same = normalize_type(pair.production_type) == normalize_type(pair.candidate_type)
    return same and "other" not in (pair.production_category, pair.candidate_category)


def residue_table(plan: Plan, spec: DatasetSpec) -> str:
    """The rows that may differ: one join by key that drops matched rows whose compared values
    are the same, kept in ``__dd_residue`` with production's whole row (``__r*``) and the
    candidate's key (``__kc*``).

    Only the candidate's key, a hash of its compared values and the columns that ``hashed``
    turns down go into the join's hash table, not its whole rows. A changed row whose values hash
    like the production row's would be dropped: about one chance in 2**64 per changed row, and
    none when one number, time or boolean changed to another non-null value (DuckDB hashes those
    one-to-one). docs/semantics.md, "How equal rows are found".
    """
    pcols = [f"{q(c.name)} AS __r{j}" for j, c in enumerate(plan.production_columns)]
    digest = [i for i, pair in enumerate(plan.compared) if hashed(pair)]
    carried = [i for i, pair in enumerate(plan.compared) if not hashed(pair)]

    def values(side: str, letter: str) -> list[str]:
        prod = side == "production"
        name = [pair.name if prod else pair.candidate_name for pair in plan.compared]
        exprs = [normalized(name[i], plan.compared[i], spec) for i in range(len(name))]
        out = [f"hash({', '.join(exprs[i] for i in digest)}) AS __{letter}h"] if digest else []
        return out + [f"{exprs[i]} AS __{letter}x{i}" for i in carried]

    p_side = ", ".join([*pcols, _key_select(plan, spec, "production"), *values("production", "p")])
    c_side = ", ".join([_key_select(plan, spec, "candidate", "__kc"), *values("candidate", "c")])
    same = [f"coalesce(p.{P_MARK} AND c.{C_MARK}, false)"]
    same += ["p.__ph = c.__ch"] if digest else []
    same += [f"p.__px{i} IS NOT DISTINCT FROM c.__cx{i}" for i in carried]
    kept = [f"p.__r{j}" for j in range(len(plan.production_columns))]
    kept += [f"p.{P_MARK}", *(f"c.__kc{i}" for i in range(len(plan.keys)))]
    return f"""
CREATE OR REPLACE TEMP TABLE {RESIDUE} AS
SELECT {", ".join(kept)}, c.{C_MARK}
FROM (SELECT {p_side}, TRUE AS {P_MARK} FROM production) p
FULL OUTER JOIN (SELECT {c_side}, TRUE AS {C_MARK} FROM candidate) c
    ON {_on(plan, "p", "c", "__kc")}
WHERE NOT ({" AND ".join(same)})"""


def candidate_residue_table(plan: Plan, spec: DatasetSpec) -> str:
    """The candidate's rows whose key ``residue_table`` kept, whole (``__r*``)."""
    ccols = [f"{q(c.name)} AS __r{j}" for j, c in enumerate(plan.candidate_columns)]
    kc = ", ".join(f"__kc{i}" for i in range(len(plan.keys)))
    return f"""
CREATE OR REPLACE TEMP TABLE {CANDIDATE_RESIDUE} AS
SELECT {", ".join(f"x.__r{j}" for j in range(len(ccols)))}
FROM (SELECT {", ".join(ccols)}, {_key_select(plan, spec, "candidate")} FROM candidate) x
SEMI JOIN (SELECT {kc} FROM {RESIDUE} WHERE {C_MARK}) r ON {_on(plan, "x", "r", "__kc")}"""


def residue_relations(plan: Plan) -> tuple[str, str]:
    """The rows ``residue_table`` and ``candidate_residue_table`` kept, under their own names."""
    p = ", ".join(f"__r{j} AS {q(c.name)}" for j, c in enumerate(plan.production_columns))
    c = ", ".join(f"__r{j} AS {q(c.name)}" for j, c in enumerate(plan.candidate_columns))
    return (
        f"(SELECT {p} FROM {RESIDUE} WHERE {P_MARK})",
        f"(SELECT {c} FROM {CANDIDATE_RESIDUE})",
    )


def drop_residue() -> str:
    return f"DROP TABLE IF EXISTS {RESIDUE}; DROP TABLE IF EXISTS {CANDIDATE_RESIDUE}"


VALUES_TABLE = "__dd_values"


def _count(condition: str) -> str:
    """The rows where ``condition`` holds (NULL counts as false). ``count_if`` rather than
    ``count(*) FILTER``: DuckDB slices every input for each filtered aggregate, which made the
    value pass twice as slow when most rows differ."""
    return f"coalesce(count_if({condition}), 0)"  # count_if of no rows is NULL


def value_pass(
    plan: Plan,
    spec: DatasetSpec,
    dups: str | None,
    samples: int,
    relations: tuple[str, str] = ("production", "candidate"),
) -> str:
    """A full outer join by key of ``relations`` (production's rows, the candidate's), aggregated
    into a one-row table.

    Rows identical on both sides are dropped right after the join, so the aggregates (whose
    inputs DuckDB computes for every row they see) run on the few rows that differ. Per compared
    column: the counts and maxima (``a*``) and the first ``samples`` mismatches by key order
    (``s*``: key, production and candidate value, as stored); then the count of
    changed rows, the distinct keys among rows on one side only (``dp``/``dc``: fewer than
    those rows means a duplicated key) and the first rows on one side only (``sp``/``sc``).
    """
    n = max(samples, 0)
    matched = f"{P_MARK} AND {C_MARK}"
    only_p, only_c = f"{P_MARK} AND {C_MARK} IS NULL", f"{C_MARK} AND {P_MARK} IS NULL"
    p_rows, p_shown = _side_rows(plan, spec, "production", dups, n > 0, relations[0])
    c_rows, c_shown = _side_rows(plan, spec, "candidate", dups, n > 0, relations[1])
    p_key, c_key = _key_struct(plan, "__k"), _key_struct(plan, "__kc")
    aggs: list[str] = []
    eqs: list[str] = []
    for i, pair in enumerate(plan.compared):
        eqs.append(f"{equal(f'p.__p{i}', f'c.__c{i}', pair)} AS __eq{i}")
        # Conditions short-circuit left to right and CASE evaluates its result only where the
        # condition holds: the costly parts run on the few unequal rows, not on every row.
        unequal = f"{matched} AND NOT __eq{i}"
        aggs += [
            _count(unequal),
            _count(f"{unequal} AND __p{i} IS NULL"),
            _count(f"{unequal} AND __c{i} IS NULL"),
        ]
        if pair.numeric:
            # Equal pairs differ by 0, so without a tolerance only unequal rows can set a maximum.
            rows = matched if pair.tolerant else unequal
            pd, cd = f"CAST(__p{i} AS DOUBLE)", f"CAST(__c{i} AS DOUBLE)"
            finite = f"{rows} AND isfinite({pd}) AND isfinite({cd})"
            big = f"greatest(abs({pd}), abs({cd}))"
            diff = abs_diff(f"__p{i}", f"__c{i}", pair)
            aggs += [
                f"max(CASE WHEN {finite} THEN {diff} END)",
                f"max(CASE WHEN {finite} THEN (CASE WHEN {big} = 0 THEN 0"
                f" ELSE {diff} / {big} END) END)",
            ]
        else:
            aggs += ["NULL::DOUBLE", "NULL::DOUBLE"]
    any_unequal = " OR ".join(f"NOT __eq{i}" for i in range(len(plan.compared))) or "FALSE"
    aggs.append(_count(f"{matched} AND ({any_unequal})"))
    named = [f"{a} AS a{x}" for x, a in enumerate(aggs)]
    named += [
        f"count(DISTINCT {p_key}) FILTER (WHERE {only_p}) AS dp",
        f"count(DISTINCT {c_key}) FILTER (WHERE {only_c}) AS dc",
    ]
    if n:
        # Samples show the data as stored, not as folded by --ignore-case/--ignore-spaces; they
        # are kept raw here and made JSON-friendly in ``value_samples``, on the few kept only.
        p_raw = dict(zip((c.name for c in plan.production_columns), p_shown, strict=True))
        c_raw = dict(zip((c.name for c in plan.candidate_columns), c_shown, strict=True))
        key = ", ".join(f"k{j} := {p_raw[k.name]}" for j, k in enumerate(plan.keys))
        for i, pair in enumerate(plan.compared):
            value = (
                f"struct_pack(o := {p_key}, k := struct_pack({key}),"
                f" p := {p_raw[pair.name]}, c := {c_raw[pair.candidate_name]})"
            )
            named.append(f"min({value}, {n}) FILTER (WHERE {matched} AND NOT __eq{i}) AS s{i}")
        # A key on one side only may stand on many rows there (say, a null key): its rows are
        # ordered by their values, so the samples never depend on the order rows were read in.
        for tag, cond, order, aliases in (
            ("sp", only_p, p_key, p_shown),
            ("sc", only_c, c_key, c_shown),
        ):
            values = ", ".join(f"v{j} := {a}" for j, a in enumerate(aliases))
            row = f"struct_pack(o := {order}, v := struct_pack({values}))"
            named.append(f"min({row}, {n}) FILTER (WHERE {cond}) AS {tag}")
    select_eq = (", " + ", ".join(eqs)) if eqs else ""
    # Only rows that differ at all reach the aggregates: one-sided rows, and matched rows with a
    # value not exactly equal (within-tolerance rows included, so maxima stay right).
    same = " AND ".join(
        f"p.__p{i} IS NOT DISTINCT FROM c.__c{i}" for i in range(len(plan.compared))
    )
    identical = f"coalesce(p.{P_MARK} AND c.{C_MARK}, false)" + (f" AND {same}" if same else "")
    return f"""
CREATE OR REPLACE TEMP TABLE {VALUES_TABLE} AS
WITH p AS ({p_rows}),
     c AS ({c_rows}),
     j AS (
        SELECT p.*, c.* {select_eq}
        FROM p FULL OUTER JOIN c ON {_on(plan, "p", "c", "__kc")}
        WHERE NOT ({identical})
     )
SELECT {", ".join(named)} FROM j"""


def value_numbers(plan: Plan) -> str:
    """The value pass's numbers (``a*``), then ``dp`` and ``dc``."""
    count = len(plan.compared) * PER_COLUMN + 1
    return f"SELECT {', '.join(f'a{x}' for x in range(count))}, dp, dc FROM {VALUES_TABLE}"


def value_samples(plan: Plan) -> str:
    """The value pass's samples, as samples show values: one list per compared column (key,
    production and candidate value), then ``sp`` and ``sc`` (the values of a whole row)."""
    key = ", ".join(
        f"k{j} := {shown(f'x.k.k{j}', k.production_category)}" for j, k in enumerate(plan.keys)
    )
    lists = [
        f"list_transform(s{i}, lambda x: struct_pack(k := struct_pack({key}),"
        f" p := {shown('x.p', pair.production_category)},"
        f" c := {shown('x.c', pair.candidate_category)}))"
        for i, pair in enumerate(plan.compared)
    ]
    for tag, columns in (("sp", plan.production_columns), ("sc", plan.candidate_columns)):
        values = ", ".join(
            f"v{j} := {shown(f'x.v.v{j}', category(col.type))}" for j, col in enumerate(columns)
        )
        lists.append(f"list_transform({tag}, lambda x: struct_pack(v := struct_pack({values})))")
    return f"SELECT {', '.join(lists)} FROM {VALUES_TABLE}"


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
