"""Drift guard: every setting of the rule table (policy.rules.SETTINGS) is a TOML key at exactly
its levels, a CLI flag on every command that takes policy flags (when it has one) with the same
effect as the key, and a row of docs/policy.md."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from dataops_diff.cli import app
from dataops_diff.cli.policy_options import PolicyOptions, with_policy_options
from dataops_diff.errors import SpecError
from dataops_diff.policy import SETTINGS, Policy, Rules, Setting, policy_from_dict
from dataops_diff.policy.rules import BY_FLAG, LEVELED, SHIFT_LABEL, SHIFT_MEASURES, TOP_ONLY

DOCS = (Path(__file__).parents[1] / "docs" / "policy.md").read_text(encoding="utf-8")
COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]
IDS = [s.key for s in SETTINGS]
SAMPLE: dict[str, Any] = {
    "limit": "1%", "ratio": 0.25, "bool": True, "targets": ["orders"], "expect": True,
    "severity": {"psi": "warn"}, "counters": {"rows": 0.1}, "choice": "warn",
}  # fmt: skip


def _table_at(level: str, key: str, value: Any) -> dict[str, Any]:
    if level == "top":
        return {key: value}
    if level == "dataset":
        return {"datasets": {"orders": {key: value}}}
    return {"columns": {"amount": {key: value}}}


@pytest.mark.parametrize("setting", SETTINGS, ids=IDS)
def test_the_parser_takes_each_key_at_exactly_its_levels(setting: Setting) -> None:
    for level in ("top", "dataset", "column"):
        table = _table_at(level, setting.key, SAMPLE[setting.kind])
        if level in setting.levels:
            assert policy_from_dict(table, "t") != Policy() or setting.kind == "targets"
        else:
            with pytest.raises(SpecError, match=f"unknown key '{setting.key}'"):
                policy_from_dict(table, "t")


def test_the_value_settings_are_the_policy_fields() -> None:
    """Rules holds the settings below the top level; Policy the top-only ones."""
    rules = {f.name for f in dataclasses.fields(Rules)} - {"severity"}
    assert rules == {field for s in LEVELED for field in s.fields}
    policy = {f.name for f in dataclasses.fields(Policy)}
    assert {s.key for s in TOP_ONLY} <= policy
    assert set(SHIFT_LABEL) == set(SHIFT_MEASURES)
    assert all(f"max_{m}" in rules for m in SHIFT_MEASURES)


@pytest.mark.parametrize("setting", SETTINGS, ids=IDS)
def test_every_key_is_a_row_of_the_docs(setting: Setting) -> None:
    assert setting.doc_row in DOCS, f"docs/policy.md lacks (or differs from) {setting.doc_row}"


def test_every_key_row_of_the_docs_is_in_the_table() -> None:
    """The reverse: a key documented but dropped from the table."""
    documented = re.findall(r"^\| `(\w+)` \| (?:all|top|dataset)", DOCS, re.MULTILINE)
    assert set(documented) == set(IDS)


FLAGGED = [s for s in SETTINGS if s.flag]


@pytest.mark.parametrize("command", ["compare", "run", "report"])
def test_every_flag_is_on_every_command(command: str) -> None:
    opts = {o for p in COMMANDS[command].params for o in getattr(p, "opts", [])}
    assert {s.flag for s in FLAGGED} | {"--policy"} <= opts
    policy_like = {o for o in opts if o.startswith(("--max-", "--allow-", "--expect-"))}
    assert policy_like <= set(BY_FLAG), "a policy flag that is not in the rule table"


@pytest.mark.parametrize("setting", FLAGGED, ids=[s.key for s in FLAGGED])
def test_every_flag_is_in_the_docs(setting: Setting) -> None:
    assert f"`{setting.flag}" in DOCS or f"`{setting.flag}`" in DOCS, setting.flag


probe = typer.Typer()
seen: list[PolicyOptions] = []


@probe.command()
@with_policy_options
def probe_flags(policy_options: PolicyOptions) -> None:
    seen.append(policy_options)


@probe.command()
def other() -> None:
    """A second command, so that typer keeps command names."""


def _flag_policy(*args: str) -> Policy:
    seen.clear()
    result = CliRunner().invoke(probe, ["probe-flags", *args])
    assert result.exit_code == 0, result.output
    return seen[0].policy()


VALUED = [s for s in FLAGGED if s.kind in ("limit", "ratio", "bool")]


@pytest.mark.parametrize("setting", VALUED, ids=[s.key for s in VALUED])
def test_a_flag_does_what_its_key_does(setting: Setting) -> None:
    """``--max-psi 0.25`` is ``max_psi = 0.25``; ``--max-psi amount=0.25`` is the column's."""
    assert setting.flag is not None
    if setting.kind == "bool":
        assert _flag_policy(setting.flag) == policy_from_dict({setting.key: True}, "t")
        return
    value = SAMPLE[setting.kind]
    from_key = policy_from_dict({setting.key: value}, "t")
    assert _flag_policy(setting.flag, str(value)) == from_key
    if setting.targeted:
        from_column = policy_from_dict(_table_at("column", setting.key, value), "t")
        assert _flag_policy(setting.flag, f"amount={value}") == from_column
