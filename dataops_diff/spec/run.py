"""The shadow-run spec (``dataops-diff.toml``): frozen dataclasses, the loader and its validation.

Every error names the file, the key and the fix. Unknown keys are errors (they are usually typos).
Paths in the spec are relative to the spec file's folder, except ``pipeline.cwd`` (relative to the
version's checkout) and ``datasets.NAME.path`` (relative to the version's output folder).
The reference is docs/shadow-runs.md.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from typing import Any

from ..dbt import preset as dbt
from ..errors import BASELINE, PRODUCTION_REF, SPEC, TIMEOUT, Setting, SpecError
from ..model import RunSide, Side
from . import run_datasets
from .checks import Checker, check_command
from .dataset import DatasetSpec
from .placeholders import COMMAND_PLACEHOLDERS as COMMAND_PLACEHOLDERS
from .placeholders import check_placeholders
from .placeholders import expand as expand
from .run_datasets import DatasetEntry, table_key

DEFAULT_SPEC = "dataops-diff.toml"
_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")

_TOP = {"pipeline", "production", "candidate", "inputs", "datasets", "defaults", "policy"}
_PIPELINE = {"command", "shell", "cwd", "env", "timeout", "baseline"}
_VERSION = {"ref", "command", "env", "python"}


@dataclass(frozen=True)
class VersionSpec:
    """One version: a git ref checked out into a temporary worktree, or the working tree."""

    side: Side
    ref: str | None = None  # None: the working tree as it is
    command: tuple[str, ...] | str | None = None  # None: pipeline.command
    env: dict[str, str] = field(default_factory=dict)  # over pipeline.env
    python: str | None = (
        None  # the {python} placeholder; None: the interpreter running dataops-diff
    )


@dataclass(frozen=True)
class RunSpec:
    path: str  # the spec file, as given (messages name it)
    base_dir: str  # absolute folder of the spec file; relative spec paths start here
    command: tuple[str, ...] | str  # a string only with shell = true
    production: VersionSpec
    candidate: VersionSpec
    shell: bool = False
    cwd: str = "."  # relative to the version's checkout root
    env: dict[str, str] = field(default_factory=dict)
    timeout: float | None = None  # seconds, for each version
    inputs: dict[str, str] = field(default_factory=dict)  # name -> absolute path
    datasets: tuple[DatasetEntry, ...] = ()
    defaults: DatasetSpec = field(default_factory=lambda: DatasetSpec(key=()))
    policy: dict[str, Any] = field(default_factory=dict)  # [policy], untouched
    defaults_table: str = "defaults"  # or "datasets.default": messages name the table used
    preset: dbt.DbtPreset | None = None  # [pipeline] preset = "dbt" (docs/dbt.md)
    baseline: bool = False  # run production a second time to learn the noise floor (issue 15)
    text_flag: tuple[str, ...] = ()  # given by ``run --text-column``: messages name the flag

    def setting(self, dataset: str, option: str) -> str:
        """The spec key an option of a dataset came from, e.g. ``datasets.orders.key``."""
        entry = next((e for e in self.datasets if e.name == dataset), None)
        if entry is not None and option in entry.own:
            return f"{table_key(dataset)}.{option}"
        return f"{self.defaults_table}.{option}"

    def version(self, side: RunSide) -> VersionSpec:
        """The baseline is production run again: production's version."""
        return self.candidate if side == "candidate" else self.production

    def command_for(self, side: Side) -> tuple[str, ...] | str:
        own = self.version(side).command
        return self.command if own is None else own


def with_overrides(
    spec: RunSpec,
    production_ref: str | None = None,
    candidate_ref: str | None = None,
    timeout: float | None = None,
    baseline: bool | None = None,
) -> RunSpec:
    """CLI flags win over the spec. ``baseline=True`` is ``--baseline``."""
    if timeout is not None and not (timeout > 0 and math.isfinite(timeout)):
        raise SpecError(TIMEOUT, f" must be a positive number of seconds, got {timeout}")
    prod, cand = spec.production, spec.candidate
    if production_ref is not None:
        prod = dataclasses.replace(prod, ref=production_ref or None)
    if candidate_ref is not None:
        cand = dataclasses.replace(cand, ref=candidate_ref or None)
    spec = dataclasses.replace(
        spec,
        production=prod,
        candidate=cand,
        timeout=spec.timeout if timeout is None else timeout,
        baseline=spec.baseline if baseline is None else baseline,
    )
    check_baseline(spec, BASELINE if baseline else BASELINE.located("pipeline.baseline", spec.path))
    return spec


def check_baseline(spec: RunSpec, origin: Setting = BASELINE) -> None:
    """The baseline runs production again from its own checkout: production needs a git ref
    (two runs never share a working tree). ``origin``: the flag or spec key that asked for it."""
    if spec.baseline and spec.production.ref is None:
        raise SpecError(
            origin, " runs production a second time from its own checkout of production's git "
            "ref, but production has no ref (it runs in the working tree); set ",
            PRODUCTION_REF.located("production.ref", spec.path), " or pass ", PRODUCTION_REF,
        )  # fmt: skip


# ------------------------------------------------------------------------------------ loading
def load(path: str = DEFAULT_SPEC) -> RunSpec:
    """Read and validate a spec file."""
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise SpecError(
            f"{path} does not exist; run `dataops-diff init` to write a starter spec, or pass ",
            SPEC,
            " PATH",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: invalid TOML: {exc}; fix the syntax") from exc
    except OSError as exc:
        raise SpecError(f"cannot read {path}: {exc.strerror}; check the path") from exc
    return parse(data, path)


def parse(data: dict[str, Any], path: str) -> RunSpec:
    """Validate an already parsed spec; ``path`` names it in messages and anchors relative paths."""
    c = Checker(path)
    c.table(data, "", _TOP)
    base_dir = os.path.dirname(os.path.abspath(path))
    if "pipeline" not in data:
        raise c.error("pipeline", "is missing", 'add [pipeline] with command = ["..."]')
    pipeline = c.table(data["pipeline"], "pipeline", None)
    preset_keys = dbt.KEYS if "preset" in pipeline else _stray_preset_keys(c, pipeline)
    pipeline = c.table(pipeline, "pipeline", _PIPELINE | preset_keys)
    shell = c.boolean(pipeline.get("shell", False), "pipeline.shell")
    preset = _preset(c, pipeline, base_dir)
    if preset is None and "command" not in pipeline:
        raise c.error(
            "pipeline.command", "is missing", 'e.g. command = ["python", "job.py", "{output}"]'
        )
    if preset is not None:
        command: tuple[str, ...] | str = dbt.command(preset)
    else:
        command = check_command(c, pipeline["command"], "pipeline.command", shell)
    cwd = c.string(pipeline.get("cwd", "."), "pipeline.cwd", '"."')
    if os.path.isabs(cwd):
        raise c.error(
            "pipeline.cwd", "must be relative to the version's checkout", 'e.g. cwd = "jobs"'
        )
    timeout = None
    if "timeout" in pipeline:
        timeout = c.number(pipeline["timeout"], "pipeline.timeout", positive=True)
    baseline = c.boolean(pipeline.get("baseline", False), "pipeline.baseline")
    inputs = _inputs(c, data.get("inputs", {}), base_dir)
    defaults, defaults_table = run_datasets.defaults(c, data)
    spec = RunSpec(
        path=path,
        base_dir=base_dir,
        command=command,
        production=_version(c, data.get("production", {}), "production", shell, base_dir),
        candidate=_version(c, data.get("candidate", {}), "candidate", shell, base_dir),
        shell=shell,
        cwd=cwd,
        env=({**dbt.ENV} if preset else {}) | c.env(pipeline.get("env", {}), "pipeline.env"),
        timeout=timeout,
        inputs=inputs,
        datasets=run_datasets.datasets(c, data.get("datasets", {}), defaults, keyed=preset is None),
        defaults=defaults,
        policy=dict(c.table(data.get("policy", {}), "policy", None)),
        defaults_table=defaults_table,
        preset=preset,
        baseline=baseline,
    )
    check_placeholders(c, spec)
    return spec


def _preset(c: Checker, pipeline: dict[str, Any], base_dir: str) -> dbt.DbtPreset | None:
    return dbt.parse(c, pipeline, base_dir) if "preset" in pipeline else None


def _stray_preset_keys(c: Checker, pipeline: dict[str, Any]) -> frozenset[str]:
    """The preset's keys without ``preset``: said as such, not as unknown keys."""
    stray = sorted(k for k in dbt.KEYS if k in pipeline)
    if stray:
        raise c.error(f"pipeline.{stray[0]}", 'is a key of preset = "dbt"', 'add preset = "dbt"')
    return frozenset()


def _version(c: Checker, value: Any, side: Side, shell: bool, base_dir: str) -> VersionSpec:
    table = c.table(value, side, _VERSION)
    ref = c.string(table["ref"], f"{side}.ref", '"main"') if "ref" in table else None
    command = (
        check_command(c, table["command"], f"{side}.command", shell) if "command" in table else None
    )
    python = None
    if "python" in table:
        python = c.string(table["python"], f"{side}.python", '".venv/bin/python"')
        if os.sep in python:
            python = os.path.normpath(os.path.join(base_dir, python))
    return VersionSpec(side, ref, command, c.env(table.get("env", {}), f"{side}.env"), python)


def _inputs(c: Checker, value: Any, base_dir: str) -> dict[str, str]:
    inputs: dict[str, str] = {}
    for name, p in c.table(value, "inputs", None).items():
        key = f"inputs.{name}"
        if not _NAME.match(name):
            raise c.error(key, "is not a usable name", "use letters, digits, '_', '-' and '.'")
        full = os.path.normpath(os.path.join(base_dir, c.string(p, key, '"data/input.csv"')))
        if not os.path.exists(full):
            raise c.error(
                key,
                f"'{p}' does not exist ({full})",
                "fix the path; it is relative to the spec file",
            )
        inputs[name] = full
    return inputs
