"""Diffing the pairs ``api.compare_pairs`` was given: every named column checked against the
schemas up front (a typo stops the command before the expensive part), then one pair at a time."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from .datasets import DatasetRef
from .engines import ProgressFn
from .engines.base import Engine
from .engines.plan import make_plan
from .errors import ABS_TOL, IGNORE_COLUMNS, REL_TOL, RENAMES, UsageError
from .model import DatasetDiff, SchemaDiff
from .spec import DatasetSpec, text_columns

SpecFor = Callable[[str], DatasetSpec]
Pair = tuple[str, DatasetRef | None, DatasetRef | None]


def diff_one(
    engine: Engine,
    name: str,
    production: DatasetRef | None,
    candidate: DatasetRef | None,
    spec_for: SpecFor,
    progress: ProgressFn | None,
) -> DatasetDiff:
    if production is None or candidate is None:
        present = production or candidate
        assert present is not None
        spec = spec_for(name)
        lost = candidate is None  # its rows are lost (production only) or new (candidate only)
        seen = engine.describe(present, "production" if lost else "candidate", spec.samples)
        return DatasetDiff(
            name=name,
            status="only_in_production" if lost else "only_in_candidate",
            production_path=production.path if production else None,
            candidate_path=candidate.path if candidate else None,
            key=spec.key,
            production_rows=seen.rows if lost else None,
            candidate_rows=None if lost else seen.rows,
            only_in_production=seen.rows if lost else 0,
            only_in_candidate=0 if lost else seen.rows,
            schema=SchemaDiff(
                only_in_production=seen.columns if lost else (),
                only_in_candidate=() if lost else seen.columns,
            ),
            only_in_production_samples=seen.samples if lost else (),
            only_in_candidate_samples=() if lost else seen.samples,
        )
    return replace(engine.diff(production, candidate, spec_for(name), progress), name=name)


def validate(engine: Engine, pairs: Sequence[Pair], spec_for: SpecFor) -> dict[str, set[str]]:
    """Keys, renames, ignored and tolerance columns checked against every schema up front.

    With one dataset every named column must exist; with an output folder, a named column must
    exist in at least one dataset (so a typo is still caught). Returns each dataset's columns of
    either version (datasets both versions have).
    """
    both = [(name, p, c) for name, p, c in pairs if p is not None and c is not None]
    strict = len(pairs) == 1
    text_columns.check_formats(pairs, spec_for)
    seen: set[str] = set()
    columns: dict[str, set[str]] = {}
    for name, p, c in both:
        assert p is not None
        assert c is not None
        spec = spec_for(name)
        prod, cand = engine.schema(p, "production"), engine.schema(c, "candidate")
        plan = make_plan(name, prod, cand, spec, strict=strict)
        if strict:
            text_columns.check_names(name, prod, cand, spec)
        columns[name] = {col.name for col in prod} | {col.name for col in cand}
        seen.update(columns[name])
        seen.update(r.production for r in plan.schema.renamed)
    if strict or not both:
        return columns
    spec = spec_for(both[0][0])
    named = {
        IGNORE_COLUMNS: list(spec.ignore_columns),
        RENAMES: list(spec.renames),
        ABS_TOL: list(spec.column_abs_tol),
        REL_TOL: list(spec.column_rel_tol),
    }
    text_columns.check_seen(both[0][0], spec, seen)
    for setting, names in named.items():
        flag = setting.of(both[0][0])  # one spec serves every dataset: where it came from
        for col in names:
            if col not in seen:
                raise UsageError(flag, f" names column '{col}', which no dataset has; fix ", flag)
    return columns
