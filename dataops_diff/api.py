"""The Python API and the only orchestration: pair datasets, diff them, decide, build the Report."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace

from . import __version__
from .datasets import DatasetRef, pair
from .engines import READS_URIS, EngineConfig, ProgressFn, get_engine
from .engines.base import Engine
from .engines.plan import make_plan
from .errors import UsageError
from .model import (
    DatasetDiff,
    JSONValue,
    Reason,
    Report,
    RunComparison,
    SchemaDiff,
    Verdict,
    to_dict,
)
from .policy import Policy, evaluate
from .shadow import TickFn
from .spec import DatasetSpec, RunSpec
from .spec.columns import check_columns

SpecFor = Callable[[str], DatasetSpec]
Pair = tuple[str, DatasetRef | None, DatasetRef | None]


def compare(
    production: str,
    candidate: str,
    spec: DatasetSpec | SpecFor,
    *,
    fmt: str | None = None,
    engine: str = "duckdb",
    engine_config: EngineConfig | None = None,
    policy: Policy | None = None,
    progress: ProgressFn | None = None,
    configured: Collection[str] = (),
    tables: Sequence[str] = (),
    schemas: Sequence[str] = (),
) -> Report:
    """Compare two data files, dataset folders, output folders or database files.

    ``spec`` is one DatasetSpec for every dataset, or a function of the dataset name;
    ``configured`` names datasets the caller configured by name, each of which must exist.
    """
    spec_for: SpecFor = (lambda _name: spec) if isinstance(spec, DatasetSpec) else spec
    pairs = pair(production, candidate, fmt, engine in READS_URIS, tables, schemas)
    names = {name for name, _, _ in pairs}
    for name in configured:
        if name not in names:
            raise UsageError(
                f"dataset '{name}' is not in production or candidate (datasets: "
                f"{', '.join(sorted(names))}); fix the dataset name"
            )
    diffs = compare_pairs(pairs, spec_for, engine, engine_config, progress)
    return build_report(
        production,
        candidate,
        diffs,
        policy=policy,
        engine=engine,
        options=_options(pairs, spec_for),
    )


def compare_pairs(
    pairs: Sequence[Pair],
    spec_for: SpecFor,
    engine_name: str = "duckdb",
    engine_config: EngineConfig | None = None,
    progress: ProgressFn | None = None,
    precheck: Callable[[Engine], None] | None = None,
) -> tuple[DatasetDiff, ...]:
    """Diff every pair. Every pair's columns are validated (cheaply) before any is compared.

    ``precheck``: the caller's own validation first (a run's, worded for its spec).
    """
    pairs = [(n, _encoded(p, spec_for(n)), _encoded(c, spec_for(n))) for n, p, c in pairs]
    engine = get_engine(engine_name, engine_config)
    try:
        if precheck is not None:
            precheck(engine)
        _validate(engine, pairs, spec_for)
        return tuple(_diff_one(engine, name, p, c, spec_for, progress) for name, p, c in pairs)
    finally:
        engine.close()


def _encoded(ref: DatasetRef | None, spec: DatasetSpec) -> DatasetRef | None:
    """The reference with the dataset's text encoding, which the engines read it with."""
    return ref if ref is None or spec.encoding is None else replace(ref, encoding=spec.encoding)


def build_report(
    production: str,
    candidate: str,
    diffs: tuple[DatasetDiff, ...],
    *,
    run: RunComparison | None = None,
    policy: Policy | None = None,
    engine: str = "duckdb",
    options: dict[str, JSONValue] | None = None,
) -> Report:
    return Report(
        production=production,
        candidate=candidate,
        datasets=diffs,
        verdict=evaluate(diffs, run, policy),
        command="run" if run else "compare",
        engine=engine,
        options=options or {},
        run=run,
        tool_version=__version__,
    )


def _diff_one(
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


def _validate(engine: Engine, pairs: Sequence[Pair], spec_for: SpecFor) -> None:
    """Keys, renames, ignored and tolerance columns checked against every schema up front.

    With one dataset every named column must exist; with an output folder, a named column must
    exist in at least one dataset (so a typo is still caught).
    """
    both = [(name, p, c) for name, p, c in pairs if p is not None and c is not None]
    strict = len(pairs) == 1
    seen: set[str] = set()
    for name, p, c in both:
        assert p is not None
        assert c is not None
        spec = spec_for(name)
        prod, cand = engine.schema(p, "production"), engine.schema(c, "candidate")
        plan = make_plan(name, prod, cand, spec, strict=strict)
        seen.update(col.name for col in prod)
        seen.update(col.name for col in cand)
        seen.update(r.production for r in plan.schema.renamed)
    if strict or not both:
        return
    spec = spec_for(both[0][0])
    named = {
        "--ignore-column": list(spec.ignore_columns),
        "--rename": list(spec.renames),
        "--abs-tol": list(spec.column_abs_tol),
        "--rel-tol": list(spec.column_rel_tol),
    }
    for flag, columns in named.items():
        for col in columns:
            if col not in seen:
                raise UsageError(f"{flag} names column '{col}', which no dataset has; fix {flag}")


def _options(pairs: Sequence[Pair], spec_for: SpecFor) -> dict[str, JSONValue]:
    """The effective comparison options per dataset, for the report."""
    specs: dict[str, JSONValue] = {name: to_dict(spec_for(name)) for name, _, _ in pairs}
    return {"datasets": specs}


def run(
    spec: RunSpec,
    *,
    run_dir: str | None = None,
    engine: str = "duckdb",
    engine_config: EngineConfig | None = None,
    policy: Policy | None = None,
    on_tick: TickFn | None = None,
    progress: ProgressFn | None = None,
) -> Report:
    """Shadow-run production and candidate side by side, then compare every output dataset.

    A production that fails, times out or writes no dataset gives a Report whose verdict is ERROR
    (nothing can be compared); a candidate that writes no dataset fails. Raises ``Interrupted`` on
    Ctrl-C/SIGTERM. See docs/shadow-runs.md.
    """
    from . import shadow

    comparison = shadow.execute(spec, run_dir, on_tick)
    labels = (shadow.label(comparison.production), shadow.label(comparison.candidate))
    failure = shadow.production_failure(comparison)
    found = shadow.run_pairs(spec, comparison) if failure is None else []
    if failure is None and not any(p for _, p, _, _ in found):
        failure = shadow.wrote_nothing(comparison.production)
    if failure is not None:
        verdict = Verdict("ERROR", (Reason("run", "error", failure, measured=
                          comparison.production.status, limit="succeeded"),))  # fmt: skip
        return Report(*labels, datasets=(), verdict=verdict, command="run", engine=engine,
                      run=comparison, tool_version=__version__)  # fmt: skip
    specs = {name: dataset_spec for name, _, _, dataset_spec in found}
    pairs = [(name, p, c) for name, p, c, _ in found]

    def precheck(engine: Engine) -> None:
        schemas = [(name, [col.name for col in engine.schema(p, "production")],
                    [col.name for col in engine.schema(c, "candidate")])
                   for name, p, c in pairs if p is not None and c is not None]  # fmt: skip
        check_columns(spec, schemas, specs)

    diffs = compare_pairs(pairs, specs.__getitem__, engine, engine_config, progress, precheck)
    report = build_report(*labels, diffs, run=comparison, policy=policy, engine=engine,
                          options=_options(pairs, specs.__getitem__))  # fmt: skip
    if any(c for _, _, c, _ in found):
        return report
    reason = Reason("run", "fail", shadow.wrote_nothing(comparison.candidate), measured=0, limit=1)
    reasons = (reason, *report.verdict.reasons)
    return replace(report, verdict=replace(report.verdict, status="FAIL", reasons=reasons))


def report(saved: str, policy: Policy | None = None) -> Report:
    """A report saved with ``--json``, validated; decided again when ``policy`` is given.

    A saved ERROR (production failed, nothing compared) stays an ERROR: no policy can decide it.
    """
    from .reports import json as json_report

    try:
        with open(saved, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError as exc:
        raise UsageError(f"report '{saved}' not found; pass a file written by --json") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            f"report '{saved}' cannot be read ({exc}); pass a file written by --json"
        ) from exc
    loaded = json_report.load(text, saved)
    if policy is None or loaded.verdict.status == "ERROR":
        return loaded
    return replace(loaded, verdict=evaluate(loaded.datasets, loaded.run, policy))
