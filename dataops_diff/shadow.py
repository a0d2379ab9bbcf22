"""A shadow run, from a ``RunSpec`` to a ``RunComparison`` and the dataset pairs to compare.

Layout of a run directory (never reused)::

    <run dir>/production/output/   what production wrote ({output}, $DATAOPS_DIFF_OUTPUT)
    <run dir>/production/stdout.log, stderr.log, counters.json
    <run dir>/candidate/...        the same for the candidate
"""

from __future__ import annotations

import dataclasses
import os
import secrets
import shlex
import sys
import time

from .datasets import DatasetRef, dataset_name, format_of, open_dataset
from .errors import InputError, RunError, SpecError
from .gitrefs import Checkout, checkout, release
from .model import Reason, Report, RunComparison, RunRecord, Side
from .runner import Launch, TickFn, run_versions
from .runspec import RunSpec, expand
from .spec import DatasetSpec

SIDES: tuple[Side, Side] = ("production", "candidate")
DatasetPair = tuple[str, DatasetRef | None, DatasetRef | None, DatasetSpec]


class ProductionFailed(RunError):
    """Production did not succeed, so nothing can be compared (exit 2).

    ``report`` still describes the run (records, stderr tails, inputs) for the renderers.
    """

    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message)
        self.report = report


def production_failure(run: RunComparison) -> str | None:
    """The one-line error when production did not succeed, else None."""
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
    return f"production run {what}, so nothing can be compared; see its log '{p.stderr_log}'"


def with_failure(report: Report, message: str) -> Report:
    """The report of a run whose production failed: FAIL, with that as the first reason."""
    reason = Reason("run", "fail", message, measured=report.run.production.status if report.run
                    else None, limit="succeeded")  # fmt: skip
    verdict = dataclasses.replace(report.verdict, status="FAIL",
                                  reasons=(reason, *report.verdict.reasons))  # fmt: skip
    return dataclasses.replace(report, verdict=verdict)


def label(record: RunRecord) -> str:
    """How a version is named in the report: its ref (or the working tree) and commit."""
    name = record.git_ref or "working tree"
    return f"{name} @ {record.git_sha[:12]}" if record.git_sha else name


def failed_sides(run: RunComparison) -> frozenset[Side]:
    return frozenset(r.side for r in (run.production, run.candidate) if r.status != "succeeded")


def new_run_id() -> str:
    """Sortable and unique enough: UTC time to the second plus a short random suffix."""
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-" + secrets.token_hex(3)


def default_run_dir(spec: RunSpec, run_id: str) -> str:
    return os.path.join(spec.base_dir, ".dataops-diff", "runs", run_id)


def make_run_dir(path: str) -> str:
    """Create the run directory; an existing one is never reused."""
    path = os.path.abspath(path)
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.mkdir(path)
    except FileExistsError:
        raise RunError(
            f"run directory '{path}' already exists; pass a new --run-dir (runs are never reused)"
        ) from None
    except OSError as exc:
        raise RunError(
            f"cannot create run directory '{path}': {exc.strerror}; check --run-dir"
        ) from exc
    for side in SIDES:
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
    raw = spec.command_for(side)
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
    return Launch(side, command, cwd, env, side_dir, output, co.ref, co.sha)


def execute(
    spec: RunSpec, run_dir: str | None = None, on_tick: TickFn | None = None
) -> RunComparison:
    """Check out both versions, run them side by side, clean the worktrees up.

    Raises ``RunError`` when a version cannot be checked out, ``Interrupted`` on Ctrl-C/SIGTERM.
    """
    run_id = new_run_id()
    if run_dir is None:
        run_dir = default_run_dir(spec, run_id)
    else:
        run_id = os.path.basename(os.path.normpath(run_dir))
    checkouts: list[Checkout] = []
    try:
        for side in SIDES:
            checkouts.append(checkout(side, spec.version(side).ref, spec.base_dir))
        _check_outside_inputs(spec, run_dir)
        run_dir = make_run_dir(run_dir)
        prod, cand = (launch_for(spec, co, run_dir) for co in checkouts)
        records, inputs = run_versions((prod, cand), spec.inputs, spec.timeout, on_tick)
    finally:
        for co in checkouts:
            release(co)
    return RunComparison(run_id, run_dir, records[0], records[1], inputs)


def _check_outside_inputs(spec: RunSpec, run_dir: str) -> None:
    """Outputs written inside an input would look like a version changing that input."""
    run_dir = os.path.abspath(run_dir)
    for name, path in spec.inputs.items():
        if os.path.isdir(path) and os.path.commonpath([run_dir, path]) == path:
            raise RunError(
                f"the run directory '{run_dir}' is inside input '{name}' ({path}); "
                "pass a --run-dir outside the inputs"
            )


def _scan(folder: str, side: Side, fmt: str | None) -> dict[str, str]:
    """Dataset name -> path of the top-level entries of an output folder (bookkeeping skipped)."""
    found: dict[str, str] = {}
    if not os.path.isdir(folder):
        return found
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name.startswith((".", "_")):
            continue
        if not entry.is_dir() and format_of(entry.name, fmt) is None:
            continue
        name = dataset_name(entry.path)
        if name in found:
            raise InputError(
                f"{side} output '{folder}' holds two datasets named '{name}' "
                f"('{found[name]}' and '{entry.path}'); list one in [datasets] with its path"
            )
        found[name] = entry.path
    return found


def _open(side: Side, path: str, name: str, fmt: str | None, lenient: bool) -> DatasetRef | None:
    """The dataset at ``path``; None when absent (or unreadable, for a version that failed)."""
    if not path or not os.path.exists(path):
        return None
    try:
        return open_dataset(path, side, fmt, name)
    except InputError:
        if lenient:
            return None  # a failed version's partial output counts as not produced
        raise


def pair_outputs(
    spec: RunSpec, production: str, candidate: str, failed: frozenset[Side] = frozenset()
) -> list[DatasetPair]:
    """Every dataset to compare: those listed in the spec, then the others found in either output.

    A dataset missing from one output is paired with None; one listed but missing from both is an
    error. ``failed``: versions that did not succeed; their unreadable datasets count as missing.
    """
    folders = dict(zip(SIDES, (production, candidate), strict=True))
    found = {side: _scan(folders[side], side, spec.defaults.format) for side in SIDES}
    pairs: list[DatasetPair] = []
    claimed: set[str] = set()
    for entry in spec.datasets:
        rel = entry.path
        where_on = {s: os.path.join(folders[s], rel) if rel else found[s].get(entry.name, "")
                    for s in SIDES}  # fmt: skip
        p, c = (_open(s, where_on[s], entry.name, entry.spec.format, s in failed) for s in SIDES)
        if p is None and c is None:
            where = f"'{rel}'" if rel else f"a top-level entry named '{entry.name}'"
            raise SpecError(
                f"{spec.path}: datasets.{entry.name}: neither version wrote {where} in its output "
                f"folder; fix datasets.{entry.name}.path (it is relative to the output folder)"
            )
        claimed.add((rel or entry.name).replace("\\", "/").split("/")[0])
        pairs.append((entry.name, p, c, entry.spec))
    listed = {e.name for e in spec.datasets}
    for name in sorted((set(found["production"]) | set(found["candidate"])) - listed):
        paths = {side: found[side].get(name, "") for side in SIDES}
        if any(os.path.basename(path) in claimed for path in paths.values() if path):
            continue  # the folder that holds a listed dataset
        if not spec.defaults.key:
            raise SpecError(
                f"{spec.path}: dataset '{name}' found in the outputs has no key; "
                f'add [datasets.{name}] with key = ["..."], or set key in [defaults]'
            )
        p, c = (_open(side, paths[side], name, spec.defaults.format, side in failed)
                for side in SIDES)  # fmt: skip
        if p is not None or c is not None:
            pairs.append((name, p, c, spec.defaults))
    return pairs
