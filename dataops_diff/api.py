"""The Python API and the only orchestration: pair datasets, diff them, decide, build the Report."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from typing import TypeVar

from . import __version__
from .datasets import DatasetRef
from .engines import READS_URIS, EngineConfig, ProgressFn, get_engine
from .engines.base import Engine
from .engines.plan import make_plan
from .errors import (
    ABS_TOL,
    DATASET_SETTINGS,
    IGNORE_COLUMNS,
    REL_TOL,
    RENAMES,
    DataopsDiffError,
    Setting,
    UsageError,
)
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
from .pairing import pair
from .policy import Policy, check_names, evaluate
from .shadow import TickFn
from .spec import DatasetSpec, RunSpec, text_columns
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
    diffs = compare_pairs(pairs, spec_for, engine, engine_config, progress, policy=policy)
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
    policy: Policy | None = None,
) -> tuple[DatasetDiff, ...]:
    """Diff every pair. Every pair's columns, and every name in ``policy``, are validated
    (cheaply, from the schemas) before any is compared: a typo stops the command before the
    expensive part, not after it.

    ``precheck``: the caller's own validation first (a run's, worded for its spec).
    """
    pairs = [
        (n, _encoded(p, spec_for(n), "production"), _encoded(c, spec_for(n), "candidate"))
        for n, p, c in pairs
    ]
    engine = get_engine(engine_name, engine_config)
    try:
        if precheck is not None:
            precheck(engine)
        columns = _validate(engine, pairs, spec_for)
        if policy is not None:
            for name, p, c in pairs:
                present = p or c
                if name not in columns and present is not None:
                    side = "production" if p is not None else "candidate"
                    columns[name] = {col.name for col in engine.schema(present, side)}
            check_names(policy, columns)  # evaluate checks again: no path can skip it
        return tuple(_diff_one(engine, name, p, c, spec_for, progress) for name, p, c in pairs)
    finally:
        engine.close()


def _encoded(ref: DatasetRef | None, spec: DatasetSpec, side: str) -> DatasetRef | None:
    """The reference with the dataset's text encoding and text columns (this side's names),
    which the engines read it with."""
    if ref is None:
        return None
    if spec.encoding is not None:
        ref = replace(ref, encoding=spec.encoding)
    return text_columns.on_ref(ref, spec, side)


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


def _validate(engine: Engine, pairs: Sequence[Pair], spec_for: SpecFor) -> dict[str, set[str]]:
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
    found = _in_spec(spec, lambda: shadow.run_pairs(spec, comparison)) if failure is None else []
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

    diffs = _in_spec(spec, lambda: compare_pairs(
        pairs, specs.__getitem__, engine, engine_config, progress, precheck, policy=policy
    ))  # fmt: skip
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


T = TypeVar("T")
_SPEC_KEYS = {s.name for s in DATASET_SETTINGS}


def _in_spec(spec: RunSpec, work: Callable[[], T]) -> T:
    """A run's dataset settings come from its spec file: an error names the key that set the
    value (``defaults.key in dataops-diff.toml``, as ``spec.columns`` does), never a flag."""
    try:
        return work()
    except DataopsDiffError as exc:

        def origin(s: Setting) -> Setting:
            if s.dataset is None or s.spec_key is not None or s.name not in _SPEC_KEYS:
                return s
            return s.located(spec.setting(s.dataset, s.name), spec.path)

        exc.locate(origin)
        raise
