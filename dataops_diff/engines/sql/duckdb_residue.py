"""The DuckDB engine's rows set aside: the hash join that keeps only the rows that may differ
(``residue_table``), the candidate's rows of those keys read again (``candidate_residue_table``),
and both as relations the value pass reads (``residue_relations``). Pure string building.
"""

from __future__ import annotations

from ...spec import DatasetSpec
from ..arrow_types import normalize_type
from ..plan import ColumnPair, Plan
from .compare import C_MARK, P_MARK, equal, key_select, normalized, on
from .dialect import DUCKDB as D
from .duckdb_passes import tolerant_columns

RESIDUE, CANDIDATE_RESIDUE = "__dd_residue", "__dd_candidate_residue"


def hashed(pair: ColumnPair) -> bool:
    """Whether a column's values may be compared through DuckDB's ``hash``: both sides of the same
    scalar type once normalized (then equal values hash alike, -0.0/0.0 and NaNs included). Nested
    values are compared as they are, since a null list, ``[]`` and ``[NULL]`` hash alike."""
    if pair.as_text:
        return True  # both sides cast to VARCHAR
    same = normalize_type(pair.production_type) == normalize_type(pair.candidate_type)
    return same and "other" not in (pair.production_category, pair.candidate_category)


def _digest(exprs: list[str]) -> str:
    """One hash of the values and of which of them are null. DuckDB hashes NULL like one
    particular BIGINT (-2930909409056394622), so the values alone would let a null that became
    that number pass as equal; one null flag per value settles it exactly (DuckDB mixes each
    argument's hash in one-to-one, and hashes true and false apart). Measured: flags as booleans
    cost about half of flags packed into BIGINT masks."""
    return f"hash({', '.join([*exprs, *(f'{e} IS NULL' for e in exprs)])})"


def residue_table(plan: Plan, spec: DatasetSpec) -> str:
    """The rows that may differ: one join by key that drops matched rows whose compared values
    are the same, kept in ``__dd_residue`` with production's whole row (``__r*``) and the
    candidate's key (``__kc*``).

    Only the candidate's key, a hash of its compared values (``_digest``) and the columns that
    ``hashed`` turns down go into the join's hash table, not its whole rows. Columns with a
    tolerance go in as values and are compared by ``compare.equal``, so float noise within
    tolerance sets no row aside (their maxima come from ``key_join``). What remains is
    docs/semantics.md, "How equal rows are found".
    """
    pcols = [
        f"{D.q(plan.sql_name('production', c.name))} AS __r{j}"
        for j, c in enumerate(plan.production_columns)
    ]
    tolerant = set(tolerant_columns(plan))
    digest = [i for i, pair in enumerate(plan.compared) if hashed(pair) and i not in tolerant]
    carried = [i for i, pair in enumerate(plan.compared) if not hashed(pair) or i in tolerant]

    def values(side: str, letter: str) -> list[str]:
        prod = side == "production"
        name = [plan.sql_name(side, p.name if prod else p.candidate_name) for p in plan.compared]
        exprs = [normalized(D, name[i], plan.compared[i], spec) for i in range(len(name))]
        out = [f"{_digest([exprs[i] for i in digest])} AS __{letter}h"] if digest else []
        return out + [f"{exprs[i]} AS __{letter}x{i}" for i in carried]

    p_side = ", ".join(
        [*pcols, key_select(D, plan, spec, "production"), *values("production", "p")]
    )
    c_side = ", ".join([key_select(D, plan, spec, "candidate", "__kc"), *values("candidate", "c")])
    same = [f"coalesce(p.{P_MARK} AND c.{C_MARK}, false)"]
    same += ["p.__ph = c.__ch"] if digest else []
    same += [equal(D, f"p.__px{i}", f"c.__cx{i}", plan.compared[i]) for i in carried]
    kept = [f"p.__r{j}" for j in range(len(plan.production_columns))]
    kept += [f"p.{P_MARK}", *(f"c.__kc{i}" for i in range(len(plan.keys)))]
    return f"""
CREATE OR REPLACE TEMP TABLE {RESIDUE} AS
SELECT {", ".join(kept)}, c.{C_MARK}
FROM (SELECT {p_side}, TRUE AS {P_MARK} FROM production) p
FULL OUTER JOIN (SELECT {c_side}, TRUE AS {C_MARK} FROM candidate) c
    ON {on(D, plan, "p", "c", "__kc")}
WHERE NOT ({" AND ".join(same)})"""


def candidate_residue_table(plan: Plan, spec: DatasetSpec) -> str:
    """The candidate's rows whose key ``residue_table`` kept, whole (``__r*``)."""
    ccols = [
        f"{D.q(plan.sql_name('candidate', c.name))} AS __r{j}"
        for j, c in enumerate(plan.candidate_columns)
    ]
    kc = ", ".join(f"__kc{i}" for i in range(len(plan.keys)))
    return f"""
CREATE OR REPLACE TEMP TABLE {CANDIDATE_RESIDUE} AS
SELECT {", ".join(f"x.__r{j}" for j in range(len(ccols)))}
FROM (SELECT {", ".join(ccols)}, {key_select(D, plan, spec, "candidate")} FROM candidate) x
SEMI JOIN (SELECT {kc} FROM {RESIDUE} WHERE {C_MARK}) r ON {on(D, plan, "x", "r", "__kc")}"""


def residue_relations(plan: Plan) -> tuple[str, str]:
    """The rows ``residue_table`` and ``candidate_residue_table`` kept, under their own names."""
    p = ", ".join(
        f"__r{j} AS {D.q(plan.sql_name('production', c.name))}"
        for j, c in enumerate(plan.production_columns)
    )
    c = ", ".join(
        f"__r{j} AS {D.q(plan.sql_name('candidate', c.name))}"
        for j, c in enumerate(plan.candidate_columns)
    )
    return (
        f"(SELECT {p} FROM {RESIDUE} WHERE {P_MARK})",
        f"(SELECT {c} FROM {CANDIDATE_RESIDUE})",
    )


def drop_residue() -> str:
    return f"DROP TABLE IF EXISTS {RESIDUE}; DROP TABLE IF EXISTS {CANDIDATE_RESIDUE}"
