"""The policy flags (``--policy``, ``--expect-change``, ``--max-changed-rows``, ...) for a command.

``@with_policy_options`` adds the flags to a typer command whose function takes a
``policy_options: PolicyOptions`` parameter; the command calls ``policy_options.policy()`` inside
its body, so a bad flag or policy file is reported like every other error.
"""

from __future__ import annotations

import functools
import inspect
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from ..errors import SpecError, UsageError
from ..policy import RULES, ColumnPolicy, Limit, Policy, parse_limit, parse_ratio, policy_from_dict
from ..policy_config import FailOn

_SHIFT_FLAGS = {"max_psi": "PSI", "max_ks": "KS statistic", "max_tvd": "TVD"}
_SHIFT_FLAGS["max_null_share_change"] = "change of the null share"


@dataclass(frozen=True)
class PolicyOptions:
    """The raw policy flags of one command line."""

    policy_file: Path | None = None
    expect_change: tuple[str, ...] = ()
    max_changed_rows: tuple[str, ...] = ()
    max_row_count_change: str | None = None
    max_only_in_one_side: str | None = None
    shift: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "max_psi" -> values
    allow_added_columns: bool = False
    allow_removed_columns: bool = False
    allow_type_changes: bool = False
    allow_new_datasets: bool = False
    allow_missing_datasets: bool = False
    warn_only: tuple[str, ...] = ()
    fail_on: str | None = None

    def given(self) -> bool:
        """Whether any policy flag was passed (``report`` then re-decides the verdict)."""
        return self != PolicyOptions()

    def policy(self, base: Policy | None = None) -> Policy:
        """The policy file (or ``base``, e.g. the spec's), with the flags applied on top."""
        policy = read_policy_file(self.policy_file) if self.policy_file else (base or Policy())
        top = policy.rules
        columns = dict(policy.columns)
        for raw in self.max_changed_rows:
            target, limit = _split(raw, "--max-changed-rows", parse_limit)
            if target:
                columns[target] = _with(columns.get(target), max_changed_rows=limit)
            else:
                top = replace(top, max_changed_rows=limit)
        for key, values in self.shift.items():
            flag = "--" + key.replace("_", "-")
            for raw in values:
                target, ratio = _split(raw, flag, parse_ratio)
                if target:
                    columns[target] = _with(columns.get(target), **{key: ratio})
                else:
                    top = replace(top, **_fields({key: ratio}))
        if self.max_row_count_change is not None:
            top = replace(top, max_row_count_change=_limit(self.max_row_count_change,
                                                           "--max-row-count-change"))  # fmt: skip
        if self.max_only_in_one_side is not None:
            limit = _limit(self.max_only_in_one_side, "--max-only-in-one-side")
            top = replace(top, max_only_in_production=limit, max_only_in_candidate=limit)
        for name in ("allow_added_columns", "allow_removed_columns", "allow_type_changes"):
            if getattr(self, name):
                top = replace(top, **_fields({name: True}))
        severity = dict(top.severity)
        for rule in self.warn_only:
            if rule not in RULES:
                raise UsageError(
                    f"--warn-only '{rule}': unknown rule; use one of: {', '.join(RULES)}"
                )
            severity[rule] = "warn"
        fail_on: FailOn = policy.fail_on
        if self.fail_on is not None:
            if self.fail_on not in ("fail", "warn"):
                raise UsageError(
                    f"--fail-on '{self.fail_on}': use --fail-on fail or --fail-on warn"
                )
            fail_on = "warn" if self.fail_on == "warn" else "fail"
        return replace(
            policy,
            rules=replace(top, severity=severity),
            columns=columns,
            expect_changes=policy.expect_changes + self.expect_change,
            allow_new_datasets=policy.allow_new_datasets or self.allow_new_datasets,
            allow_missing_datasets=policy.allow_missing_datasets or self.allow_missing_datasets,
            fail_on=fail_on,
        )


NO_POLICY_OPTIONS = PolicyOptions()  # the default of a command's ``policy_options`` parameter


def read_policy_file(path: Path) -> Policy:
    """A TOML file: its ``[policy]`` table when it has one (a spec file), else the whole file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise UsageError(f"--policy {path}: file not found; pass a TOML policy file") from exc
    except OSError as exc:
        raise UsageError(f"--policy {path}: cannot read ({exc.strerror})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: invalid TOML ({exc}); fix the syntax") from exc
    table = data.get("policy")
    if isinstance(table, dict):
        return policy_from_dict(table, f"{path}: policy")
    return policy_from_dict(data, str(path))


T = TypeVar("T")


def _split(raw: str, flag: str, parse: Callable[[str], T]) -> tuple[str, T]:
    target, _, value = raw.rpartition("=")
    try:
        return target.strip(), parse(value.strip())
    except ValueError as exc:
        raise UsageError(f"{flag} '{raw}': {exc}") from exc


def _limit(raw: str, flag: str) -> Limit:
    return _split(raw, flag, parse_limit)[1]


def _fields(values: dict[str, Any]) -> dict[str, Any]:
    """Field values whose names a loop chose: typed as Any for ``replace(**...)``."""
    return values


def _with(column: ColumnPolicy | None, **rules: Any) -> ColumnPolicy:
    column = column or ColumnPolicy()
    return replace(column, rules=replace(column.rules, **rules))


# ------------------------------------------------------------------------------- the flags
_TARGET = "TARGET is COLUMN (in every dataset) or DATASET.COLUMN"


def _option(name: str, kind: Any, default: Any, help: str, metavar: str | None = None) -> Any:
    option = typer.Option("--" + name.replace("_", "-"), metavar=metavar, help=help)
    return name, Annotated[kind, option], default


_FLAGS: tuple[tuple[str, Any, Any], ...] = (
    _option("policy", Path | None, None, "Policy file: its policy table, or the whole file "
            "(docs/policy.md). Flags apply on top of it.", "FILE.toml"),
    _option("expect_change", list[str], [], "A dataset, DATASET.COLUMN or COLUMN the candidate "
            "is meant to change: its differences are expected, and it fails if it did not "
            "change. Repeatable.", "TARGET"),
    _option("max_changed_rows", list[str], [], "Tolerate changed rows per column: 0.5% (share) "
            f"or 10 (rows). {_TARGET}. Repeatable.", "[TARGET=]LIMIT"),
    _option("max_row_count_change", str | None, None, "Tolerate a change of a dataset's row "
            "count: 1% or 100 (rows).", "LIMIT"),
    _option("max_only_in_one_side", str | None, None, "Tolerate rows only in production or "
            "only in the candidate: 0.1% or 10 (rows), per side.", "LIMIT"),
    *(
        _option(key, list[str], [], f"Fail when the {label} of a column exceeds VALUE. "
                f"{_TARGET}. Repeatable.", "[TARGET=]VALUE")
        for key, label in _SHIFT_FLAGS.items()
    ),
    _option("allow_added_columns", bool, False, "Tolerate columns only in the candidate."),
    _option("allow_removed_columns", bool, False, "Tolerate columns only in production."),
    _option("allow_type_changes", bool, False, "Tolerate columns whose type changed."),
    _option("allow_new_datasets", bool, False, "Tolerate datasets only in the candidate."),
    _option("allow_missing_datasets", bool, False, "Tolerate datasets only in production."),
    _option("warn_only", list[str], [], "Make a rule only warn, e.g. changed_rows, row_count, "
            "psi (docs/policy.md lists them). Repeatable.", "RULE"),
    _option("fail_on", str | None, None, "Exit 1 on FAIL only (default), or on WARN too.",
            "fail|warn"),
)  # fmt: skip

R = TypeVar("R")


def with_policy_options(command: Callable[..., R]) -> Callable[..., R]:
    """Add the policy flags to ``command``, which receives them as ``policy_options``."""
    signature = inspect.signature(command, eval_str=True)
    kept = [p for p in signature.parameters.values() if p.name != "policy_options"]
    added = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, annotation=kind, default=default)
        for name, kind, default in _FLAGS
    ]

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        raw = {name: kwargs.pop(name) for name, _, _ in _FLAGS}
        shift = {key: tuple(raw.pop(key)) for key in _SHIFT_FLAGS}
        options = PolicyOptions(
            policy_file=raw.pop("policy"),
            shift={key: values for key, values in shift.items() if values},
            **_fields({k: tuple(v) if isinstance(v, list) else v for k, v in raw.items()}),
        )
        return command(*args, policy_options=options, **kwargs)

    wrapper.__signature__ = signature.replace(parameters=[*kept, *added])  # type: ignore[attr-defined]
    return wrapper
