"""The Python API and the only orchestration: pair datasets, diff them, decide, build the Report."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from typing import TypeVar

from . import __version__
from .datasets import DatasetRef
from .diffs import Pair, SpecFor, diff_one, validate
from .engines import READS_URIS, EngineConfig, ProgressFn, get_engine
from .engines.base import Engine
from .errors import (
    DATASET_SETTINGS,
    DataopsDiffError,
    Interrupted,
    Setting,
    UsageError,
)
from .floor import as_baseline, learn, pair_baseline
from .model import (
    DatasetDiff,
    DatasetFloor,
    JSONValue,
    Reason,
    Report,
    RunComparison,
    Verdict,
    to_dict,
)
from .pairing import pair
from .policy import Policy, check_names, evaluate
from .shadow import TickFn
from .spec import DatasetSpec, RunSpec, text_columns
from .spec.columns import check_columns


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
    baseline: str | None = None,
) -> Report:
    """Compare two data files, dataset folders, output folders or database files.

    ``spec`` is one DatasetSpec for every dataset, or a function of the dataset name;
    ``configured`` names datasets the caller configured by name, each of which must exist.
    ``baseline``: production written again (same code, same inputs); the noise floor learnt from
    it is what the candidate's differences are judged above (docs/noise.md).
    """
    spec_for: SpecFor = (lambda _name: spec) if isinstance(spec, DatasetSpec) else spec
    uris = engine in READS_URIS
    pairs = pair(production, candidate, fmt, uris, tables, schemas)
    base_pairs = pair_baseline(production, baseline, fmt, uris, tables, schemas) if baseline else []
    names = {name for name, _, _ in pairs}
    for name in configured:
        if name not in names:
            raise UsageError(
                f"dataset '{name}' is not in production or candidate (datasets: "
                f"{', '.join(sorted(names))}); fix the dataset name"
            )
    diffs = compare_pairs(pairs, spec_for, engine, engine_config, progress, policy=policy)
    floor = learn_floor(base_pairs, spec_for, engine, engine_config, progress) if baseline else ()
    return build_report(
        production,
        candidate,
        diffs,
        policy=policy,
        engine=engine,
        options=_options(pairs, spec_for),
        baseline=baseline,
        floor=floor,
    )


def learn_floor(
    pairs: Sequence[Pair],
    spec_for: SpecFor,
    engine: str = "duckdb",
    engine_config: EngineConfig | None = None,
    progress: ProgressFn | None = None,
) -> tuple[DatasetFloor, ...]:
    """The noise floor: production diffed against its baseline (``(name, production, baseline)``
    pairs, the baseline on the candidate side) with the same engine and dataset specs as the real
    comparison, one DatasetFloor per dataset both have. Renames are left out: they map production
    names to the candidate's, and the baseline has production's names. Samples and profiles are
    too: the floor keeps neither, so the extra diff costs no more than it must. See docs/noise.md.
    """
    both = [(n, p, b) for n, p, b in pairs if p is not None and b is not None]
    if not both:
        return ()

    def for_floor(name: str) -> DatasetSpec:
        return replace(spec_for(name), renames={}, samples=0, profiles=False)

    try:
        diffs = compare_pairs(both, for_floor, engine, engine_config, progress)
    except DataopsDiffError as exc:
        as_baseline(exc)
        raise
    return tuple(learn(d) for d in diffs)


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
        columns = validate(engine, pairs, spec_for)
        if policy is not None:
            for name, p, c in pairs:
                present = p or c
                if name not in columns and present is not None:
                    side = "production" if p is not None else "candidate"
                    columns[name] = {col.name for col in engine.schema(present, side)}
            check_names(policy, columns)  # evaluate checks again: no path can skip it
        return tuple(diff_one(engine, name, p, c, spec_for, progress) for name, p, c in pairs)
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
    baseline: str | None = None,
    floor: tuple[DatasetFloor, ...] = (),
) -> Report:
    """The Report, decided. ``baseline`` (a path, or the baseline run's label) says a floor was
    learnt; ``floor`` is it, per dataset: differences within it are classified ``noise``."""
    return Report(
        production=production,
        candidate=candidate,
        datasets=diffs,
        verdict=evaluate(diffs, run, policy, floor if baseline is not None else None),
        command="run" if run else "compare",
        engine=engine,
        options=options or {},
        run=run,
        tool_version=__version__,
        baseline=baseline,
        floor=floor,
    )


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
    baseline, floor, failed = _run_floor(spec, comparison, engine, engine_config, progress)
    report = build_report(*labels, diffs, run=comparison, policy=policy, engine=engine,
                          options=_options(pairs, specs.__getitem__), baseline=baseline,
                          floor=floor)  # fmt: skip
    if failed is not None:  # no floor could be learnt: the candidate is judged without one
        status = "WARN" if report.verdict.status == "PASS" else report.verdict.status
        verdict = replace(report.verdict, reasons=(*report.verdict.reasons, failed), status=status)
        report = replace(report, verdict=verdict)
    if any(c for _, _, c, _ in found):
        return report
    reason = Reason("run", "fail", shadow.wrote_nothing(comparison.candidate), measured=0, limit=1)
    reasons = (reason, *report.verdict.reasons)
    return replace(report, verdict=replace(report.verdict, status="FAIL", reasons=reasons))


def _run_floor(
    spec: RunSpec,
    comparison: RunComparison,
    engine: str,
    engine_config: EngineConfig | None,
    progress: ProgressFn | None,
) -> tuple[str | None, tuple[DatasetFloor, ...], Reason | None]:
    """The baseline run's label and the floor learnt from it, or why none was: a baseline that
    failed, or whose outputs could not be diffed, is a warning, never the end of the run."""
    from . import shadow

    failed = shadow.baseline_failure(comparison)
    if comparison.baseline is None or failed is not None:
        return None, (), failed
    try:
        found = shadow.baseline_pairs(spec, comparison)
        specs = {name: dataset_spec for name, _, _, dataset_spec in found}
        floor = _in_spec(spec, lambda: learn_floor([(name, p, b) for name, p, b, _ in found],
                         specs.__getitem__, engine, engine_config, progress))  # fmt: skip
    except Interrupted:
        raise
    except DataopsDiffError as exc:
        return None, (), shadow.floor_failure(exc.message)
    return shadow.label(comparison.baseline), floor, None


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
    floor = loaded.floor if loaded.baseline is not None else None
    return replace(loaded, verdict=evaluate(loaded.datasets, loaded.run, policy, floor))


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
