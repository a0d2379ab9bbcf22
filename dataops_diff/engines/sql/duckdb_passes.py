"""The DuckDB engine's own passes: the keys-only join and a value pass that keeps its samples as
structs; the hash join that sets equal rows aside and the selective re-read of the candidate's
rows are ``duckdb_residue``'s. The passes both engines share are in ``compare``. Pure string
building.
"""

from __future__ import annotations

from ...spec import DatasetSpec
from ..arrow_types import category
from ..plan import ColumnPair, Plan
from .compare import (
    C_MARK,
    CHANGED_ROWS,
    COLUMN_NUMBERS,
    MATCHED,
    ONLY_C,
    ONLY_P,
    P_MARK,
    Views,
    column_number,
    differing_join,
    key_select,
    maxima,
    normalized,
    on,
    shown,
    side_rows,
    value_numbers,
)
from .dialect import DUCKDB as D
from .duplicates import duplicate_groups

VIEWS = Views("production", "candidate", "__dd_dups", "__dd_values")
TOLERANT_UNEQUAL = "tolerant_unequal"  # key_join: matched rows unequal in a tolerant column
VALUES_TABLE = VIEWS.diff


def tolerant_columns(plan: Plan) -> list[int]:
    """The compared columns with a tolerance: ``residue_table`` compares them in its join (not
    through the hash), so rows whose only differences are within tolerance are not set aside;
    ``key_join`` takes their maxima over every matched row instead.

    Integers under an absolute tolerance below 1 alone are equal within it only when equal:
    they stay in the hash (then the rows set aside hold every unequal pair, and so the maxima).
    """
    return [i for i, pair in enumerate(plan.compared) if pair.tolerant and not _exact(pair)]


def _exact(pair: ColumnPair) -> bool:
    integers = pair.production_category == pair.candidate_category == "integer"
    return integers and pair.rel_tol == 0 and pair.abs_tol < 1


def _value(plan: Plan, spec: DatasetSpec, side: str, i: int) -> str:
    pair = plan.compared[i]
    return normalized(
        D,
        plan.sql_name(side, pair.name if side == "production" else pair.candidate_name),
        pair,
        spec,
    )


def key_join(plan: Plan, spec: DatasetSpec, tolerant: list[int] | None = None) -> str:
    """Keys only, joined: row counts (from file metadata where the format keeps them), joined
    rows matched and on one side only, and rows with a null key; with ``tolerant``, also those
    columns' maxima (``max_abs_diff__i``, ``max_rel_diff__i``) over the matched rows: right
    when every key is unique (else the caller takes them from the value pass), and about how
    many matched rows differ beyond tolerance in any of them (``TOLERANT_UNEQUAL``, ``_beyond``):
    an estimate of the share of rows that differ, for the engine's choice of plan.

    Every key on both sides is unique on both exactly when matched == rows - only on each side
    (a shared key with n production and m candidate rows joins n * m times); duplicates of
    keys on one side only are found later, in ``value_pass`` (``dp``/``dc``).
    """
    p_null = " OR ".join(f"p.__k{i} IS NULL" for i in range(len(plan.keys)))
    c_null = " OR ".join(f"c.__kc{i} IS NULL" for i in range(len(plan.keys)))
    p_vals, c_vals, maxima_sql = "", "", ""
    if tolerant:
        p_vals = "".join(f", {_value(plan, spec, 'production', i)} AS __pt{i}" for i in tolerant)
        c_vals = "".join(f", {_value(plan, spec, 'candidate', i)} AS __ct{i}" for i in tolerant)
        for i in tolerant:
            most = maxima(D, f"__pt{i}", f"__ct{i}", plan.compared[i], MATCHED)
            maxima_sql += f"{most[0]} AS {column_number('max_abs_diff', i)}, "
            maxima_sql += f"{most[1]} AS {column_number('max_rel_diff', i)}, "
        beyond = " OR ".join(_beyond(plan.compared[i], f"__pt{i}", f"__ct{i}") for i in tolerant)
        maxima_sql += f"{D.count_if(f'{MATCHED} AND ({beyond})')} AS {TOLERANT_UNEQUAL}, "
    return f"""
WITH p AS (SELECT {key_select(D, plan, spec, "production")}{p_vals}, TRUE AS {P_MARK}
           FROM production),
     c AS (SELECT {key_select(D, plan, spec, "candidate", "__kc")}{c_vals}, TRUE AS {C_MARK}
           FROM candidate)
SELECT {maxima_sql}(SELECT count(*) FROM production) AS production_rows,
       (SELECT count(*) FROM candidate) AS candidate_rows,
       count(*) FILTER (WHERE {P_MARK} AND {C_MARK}) AS matched_rows,
       count(*) FILTER (WHERE {P_MARK} AND {C_MARK} IS NULL) AS only_in_production,
       count(*) FILTER (WHERE {C_MARK} AND {P_MARK} IS NULL) AS only_in_candidate,
       count(*) FILTER (WHERE {P_MARK} AND ({p_null})) AS null_key_rows_production,
       count(*) FILTER (WHERE {C_MARK} AND ({c_null})) AS null_key_rows_candidate
FROM p FULL OUTER JOIN c ON {on(D, plan, "p", "c", "__kc")}"""


def _beyond(pair: ColumnPair, p: str, c: str) -> str:
    """Whether ``p`` and ``c`` differ beyond the tolerance, roughly: an estimate for choosing a
    plan, not a count (a null and a value are not counted, NaN and NaN are). A third of the cost
    of ``equal``, which the key join would pay on every matched row."""
    pd, cd = f"CAST({p} AS DOUBLE)", f"CAST({c} AS DOUBLE)"
    bound = D.double(pair.abs_tol)
    if pair.rel_tol:
        bound += f" + {D.double(pair.rel_tol)} * greatest(abs({pd}), abs({cd}))"
    return f"abs({pd} - {cd}) > {bound}"


def duplicate_groups_table(plan: Plan, spec: DatasetSpec) -> str:
    return f"CREATE OR REPLACE TEMP TABLE {VIEWS.dups} AS {duplicate_groups(D, plan, spec, VIEWS)}"


def value_pass(
    plan: Plan,
    spec: DatasetSpec,
    dups: bool,
    samples: int,
    relations: tuple[str, str] = ("production", "candidate"),
    table: str = VALUES_TABLE,
    whole_rows: bool = True,
) -> str:
    """``compare.differing_join`` of ``relations`` (production's rows, the candidate's),
    aggregated into a one-row ``table``.

    Rows identical on both sides are dropped right after the join, so the aggregates (whose
    inputs DuckDB computes for every row they see) run on the few rows that differ: the named
    numbers of ``compare.value_numbers``; the distinct keys among rows on one side only
    (``dp``/``dc``: fewer than those rows means a duplicated key); and per compared column the
    first ``samples`` mismatches by key order (``s*``: key, production and candidate value, as
    stored), then (``whole_rows``) the first rows on one side only (``sp``/``sc``).
    """
    n = max(samples, 0)
    p_rows, p_shown = side_rows(D, plan, spec, "production", VIEWS, dups, n > 0, relations[0])
    c_rows, c_shown = side_rows(D, plan, spec, "candidate", VIEWS, dups, n > 0, relations[1])
    p_key = D.struct({f"k{i}": f"__k{i}" for i in range(len(plan.keys))})
    c_key = D.struct({f"k{i}": f"__kc{i}" for i in range(len(plan.keys))})
    named = [f"{expr} AS {name}" for name, expr in value_numbers(D, plan).items()]
    named += [
        f"count(DISTINCT {p_key}) FILTER (WHERE {ONLY_P}) AS dp",
        f"count(DISTINCT {c_key}) FILTER (WHERE {ONLY_C}) AS dc",
    ]
    if n:
        # Samples show the data as stored, not as folded by --ignore-case/--ignore-spaces; they
        # are kept raw here and made JSON-friendly in ``value_samples``, on the few kept only.
        p_raw = dict(zip((c.name for c in plan.production_columns), p_shown, strict=True))
        c_raw = dict(zip((c.name for c in plan.candidate_columns), c_shown, strict=True))
        key = D.struct({f"k{j}": p_raw[k.name] for j, k in enumerate(plan.keys)})
        for i, pair in enumerate(plan.compared):
            value = D.struct(
                {"o": p_key, "k": key, "p": p_raw[pair.name], "c": c_raw[pair.candidate_name]}
            )
            named.append(f"min({value}, {n}) FILTER (WHERE {MATCHED} AND NOT __eq{i}) AS s{i}")
        # A key on one side only may stand on many rows there (say, a null key): its rows are
        # ordered by their values, so the samples never depend on the order rows were read in.
        for tag, cond, order, aliases in (
            ("sp", ONLY_P, p_key, p_shown),
            ("sc", ONLY_C, c_key, c_shown),
        )[: 2 if whole_rows else 0]:
            values = D.struct({f"v{j}": a for j, a in enumerate(aliases)})
            row = D.struct({"o": order, "v": values})
            named.append(f"min({row}, {n}) FILTER (WHERE {cond}) AS {tag}")
    return f"""
CREATE OR REPLACE TEMP TABLE {table} AS
SELECT {", ".join(named)} FROM ({differing_join(D, plan, p_rows, c_rows)}) j"""


def values_table(batch: int) -> str:
    """The table of batch ``batch`` of the value pass (``engines.duckdb_values``)."""
    return VALUES_TABLE if batch == 0 else f"{VALUES_TABLE}_{batch}"


def changed_columns(plan: Plan, spec: DatasetSpec, dups: bool, relations: tuple[str, str]) -> str:
    """The count of matched rows with a difference in any column (``n``) and per compared
    column (``u{i}``), alone: for a value pass run in batches of columns, which then runs only
    the batches of columns that differ (``engines.duckdb_values``)."""
    p_rows, _ = side_rows(D, plan, spec, "production", VIEWS, dups, False, relations[0])
    c_rows, _ = side_rows(D, plan, spec, "candidate", VIEWS, dups, False, relations[1])
    any_unequal = " OR ".join(f"NOT __eq{i}" for i in range(len(plan.compared))) or "FALSE"
    counts = [D.count_if(f"{MATCHED} AND ({any_unequal})") + " AS n"]
    counts += [
        D.count_if(f"{MATCHED} AND NOT __eq{i}") + f" AS u{i}" for i in range(len(plan.compared))
    ]
    return f"SELECT {', '.join(counts)} FROM ({differing_join(D, plan, p_rows, c_rows)}) j"


def numbers_query(plan: Plan, table: str = VALUES_TABLE) -> str:
    """The value pass's numbers by name (``compare.value_numbers``), then ``dp`` and ``dc``."""
    names = [column_number(f, i) for i in range(len(plan.compared)) for f in COLUMN_NUMBERS]
    return f"SELECT {', '.join([*names, CHANGED_ROWS])}, dp, dc FROM {table}"


def value_samples(plan: Plan, table: str = VALUES_TABLE, whole_rows: bool = True) -> str:
    """The value pass's samples, as samples show values: one list per compared column (key,
    production and candidate value), then ``sp`` and ``sc`` (the values of a whole row)."""
    key = D.struct(
        {f"k{j}": shown(D, f"x.k.k{j}", k.production_category) for j, k in enumerate(plan.keys)}
    )
    lists = [
        "list_transform(s{i}, lambda x: {s}) AS s{i}".format(
            i=i,
            s=D.struct(
                {
                    "k": key,
                    "p": shown(D, "x.p", pair.production_category),
                    "c": shown(D, "x.c", pair.candidate_category),
                }
            ),
        )
        for i, pair in enumerate(plan.compared)
    ]
    sides = (("sp", plan.production_columns), ("sc", plan.candidate_columns))
    for tag, columns in sides[: 2 if whole_rows else 0]:
        values = D.struct(
            {f"v{j}": shown(D, f"x.v.v{j}", category(col.type)) for j, col in enumerate(columns)}
        )
        lists.append(f"list_transform({tag}, lambda x: struct_pack(v := {values})) AS {tag}")
    return f"SELECT {', '.join(lists)} FROM {table}"
