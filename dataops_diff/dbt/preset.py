"""``[pipeline] preset = "dbt"``: the keys, the dbt command line and the profile it is given.

Each version runs dbt in its own worktree, with everything dbt writes kept in that version's run
folder: ``<run dir>/<side>/dbt/`` holds the generated ``profiles.yml`` (dbt writes ``.user.yml``
beside it, so it must not be a declared input), ``target/`` (``manifest.json``, compiled SQL) and
``logs/``; the DuckDB file dbt builds into is ``<run dir>/<side>/output/warehouse.duckdb``. Usage
statistics are off. The command is built with the spec's placeholders, so ``shadow`` launches it
like any other.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from ..errors import RunError

if TYPE_CHECKING:
    from ..spec.checks import Checker

KEYS = frozenset({"preset", "args", "select", "target", "project_dir", "state", "dbt"})
DATABASE = "warehouse.duckdb"  # in each version's output folder
ENV = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DBT_USE_COLORS": "false"}
_PROFILE = re.compile(r"""^profile:\s*['"]?([^'"\s#]+)""", re.M)


@dataclass(frozen=True)
class DbtPreset:
    args: tuple[str, ...] = ("build",)
    select: str | None = None  # dbt's selection syntax, passed through
    target: str | None = None
    project_dir: str = "."  # relative to the version's checkout
    state: str | None = None  # absolute: a folder of a previous run's artifacts
    dbt: str = "dbt"  # the dbt program


def parse(c: Checker, pipeline: dict[str, Any], base_dir: str) -> DbtPreset:
    """The preset's keys of ``[pipeline]`` (``command`` and ``shell`` are not theirs)."""
    name = pipeline["preset"]
    if name != "dbt":
        raise c.error(
            "pipeline.preset", f"is {name!r}, which is not a preset", 'use preset = "dbt"'
        )
    for own in ("command", "shell"):
        if own in pipeline:
            raise c.error(
                f"pipeline.{own}", 'is set by preset = "dbt"',
                'drop it, or pass dbt\'s own arguments with args = ["build", "--full-refresh"]',
            )  # fmt: skip
    args: tuple[str, ...] = ("build",)
    if "args" in pipeline:
        args = c.strings(pipeline["args"], "pipeline.args", '["build"]', nonempty=True)
    project_dir = c.string(pipeline.get("project_dir", "."), "pipeline.project_dir", '"."')
    if os.path.isabs(project_dir) or ".." in project_dir.split("/"):
        raise c.error(
            "pipeline.project_dir", "must be a folder inside the version's checkout",
            'e.g. project_dir = "transform"',
        )  # fmt: skip
    state = None
    if "state" in pipeline:
        state = os.path.join(base_dir, c.string(pipeline["state"], "pipeline.state", '"prod"'))
        if not os.path.isdir(state):
            raise c.error(
                "pipeline.state", f"'{pipeline['state']}' is not a folder ({state})",
                "give the folder of a previous run's manifest.json; it is relative to the spec",
            )  # fmt: skip
    select = _opt(c, pipeline, "select", '"state:modified+"')
    if select is not None and "state:" in select and state is None:
        raise c.error(
            "pipeline.select", f"uses {select!r} but no state folder is given",
            'add state = "FOLDER" (a previous run\'s target folder, relative to the spec)',
        )  # fmt: skip
    dbt = default_dbt()
    if "dbt" in pipeline:
        dbt = c.string(pipeline["dbt"], "pipeline.dbt", '".venv/bin/dbt"')
        dbt = os.path.normpath(os.path.join(base_dir, dbt)) if os.sep in dbt else dbt
    return DbtPreset(
        args=args,
        select=select,
        target=_opt(c, pipeline, "target", '"dev"'),
        project_dir=project_dir,
        state=state,
        dbt=dbt,
    )


def _opt(c: Checker, pipeline: dict[str, Any], key: str, example: str) -> str | None:
    return c.string(pipeline[key], f"pipeline.{key}", example) if key in pipeline else None


def default_dbt() -> str:
    """dbt beside the interpreter running dataops-diff (the same environment), else from PATH."""
    beside = os.path.join(os.path.dirname(sys.executable), "dbt")
    return beside if os.path.isfile(beside) else "dbt"


def _literal(text: str) -> str:
    """Text placed in a command template, braces kept literal."""
    return text.replace("{", "{{").replace("}", "}}")


def command(preset: DbtPreset) -> tuple[str, ...]:
    """dbt's command line, with the placeholders ``shadow`` fills in for each version."""
    own = "{run_dir}/{side}/dbt"
    line = [_literal(preset.dbt), *map(_literal, preset.args)]
    line += ["--project-dir", "{root}/" + _literal(preset.project_dir), "--profiles-dir", own]
    line += ["--target-path", own + "/target", "--log-path", own + "/logs"]
    for flag, value in (("--target", preset.target), ("--select", preset.select)):
        if value is not None:
            line += [flag, _literal(value)]
    if preset.state is not None:
        line += ["--state", _literal(preset.state)]
    return tuple(line)


def write_profile(preset: DbtPreset, root: str, side_dir: str, output: str) -> None:
    """``<side dir>/dbt/profiles.yml`` for the project's profile: one DuckDB target whose file is
    in this version's output folder (JSON is YAML)."""
    project = os.path.join(root, preset.project_dir, "dbt_project.yml")
    try:
        with open(project, encoding="utf-8") as fh:
            found = _PROFILE.search(fh.read())
    except OSError as exc:
        raise RunError(
            f"cannot read '{project}' ({exc.strerror}); set pipeline.project_dir to the folder "
            "holding dbt_project.yml"
        ) from exc
    if found is None:
        raise RunError(f"'{project}' names no profile; add profile: NAME to it")
    target = preset.target or "dataops_diff"
    output_db = {"type": "duckdb", "path": os.path.join(output, DATABASE), "threads": 1}
    profile = {found[1]: {"target": target, "outputs": {target: output_db}}}
    folder = os.path.join(side_dir, "dbt")
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "profiles.yml"), "w", encoding="utf-8") as fh:
        json.dump(profile, fh, indent=2)


def manifest_path(side_dir: str) -> str:
    return os.path.join(side_dir, "dbt", "target", "manifest.json")


def resolved(preset: DbtPreset, candidate_root: str, run_dir: str) -> DbtPreset:
    """A ``state:`` selection resolved once, in the candidate's checkout (``dbt ls``), so that
    both versions build the same nodes: resolved in production's own checkout it would select
    nothing, production being what the state folder describes."""
    if preset.select is None or "state:" not in preset.select or preset.state is None:
        return preset
    side_dir = os.path.join(run_dir, "candidate")
    write_profile(preset, candidate_root, side_dir, os.path.join(side_dir, "output"))
    own = os.path.join(side_dir, "dbt")
    project = os.path.join(candidate_root, preset.project_dir)
    line = [preset.dbt, "--quiet", "ls", "--project-dir", project, "--profiles-dir", own]
    line += [
        "--target-path",
        os.path.join(own, "ls-target"),
        "--log-path",
        os.path.join(own, "logs"),
    ]
    line += ["--select", preset.select, "--state", preset.state]
    for kind in ("model", "seed", "snapshot"):
        line += ["--resource-type", kind]
    if preset.target is not None:
        line += ["--target", preset.target]
    try:
        done = subprocess.run(line, capture_output=True, text=True, timeout=600,
                              env={**os.environ, **ENV}, check=False)  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RunError(f"cannot run '{preset.dbt} ls' to resolve pipeline.select ({exc})") from exc
    if done.returncode != 0:
        tail = (done.stdout.strip() or done.stderr.strip() or "no output").splitlines()[-1]
        raise RunError(
            f"'dbt ls --select {preset.select}' failed in the candidate's checkout (exit "
            f"{done.returncode}: {tail}); fix pipeline.select or pipeline.state"
        )
    nodes = [n for n in done.stdout.split() if n]
    return replace(preset, select=" ".join(nodes) or preset.select, state=None)
