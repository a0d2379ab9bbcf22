"""The policy flags (``--policy``, ``--expect-change``, ``--max-changed-rows``, ...) for a command.

Every flag but ``--policy`` comes from the rule table (``policy.rules.SETTINGS``): its name,
type, help and what it sets. ``@with_policy_options`` adds them to a typer command whose function
takes a ``policy_options: PolicyOptions`` parameter; the command calls ``policy_options.policy()``
inside its body, so a bad flag or policy file is reported like every other error.
"""

from __future__ import annotations

import functools
import inspect
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from ..errors import SpecError, UsageError
from ..policy import (
    RULES,
    SETTINGS,
    ColumnPolicy,
    Policy,
    Rules,
    Setting,
    parse_limit,
    parse_ratio,
    policy_from_dict,
)
from ..policy.config import FailOn


@dataclass(frozen=True)
class PolicyOptions:
    """The raw policy flags of one command line: ``values`` maps a setting's key to the values
    its flag was given (``"max_psi" -> ("score=0.1",)``); ``switches`` the bool flags given."""

    policy_file: Path | None = None
    values: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    switches: frozenset[str] = frozenset()
    fail_on: str | None = None

    def given(self) -> bool:
        """Whether any policy flag was passed (``report`` then re-decides the verdict)."""
        return self != PolicyOptions()

    def policy(self, base: Policy | None = None) -> Policy:
        """The policy file (or ``base``, e.g. the spec's), with the flags applied on top."""
        policy = read_policy_file(self.policy_file) if self.policy_file else (base or Policy())
        top, columns, sources = policy.rules, dict(policy.columns), dict(policy.sources)
        fields: dict[str, Any] = {}
        for setting in SETTINGS:
            if setting.key in self.switches:
                if setting.levels == ("top",):
                    fields[setting.key] = True
                else:
                    top = replace(top, **_set(setting, True))
            for raw in self.values.get(setting.key, ()):
                if setting.kind not in ("limit", "ratio"):
                    continue
                target, value = _split(raw, setting)
                if target:
                    columns[target] = _with(columns.get(target), setting, value)
                    sources[("columns", target)] = str(setting.flag)
                else:
                    top = replace(top, **_set(setting, value))
        expect = self.values.get("expect_changes", ())
        sources.update({("expect_changes", t): "--expect-change" for t in expect})
        return replace(
            policy,
            **fields,
            rules=replace(top, severity=self._severity(top)),
            columns=columns,
            expect_changes=policy.expect_changes + expect,
            fail_on=self._fail_on(policy.fail_on),
            sources=sources,
        )

    def _severity(self, top: Rules) -> dict[str, Any]:
        severity: dict[str, Any] = dict(top.severity)
        for rule in self.values.get("severity", ()):
            if rule not in RULES:
                raise UsageError(
                    f"--warn-only '{rule}': unknown rule; use one of: {', '.join(RULES)}"
                )
            severity[rule] = "warn"
        return severity

    def _fail_on(self, default: FailOn) -> FailOn:
        if self.fail_on is None:
            return default
        if self.fail_on not in ("fail", "warn"):
            raise UsageError(f"--fail-on '{self.fail_on}': use --fail-on fail or --fail-on warn")
        return "warn" if self.fail_on == "warn" else "fail"


NO_POLICY_OPTIONS = PolicyOptions()  # the default of a command's ``policy_options`` parameter


def read_policy_file(path: Path) -> Policy:
    """A TOML file: its ``[policy]`` table when it has one (a spec file), else the whole file."""
    flag = f"--policy {path}"
    if path.is_dir():
        raise UsageError(f"{flag}: is a folder; pass a TOML policy file")
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise UsageError(f"{flag}: file not found; pass a TOML policy file") from exc
    except OSError as exc:
        raise UsageError(f"{flag}: cannot read ({exc.strerror}); pass a readable file") from exc
    if not raw.strip():
        raise SpecError(f"{path}: the policy file is empty; write a policy (docs/policy.md)")
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise SpecError(
            f"{path}: not UTF-8 text (byte {exc.start}); save the policy file as UTF-8 TOML"
        ) from exc
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: invalid TOML ({exc}); fix the syntax") from exc
    if "policy" not in data:
        return policy_from_dict(data, f"{path}:")
    table = data["policy"]
    if not isinstance(table, dict):
        raise SpecError(f"{path}: policy: expected a table, got {table!r}; write [policy]")
    return policy_from_dict(table, f"{path}: policy")


def _split(raw: str, setting: Setting) -> tuple[str, Any]:
    """``[TARGET=]VALUE`` -> (target or "", parsed value); a flag without targets takes none."""
    target, _, value = raw.rpartition("=")
    target = target.strip()
    if target and not setting.targeted:
        raise UsageError(
            f"{setting.flag} '{raw}': this limit applies to every dataset and takes no TARGET=; "
            f"pass {setting.flag} {value.strip()}, or set it per dataset in a policy file"
        )
    parse = parse_limit if setting.kind == "limit" else parse_ratio
    try:
        return target, parse(value.strip())
    except ValueError as exc:
        raise UsageError(f"{setting.flag} '{raw}': {exc}") from exc


def _with(column: ColumnPolicy | None, setting: Setting, value: Any) -> ColumnPolicy:
    column = column or ColumnPolicy()
    return replace(column, rules=replace(column.rules, **_set(setting, value)))


def _set(setting: Setting, value: object) -> dict[str, Any]:
    """The Rules fields a setting sets (two for a shorthand), typed Any for ``replace(**...)``."""
    return dict.fromkeys(setting.fields, value)


# ------------------------------------------------------------------------------- the flags
def _param(setting: Setting) -> str:
    """The Python parameter of a flag: --expect-change -> expect_change."""
    return str(setting.flag)[2:].replace("-", "_")


def _flag(setting: Setting) -> tuple[str, Any, Any]:
    """A typer option for a setting: repeatable when targeted, a switch for a bool."""
    kind: Any
    default: Any
    if setting.kind == "bool":
        kind, default = bool, False
    elif setting.targeted:
        kind, default = list[str], []
    else:
        kind, default = str | None, None
    metavar = "" if setting.kind == "bool" else setting.metavar or "VALUE"  # no <type> hints
    option = typer.Option(
        str(setting.flag), metavar=metavar, rich_help_panel="Policy", help=setting.help
    )
    return _param(setting), Annotated[kind, option], default


_POLICY_FILE = typer.Option("--policy", metavar="FILE.toml", rich_help_panel="Policy",
                            help="Policy file: its policy "
                            "table, or the whole file (docs/policy.md). Flags apply on top of it.")  # fmt: skip
_BY_PARAM = {_param(s): s for s in SETTINGS if s.flag}
_FLAGS: tuple[tuple[str, Any, Any], ...] = (
    ("policy", Annotated[Path | None, _POLICY_FILE], None),
    *(_flag(s) for s in _BY_PARAM.values()),
)

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
        values: dict[str, tuple[str, ...]] = {}
        switches: set[str] = set()
        for name, setting in _BY_PARAM.items():
            value = raw[name]
            if setting.kind == "bool":
                switches.update([setting.key] if value else [])
            elif setting.kind != "choice" and value not in (None, []):
                values[setting.key] = tuple(value) if isinstance(value, list) else (value,)
        options = PolicyOptions(raw["policy"], values, frozenset(switches), raw["fail_on"])
        return command(*args, policy_options=options, **kwargs)

    wrapper.__signature__ = signature.replace(parameters=[*kept, *added])  # type: ignore[attr-defined]
    return wrapper
