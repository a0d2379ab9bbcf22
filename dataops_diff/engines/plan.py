"""Engine-neutral planning: from two schemas and a DatasetSpec to what gets compared and how.

Types are Arrow type strings (``str(pyarrow.DataType)``). Every engine reports its schema in that
vocabulary, so schema diffs and comparison rules are decided here once, for all engines.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from ..datasets import TEXT_FORMATS, DatasetRef
from ..errors import ABS_TOL, IGNORE_COLUMNS, KEY, REL_TOL, RENAMES, Part, SchemaError
from ..model import Column, Rename, SchemaDiff, Side, TypeChange
from ..spec import DatasetSpec
from .arrow_types import (
    MAX_DECIMAL_DIGITS,
    NUMERIC,
    Category,
    base_type,
    category,
    same_type,
    wide_decimal,
)


@dataclass(frozen=True)
class ColumnPair:
    name: str  # production name
    candidate_name: str
    production_type: str
    candidate_type: str
    production_category: Category
    candidate_category: Category
    abs_tol: float
    rel_tol: float

    @property
    def numeric(self) -> bool:
        return self.production_category in NUMERIC and self.candidate_category in NUMERIC

    @property
    def as_text(self) -> bool:
        """Values of unrelated type families (e.g. number vs string) are compared as text."""
        if self.numeric:
            return False
        if self.production_category != self.candidate_category:
            return True
        if self.production_category in ("temporal", "other"):  # date vs time, list vs struct, ...
            return base_type(self.production_type) != base_type(self.candidate_type)
        return False

    @property
    def string(self) -> bool:
        return self.as_text or (
            self.production_category == "string" and self.candidate_category == "string"
        )

    @property
    def tolerant(self) -> bool:
        return self.numeric and (self.abs_tol > 0 or self.rel_tol > 0)


@dataclass(frozen=True)
class Plan:
    keys: tuple[ColumnPair, ...]
    compared: tuple[ColumnPair, ...]
    schema: SchemaDiff
    ignored: tuple[str, ...]
    production_columns: tuple[Column, ...]  # all, minus ignored: what a one-side sample shows
    candidate_columns: tuple[Column, ...]
    # side -> column name -> the name an engine's SQL reads it by, where the two differ (DuckDB
    # renames the second of two names that differ only by case, e.g. "amount" -> "amount_1")
    sql_names: dict[str, dict[str, str]] = field(default_factory=dict)

    def sql_name(self, side: str, column: str) -> str:
        return self.sql_names.get(side, {}).get(column, column)


def _pair(name: str, cand: str, ptype: str, ctype: str, spec: DatasetSpec) -> ColumnPair:
    pcat, ccat = category(ptype), category(ctype)
    # tolerances apply to numbers only, and not to decimals wider than the engines compute with
    wide = wide_decimal(ptype) or wide_decimal(ctype)
    numeric = pcat in NUMERIC and ccat in NUMERIC and not wide
    atol, rtol = (spec.abs_tol_for(name), spec.rel_tol_for(name)) if numeric else (0.0, 0.0)
    return ColumnPair(name, cand, ptype, ctype, pcat, ccat, atol, rtol)


def _missing(
    side: Side, dataset: str, column: str, columns: dict[str, str], *fix: Part
) -> SchemaError:
    listing = ", ".join(columns) if len(columns) <= 12 else ", ".join(list(columns)[:12]) + ", ..."
    return SchemaError(
        f"column '{column}' is not in the {side} version of dataset '{dataset}' "
        f"(columns: {listing}); ",
        *fix,
    )


def make_plan(
    dataset: str,
    production: list[Column] | tuple[Column, ...],
    candidate: list[Column] | tuple[Column, ...],
    spec: DatasetSpec,
    strict: bool = True,
    inferred_types: bool = False,
) -> Plan:
    """Validate the spec against both schemas and decide every column's fate.

    ``strict``: a renamed, ignored or tolerance column that this dataset lacks is an error (a
    typo). When one spec serves many datasets (an output folder), such columns are skipped here and
    the caller checks that each was found in at least one dataset. ``inferred_types``: a side was
    read from CSV or JSON, whose column types are guessed from the values (see ``same_type``).
    """
    prod = {c.name: c.type for c in production}
    cand = {c.name: c.type for c in candidate}
    if not spec.key:
        raise SchemaError(
            f"no key given for dataset '{dataset}'; pass ", KEY.of(dataset), " COL[,COL...]"
        )
    renames = {}
    for old, new in spec.renames.items():
        if old in prod and new in cand:
            renames[old] = new
        elif strict or (old in prod) != (new in cand):
            fix = ("fix ", RENAMES.of(dataset), f" {old}={new}")
            if old not in prod:
                raise _missing("production", dataset, old, prod, *fix)
            raise _missing("candidate", dataset, new, cand, *fix)
    spec = replace(spec, renames=renames)
    ignored = tuple(c for c in spec.ignore_columns if c in prod or c in cand)
    if strict:
        for col in spec.ignore_columns:
            if col not in ignored:
                raise _missing(
                    "production", dataset, col, prod, "fix ", IGNORE_COLUMNS.of(dataset), f" {col}"
                )
        for flag, tols in ((ABS_TOL, spec.column_abs_tol), (REL_TOL, spec.column_rel_tol)):
            for col in tols:
                if col not in prod:
                    raise _missing(
                        "production", dataset, col, prod, "fix ", flag.of(dataset), f" {col}=..."
                    )
    for k in spec.key:
        if k in spec.ignore_columns:
            raise SchemaError(f"key column '{k}' of dataset '{dataset}' is also ignored; drop one")
        if k not in prod:
            raise _missing(
                "production",
                dataset,
                k,
                prod,
                "pass a ",
                KEY.of(dataset),
                " that both versions have",
            )
        if spec.candidate_name(k) not in cand:
            raise _missing(
                "candidate", dataset, spec.candidate_name(k), cand,
                "pass a ", KEY.of(dataset), " that both versions have, or ",
                RENAMES.of(dataset), " it",
            )  # fmt: skip

    key_targets = {spec.candidate_name(k): k for k in spec.key}
    for old, new in spec.renames.items():
        if old not in spec.key and new in key_targets:
            raise SchemaError(
                RENAMES.of(dataset),
                f" {old}={new}: '{new}' is the candidate's key column of dataset "
                f"'{dataset}' (key '{key_targets[new]}'); rename a column to a free name",
            )
    skip = set(ignored)
    cand_of = {p: spec.candidate_name(p) for p in prod}
    renamed_targets = set(spec.renames.values())
    shared = [
        p
        for p in prod
        if p not in skip
        and cand_of[p] in cand
        and cand_of[p] not in skip
        # production's own column named like a rename target is not the renamed column
        and not (p in renamed_targets and p not in spec.renames)
    ]
    pairs = {p: _pair(p, cand_of[p], prod[p], cand[cand_of[p]], spec) for p in shared}
    matched_cand = {cand_of[p] for p in shared}
    schema = SchemaDiff(
        only_in_production=tuple(
            Column(p, t) for p, t in prod.items() if p not in skip and p not in pairs
        ),
        only_in_candidate=tuple(
            Column(c, t) for c, t in cand.items() if c not in skip and c not in matched_cand
        ),
        type_changes=tuple(
            TypeChange(p.name, p.production_type, p.candidate_type)
            for p in pairs.values()
            if not same_type(p.production_type, p.candidate_type, inferred_types)
        ),
        renamed=tuple(Rename(old, new) for old, new in spec.renames.items()),
    )  # fmt: skip
    if strict:
        for flag, tols in ((ABS_TOL, spec.column_abs_tol), (REL_TOL, spec.column_rel_tol)):
            for col, tol in tols.items():
                if col in pairs and tol and not pairs[col].numeric:
                    raise SchemaError(
                        flag.of(dataset),
                        f" {col}={tol}: column '{col}' of dataset '{dataset}' is not numeric "
                        f"({prod[col]}); tolerances apply to numbers only, drop it",
                    )
                if col in pairs and tol and not pairs[col].tolerant:
                    raise SchemaError(
                        flag.of(dataset),
                        f" {col}={tol}: column '{col}' of dataset '{dataset}' is a decimal "
                        f"wider than {MAX_DECIMAL_DIGITS} digits ({prod[col]}), compared exactly; "
                        "drop the tolerance",
                    )
    keys = tuple(pairs[k] for k in spec.key)
    compared = tuple(p for name, p in pairs.items() if name not in spec.key)
    return Plan(
        keys=keys,
        compared=compared,
        schema=schema,
        ignored=ignored,
        production_columns=tuple(Column(n, t) for n, t in prod.items() if n not in skip),
        candidate_columns=tuple(Column(n, t) for n, t in cand.items() if n not in skip),
    )


def diff_plan(
    production: DatasetRef,
    candidate: DatasetRef,
    schemas: tuple[tuple[Column, ...], tuple[Column, ...]],
    spec: DatasetSpec,
) -> Plan:
    """The plan of one engine diff: the spec was checked against every dataset up front
    (``diffs.validate``), so a column this dataset lacks is skipped here, not an error."""
    return make_plan(
        production.name,
        schemas[0],
        schemas[1],
        spec,
        strict=False,
        inferred_types=bool({production.format, candidate.format} & TEXT_FORMATS),
    )
