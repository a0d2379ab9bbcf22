"""A shadow run, from a ``RunSpec`` to a ``RunComparison`` and the dataset pairs to compare.

Layout of a run directory (never reused)::

    <run dir>/production/output/   what production wrote ({output}, $DATAOPS_DIFF_OUTPUT)
    <run dir>/production/stdout.log, stderr.log, counters.json
    <run dir>/candidate/...        the same for the candidate
    <run dir>/baseline/...         the same for production's second run (``baseline``), if asked

The baseline is production's command, environment and commit run again, concurrently, from a
checkout of its own: production vs baseline shows what differs with identical code and inputs.
"""

from __future__ import annotations

import os
import secrets
import shlex
import sys
import time
from dataclasses import replace

from ..datasets import DatasetRef
from ..dbt import preset as dbt_preset
from ..dbt.pairs import dbt_pairs
from ..errors import RUN_DIR, RunError, SpecError
from ..model import Reason, RunComparison, RunRecord, RunSide, Side
from ..pairing import pair_outputs
from ..spec import DatasetSpec, RunSpec, expand
from ..spec.run import check_baseline
from .gitrefs import Checkout, checkout, release
from .processes import Launch, TickFn, run_versions

SIDES: tuple[Side, Side] = ("production", "candidate")
BASELINE: RunSide = "baseline"
DatasetPair = tuple[str, DatasetRef | None, DatasetRef | None, DatasetSpec]


def production_failure(run: RunComparison) -> str | None:
    """Why production did not succeed (the report's headline), else None."""
    p = run.production
    what = {
        "succeeded": "",
        "failed": f"failed with exit code {p.exit_code}",
        "timed_out": f"timed out after {p.duration_seconds:.1f} s",
        "interrupted": "was interrupted",
        "not_started": "could not be started",
    }[p.status]
    if not what:
        return None
    log = p.tail_log or p.stderr_log
    return f"production run {what}, so nothing can be compared; see its log '{log}'"


def baseline_failure(run: RunComparison) -> Reason | None:
    """A warning when the baseline run did not succeed: no noise floor could be learnt from it.

    The comparison goes on without a floor (it is only ever a help), so this never fails a run.
    """
    b = run.baseline
    if b is None or b.status == "succeeded":
        return None
    code = f" (exit code {b.exit_code})" if b.exit_code is not None else ""
    message = (
        f"baseline run {b.status.replace('_', ' ')}{code}, so the noise floor could not be learnt "
        f"and the candidate is judged without one; see its log '{b.tail_log or b.stderr_log}'"
    )
    return Reason("run", "warn", message, measured=b.status, limit="succeeded")


def floor_failure(why: str) -> Reason:
    """A warning when the baseline ran but its outputs could not be diffed with production's."""
    message = (
        f"the noise floor could not be learnt from the baseline run ({why}); the candidate is "
        "judged without one"
    )
    return Reason("run", "warn", message, measured="no floor", limit="a floor")


def wrote_nothing(record: RunRecord) -> str:
    """The headline of a version that succeeded but left its output folder without a dataset."""
    return (
        f"{record.side} wrote no datasets in its output folder '{record.output_dir}'; "
        f"check that its command writes to {{output}} (its log: '{record.tail_log}')"
    )


def label(record: RunRecord) -> str:
    """How a version is named in the report: its ref (or the working tree) and commit."""
    name = record.git_ref or "working tree"
    return f"{name} @ {record.git_sha[:12]}" if record.git_sha else name


def failed_sides(run: RunComparison) -> frozenset[Side]:
    sides: tuple[Side, Side] = ("production", "candidate")
    records = (run.production, run.candidate)
    return frozenset(s for s, r in zip(sides, records, strict=True) if r.status != "succeeded")


def new_run_id() -> str:
    """Sortable and unique enough: UTC time to the second plus a short random suffix."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(3)


def default_run_dir(spec: RunSpec, run_id: str) -> str:
    return os.path.join(spec.base_dir, ".dataops-diff", "runs", run_id)


def sides(spec: RunSpec) -> tuple[RunSide, ...]:
    """The runs of this shadow run: production, candidate, and the baseline if asked for."""
    return (*SIDES, BASELINE) if spec.baseline else SIDES


def make_run_dir(path: str, runs: tuple[RunSide, ...] = SIDES) -> str:
    """Create the run directory; an existing one is never reused."""
    path = os.path.abspath(path)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.mkdir(path)
    except FileExistsError:
        raise RunError(
            f"run directory '{path}' already exists; pass a new ", RUN_DIR,
            " (runs are never reused)",
        ) from None  # fmt: skip
    except OSError as exc:
        raise RunError(
            f"cannot create run directory '{path}': {exc.strerror}; check ", RUN_DIR
        ) from exc
    for side in runs:
        os.makedirs(os.path.join(path, side, "output"))
    return path


def launch_for(spec: RunSpec, co: Checkout, run_dir: str) -> Launch:
    """Expand the placeholders of one version's command and environment."""
    side = co.side
    version = spec.version(side)
    side_dir = os.path.join(run_dir, side)
    output = os.path.join(side_dir, "output")
    values = {
        "output": output,
        "python": version.python or sys.executable,
        "side": side,
        "root": co.root,
        "run_dir": run_dir,
        **{f"input.{name}": path for name, path in spec.inputs.items()},
    }
    raw = spec.command_for(version.side)
    if isinstance(raw, str):
        quoted = {k: shlex.quote(v) for k, v in values.items()}
        command: tuple[str, ...] = ("/bin/sh", "-c", expand(raw, quoted))
    else:
        command = tuple(expand(arg, values) for arg in raw)
    env = dict(os.environ)
    env.update({k: expand(v, values) for k, v in spec.env.items()})
    env.update({k: expand(v, values) for k, v in version.env.items()})
    env.update(
        DATAOPS_DIFF_SIDE=side,
        DATAOPS_DIFF_OUTPUT=output,
        DATAOPS_DIFF_COUNTERS=os.path.join(side_dir, "counters.json"),
        DATAOPS_DIFF_RUN_DIR=run_dir,
    )
    cwd = os.path.normpath(os.path.join(co.root, spec.cwd))
    if spec.preset is not None:
        dbt_preset.write_profile(spec.preset, co.root, side_dir, output)
    return Launch(side, command, cwd, env, side_dir, output, co.ref, co.sha)


def execute(
    spec: RunSpec, run_dir: str | None = None, on_tick: TickFn | None = None
) -> RunComparison:
    """Check out every version, run them side by side, clean the worktrees up.

    With ``spec.baseline``, production runs twice, each run in its own checkout of the same commit.
    Raises ``RunError`` when a version cannot be checked out, ``Interrupted`` on Ctrl-C/SIGTERM.
    """
    check_baseline(spec)
    run_id = new_run_id()
    if run_dir is None:
        run_dir = default_run_dir(spec, run_id)
    else:
        run_id = os.path.basename(os.path.normpath(run_dir))
    _check_outside_inputs(spec, run_dir)
    if os.path.lexists(run_dir):  # known before any checkout: say it first
        make_run_dir(run_dir)
    checkouts: list[Checkout] = []
    try:
        for side in sides(spec):
            pinned = checkouts[0].sha if side == BASELINE else None  # production's very commit
            checkouts.append(checkout(side, spec.version(side).ref, spec.base_dir, pinned))
        run_dir = make_run_dir(run_dir, sides(spec))
        if spec.preset is not None:  # a state: selection, resolved once for every version
            preset = dbt_preset.resolved(spec.preset, checkouts[1].root, run_dir)
            spec = replace(spec, preset=preset, command=dbt_preset.command(preset))
        launches = tuple(launch_for(spec, co, run_dir) for co in checkouts)
        records, inputs = run_versions(launches, spec.inputs, spec.timeout, on_tick)
    finally:
        for co in checkouts:
            release(co)
    baseline = records[2] if len(records) > 2 else None
    return RunComparison(run_id, run_dir, records[0], records[1], inputs, baseline)


def _check_outside_inputs(spec: RunSpec, run_dir: str) -> None:
    """Outputs written inside an input would look like a version changing that input."""
    run_dir = os.path.abspath(run_dir)
    for name, path in spec.inputs.items():
        if os.path.isdir(path) and os.path.commonpath([run_dir, path]) == path:
            raise RunError(
                f"the run directory '{run_dir}' is inside input '{name}' ({path}); pass a ",
                RUN_DIR,
                " outside the inputs",
            )


def run_pairs(spec: RunSpec, run: RunComparison) -> list[DatasetPair]:
    """Every dataset to compare, paired by ``pairing.pair_outputs`` (the one pairing), with specs.

    A dataset listed in the spec but written by neither version, and a dataset found without a
    key, are spec errors naming the key to fix.
    """
    if spec.preset is not None:
        return dbt_pairs(spec, run, failed_sides(run))
    pairs = _paired(spec, run)
    specs = {e.name: e.spec for e in spec.datasets}
    if not any(p for _, p, _ in pairs):  # production wrote nothing: that is the error to report
        return [(name, p, c, specs.get(name, spec.defaults)) for name, p, c in pairs]
    out: list[DatasetPair] = []
    for name, p, c in pairs:
        entry = next((e for e in spec.datasets if e.name == name), None)
        if entry is not None and p is None and c is None:
            where = f"'{entry.path}'" if entry.path else f"a top-level entry named '{name}'"
            where = f"table '{entry.table}' in {where}" if entry.table else where
            raise SpecError(
                f"{spec.path}: datasets.{name}: neither version wrote {where} in its output "
                f"folder; fix datasets.{name}.{'table' if entry.table else 'path'} (the path is "
                "relative to the output folder)"
            )
        if entry is None and not spec.defaults.key:
            raise SpecError(
                f"{spec.path}: dataset '{name}' found in the outputs has no key; "
                f'add [datasets."{name}"] with key = ["..."], or set key in [defaults]'
            )
        out.append((name, p, c, specs.get(name, spec.defaults)))
    return out


def baseline_pairs(spec: RunSpec, run: RunComparison) -> list[DatasetPair]:
    """Production's datasets paired with the baseline's, by the same pairing as ``run_pairs``.

    The baseline stands on the candidate's side. Only datasets production wrote are returned:
    the floor is learnt for them; one the baseline did not write is (production, None).
    """
    if run.baseline is None:
        return []
    again = replace(run, candidate=run.baseline)
    if spec.preset is not None:
        found = dbt_pairs(spec, again, failed_sides(again))
    else:
        specs = {e.name: e.spec for e in spec.datasets}
        found = [
            (name, p, b, specs.get(name, spec.defaults)) for name, p, b in _paired(spec, again)
        ]
    return [pair for pair in found if pair[1] is not None]


def _paired(
    spec: RunSpec, run: RunComparison
) -> list[tuple[str, DatasetRef | None, DatasetRef | None]]:
    listed = [(e.name, e.path, e.spec.format) for e in spec.datasets]
    tables = {e.name: e.table for e in spec.datasets if e.table}
    return pair_outputs(run.production.output_dir, run.candidate.output_dir, listed,
                        spec.defaults.format, failed_sides(run), tables)  # fmt: skip
