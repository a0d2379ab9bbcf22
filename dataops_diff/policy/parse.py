"""Read a policy from a TOML table (the spec's ``[policy]`` or a ``--policy`` file).

The keys each level accepts come from the rule table (``rules.SETTINGS``). Every error is a
``SpecError`` naming the place (``where``), the key and the fix. The parsed Policy remembers which
key named each dataset and column (``Policy.sources``), so a name that matches nothing can be
reported against the key that holds it.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Any, cast

from ..errors import SpecError
from ..model import Severity
from .config import ColumnPolicy, DatasetPolicy, Limit, Policy, Rules
from .rules import BY_KEY, CHOICES, COLUMN_KEYS, LEVELED, RULES, TOP_ONLY, keys_at

_DATASET_KEYS = keys_at("dataset") | {"columns"}
_TOP_KEYS = keys_at("top") | {"datasets", "columns"}
_SHARE_HINT = (
    'write a share of rows as a string ending in % ("0.5%") or a count of rows as an integer'
)
_RATIO_HINT = 'write a number (0.2) or a percentage ("20%")'
_BARE = re.compile(r"[A-Za-z0-9_-]+")  # a TOML bare key; other keys are quoted
Sources = dict[tuple[str, str], str]


def parse_limit(value: object) -> Limit:
    """'0.5%' -> a share of rows; 10 or '10' -> a count of rows. ValueError says the fix."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"got {value!r}; {_SHARE_HINT}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"got {value}; a count of rows cannot be negative")
        return Limit(value)
    text = value.strip()
    if text.endswith("%"):
        pct = _number(text[:-1], value)
        if pct > 100:
            raise ValueError(f"got {value!r}; a share of rows is at most 100%")
        return Limit(float(pct / 100), share=True)  # the float nearest the exact share
    if text.isdigit():
        return Limit(int(text))
    raise ValueError(f"got {value!r}; {_SHARE_HINT}")


def parse_ratio(value: object) -> float:
    """0.2 or '20%' -> 0.2: a relative change, or a PSI / KS / TVD value. Never negative."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"got {value!r}; {_RATIO_HINT}")
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            return float(_number(text[:-1], value) / 100)
        return float(_number(text, value))
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"got {value!r}; write a finite number >= 0")
    return float(value)


def _number(text: str, original: object) -> Fraction:
    """A finite, non-negative decimal, exactly ("29" -> 29, "0.1" -> 1/10)."""
    try:
        x = float(text)
    except ValueError:
        raise ValueError(f"got {original!r}; {_RATIO_HINT}") from None
    if not math.isfinite(x) or x < 0:
        raise ValueError(f"got {original!r}; write a finite number >= 0")
    try:
        return Fraction(text.strip())
    except ValueError:  # a form float() reads and Fraction() does not ("1_0")
        return Fraction(x)


def policy_from_dict(table: dict[str, Any], where: str) -> Policy:
    """Build a Policy from a TOML table. ``where`` names it in errors ("spec.toml: policy")."""
    _check_keys(table, _TOP_KEYS, where)
    sources: Sources = {}
    datasets = _table(table, "datasets", where)
    choices = {s.key: _choice(table, s.key, s.choices, where) for s in CHOICES}
    counters = _table(table, "counters", where)
    top: dict[str, Any] = {s.key: _value(table, s.key, where) for s in TOP_ONLY if s.key in table}
    expect_changes = _strings(table, "expect_changes", where)
    for target in expect_changes:
        sources[("expect_changes", target)] = at(where, "expect_changes")
    return Policy(
        rules=_rules(table, where),
        datasets={
            name: _dataset(datasets, name, at(where, "datasets"), sources) for name in datasets
        },
        columns=_columns(table, where, "columns", sources),
        expect_changes=expect_changes,
        counters={
            name: cast(float, _ratio(counters, name, at(where, "counters"))) for name in counters
        },
        sources=sources,
        **choices,
        **top,
    )


def _choice(table: dict[str, Any], key: str, choices: tuple[str, ...], where: str) -> Any:
    """One of a choice setting's values (``fail_on``, ``noise``); the first is the default."""
    value = table.get(key, choices[0])
    if value not in choices:
        listed = " or ".join(f'"{c}"' for c in choices)
        raise SpecError(f"{at(where, key)}: got {value!r}; use {listed}")
    return value


def _dataset(datasets: dict[str, Any], name: str, where: str, sources: Sources) -> DatasetPolicy:
    table = _table(datasets, name, where)
    where = at(where, name)
    sources[("datasets", name)] = where
    _check_keys(table, _DATASET_KEYS, where)
    return DatasetPolicy(
        expect_change=_bool(table, "expect_change", where) or False,
        rules=_rules(table, where),
        columns=_columns(table, where, f"datasets.{name}.columns", sources),
    )


def _columns(
    table: dict[str, Any], where: str, kind: str, sources: Sources
) -> dict[str, ColumnPolicy]:
    """The ``columns`` table of a policy or a dataset: column name -> its settings."""
    columns = _table(table, "columns", where)
    out: dict[str, ColumnPolicy] = {}
    for name in columns:
        place = at(at(where, "columns"), name)
        sources[(kind, name)] = place
        column = _table(columns, name, at(where, "columns"))
        _check_keys(column, COLUMN_KEYS, place)
        expect = _bool(column, "expect_change", place) or False
        out[name] = ColumnPolicy(expect, _rules(column, place))
    return out


def _rules(table: dict[str, Any], where: str) -> Rules:
    values: dict[str, Any] = {}
    for setting in LEVELED:
        if setting.key in table:
            value = _value(table, setting.key, where)
            # A shorthand comes before the keys it stands for in the table, so they win.
            values.update(dict.fromkeys(setting.fields, value))
    return Rules(**values, severity=_severity(table, where))


def _value(table: dict[str, Any], key: str, where: str) -> Limit | float | bool | None:
    kind = BY_KEY[key].kind
    if kind == "limit":
        return _limit(table, key, where)
    if kind == "ratio":
        return _ratio(table, key, where)
    return _bool(table, key, where)


def _severity(table: dict[str, Any], where: str) -> dict[str, Severity]:
    raw = _table(table, "severity", where)
    out: dict[str, Severity] = {}
    for rule, value in raw.items():
        if rule not in RULES:
            raise SpecError(
                f"{at(where, 'severity')}: unknown rule '{rule}'; use one of: {', '.join(RULES)}"
            )
        if value not in ("fail", "warn"):
            raise SpecError(
                f'{at(at(where, "severity"), rule)}: got {value!r}; use "fail" or "warn"'
            )
        out[rule] = value
    return out


def at(where: str, key: str) -> str:
    """The place of ``key`` inside ``where``: "spec.toml: policy" -> "spec.toml: policy.KEY";
    a whole file ("policy.toml:") -> "policy.toml: KEY". Keys with a dot are quoted, as in TOML."""
    key = key if _BARE.fullmatch(key) else f'"{key}"'
    return f"{where} {key}" if where.endswith(":") else f"{where}.{key}"


def _check_keys(table: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise SpecError(
                f"{where.rstrip(':')}: unknown key '{key}'; use one of: "
                f"{', '.join(sorted(allowed))}"
            )


def _table(table: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = table.get(key, {})
    if not isinstance(value, dict):
        place = at(where, key)
        header = place.rpartition(": ")[2]  # the TOML table, without the file
        raise SpecError(f"{place}: expected a table, got {value!r}; write [{header}]")
    return value


def _strings(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SpecError(f'{at(where, key)}: expected a list of names, e.g. ["orders.amount"]')
    return tuple(value)


def _bool(table: dict[str, Any], key: str, where: str) -> bool | None:
    value = table.get(key)
    if value is not None and not isinstance(value, bool):
        raise SpecError(f"{at(where, key)}: got {value!r}; write true or false")
    return value


def _limit(table: dict[str, Any], key: str, where: str) -> Limit:
    try:
        return parse_limit(table[key])
    except ValueError as exc:
        raise SpecError(f"{at(where, key)}: {exc}") from exc


def _ratio(table: dict[str, Any], key: str, where: str) -> float | None:
    if key not in table:
        return None
    try:
        return parse_ratio(table[key])
    except ValueError as exc:
        raise SpecError(f"{at(where, key)}: {exc}") from exc
