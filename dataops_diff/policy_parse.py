"""Read a policy from a TOML table (the spec's ``[policy]`` or a ``--policy`` file).

Every error is a ``SpecError`` naming the place (``where``), the key and the fix.
"""

from __future__ import annotations

import math
from typing import Any, cast

from .errors import SpecError
from .model import Severity
from .policy_config import COLUMN_KEYS, RULES, ColumnPolicy, DatasetPolicy, Limit, Policy, Rules

_LIMIT_KEYS = frozenset(
    {"max_changed_rows", "max_dataset_changed_rows", "max_row_count_change"}
    | {"max_only_in_production", "max_only_in_candidate", "max_duplicate_groups"}
)
_RATIO_KEYS = frozenset({"max_psi", "max_ks", "max_null_share_change", "max_tvd"})
_BOOL_KEYS = frozenset({"allow_added_columns", "allow_removed_columns", "allow_type_changes"})
_RULES_KEYS = _LIMIT_KEYS | _RATIO_KEYS | _BOOL_KEYS | {"severity", "max_only_in_one_side"}
_DATASET_KEYS = _RULES_KEYS | {"expect_change", "columns"}
_TOP_KEYS = (_RULES_KEYS | {"datasets", "columns", "expect_changes", "allow_new_datasets"}) | {
    "allow_missing_datasets",
    "allow_new_counters",
    "allow_missing_counters",
    "max_counter_change",
    "counters",
    "max_slowdown",
    "max_memory_growth",
    "fail_on",
}
_SHARE_HINT = (
    'write a share of rows as a string ending in % ("0.5%") or a count of rows as an integer'
)


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
        return Limit(pct / 100, share=True)
    if text.isdigit():
        return Limit(int(text))
    raise ValueError(f"got {value!r}; {_SHARE_HINT}")


def parse_ratio(value: object) -> float:
    """0.2 or '20%' -> 0.2: a relative change, or a PSI / KS / TVD value. Never negative."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f'got {value!r}; write a number (0.2) or a percentage ("20%")')
    if isinstance(value, str):
        text = value.strip()
        if text.endswith("%"):
            return _number(text[:-1], value) / 100
        return _number(text, value)
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"got {value!r}; write a finite number >= 0")
    return float(value)


def _number(text: str, original: object) -> float:
    try:
        x = float(text)
    except ValueError:
        raise ValueError(
            f'got {original!r}; write a number (0.2) or a percentage ("20%")'
        ) from None
    if not math.isfinite(x) or x < 0:
        raise ValueError(f"got {original!r}; write a finite number >= 0")
    return x


def policy_from_dict(table: dict[str, Any], where: str) -> Policy:
    """Build a Policy from a TOML table. ``where`` names it in errors ("spec.toml: policy")."""
    _check_keys(table, _TOP_KEYS, where)
    datasets = _table(table, "datasets", where)
    fail_on = table.get("fail_on", "fail")
    if fail_on not in ("fail", "warn"):
        raise SpecError(f'{where}.fail_on: got {fail_on!r}; use "fail" or "warn"')
    counters = _table(table, "counters", where)
    columns = _table(table, "columns", where)
    return Policy(
        rules=_rules(table, where),
        datasets={
            name: _dataset(_table(datasets, name, f"{where}.datasets"), f"{where}.datasets.{name}")
            for name in datasets
        },
        columns={
            name: _column(_table(columns, name, f"{where}.columns"), f"{where}.columns.{name}")
            for name in columns
        },
        expect_changes=_strings(table, "expect_changes", where),
        allow_new_datasets=_bool(table, "allow_new_datasets", where) or False,
        allow_missing_datasets=_bool(table, "allow_missing_datasets", where) or False,
        max_counter_change=_ratio(table, "max_counter_change", where) or 0.0,
        allow_new_counters=_bool(table, "allow_new_counters", where) or False,
        allow_missing_counters=_bool(table, "allow_missing_counters", where) or False,
        counters={
            name: cast(float, _ratio(counters, name, f"{where}.counters")) for name in counters
        },
        max_slowdown=_ratio(table, "max_slowdown", where),
        max_memory_growth=_ratio(table, "max_memory_growth", where),
        fail_on=fail_on,
    )


def _dataset(table: dict[str, Any], where: str) -> DatasetPolicy:
    _check_keys(table, _DATASET_KEYS, where)
    columns = _table(table, "columns", where)
    return DatasetPolicy(
        expect_change=_bool(table, "expect_change", where) or False,
        rules=_rules(table, where),
        columns={
            name: _column(_table(columns, name, f"{where}.columns"), f"{where}.columns.{name}")
            for name in columns
        },
    )


def _column(table: dict[str, Any], where: str) -> ColumnPolicy:
    _check_keys(table, COLUMN_KEYS | {"expect_change"}, where)
    return ColumnPolicy(_bool(table, "expect_change", where) or False, _rules(table, where))


def _rules(table: dict[str, Any], where: str) -> Rules:
    values: dict[str, Any] = {}
    both = table.get("max_only_in_one_side")
    if both is not None:
        limit = _limit(table, "max_only_in_one_side", where)
        values["max_only_in_production"] = values["max_only_in_candidate"] = limit
    for key in _LIMIT_KEYS & table.keys():
        values[key] = _limit(table, key, where)
    for key in _RATIO_KEYS & table.keys():
        values[key] = _ratio(table, key, where)
    for key in _BOOL_KEYS & table.keys():
        values[key] = _bool(table, key, where)
    return Rules(**values, severity=_severity(table, where))


def _severity(table: dict[str, Any], where: str) -> dict[str, Severity]:
    raw = _table(table, "severity", where)
    out: dict[str, Severity] = {}
    for rule, value in raw.items():
        if rule not in RULES:
            raise SpecError(
                f"{where}.severity: unknown rule '{rule}'; use one of: {', '.join(RULES)}"
            )
        if value not in ("fail", "warn"):
            raise SpecError(f'{where}.severity.{rule}: got {value!r}; use "fail" or "warn"')
        out[rule] = value
    return out


def _check_keys(table: dict[str, Any], allowed: frozenset[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise SpecError(
                f"{where}: unknown key '{key}'; use one of: {', '.join(sorted(allowed))}"
            )


def _table(table: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise SpecError(f"{where}.{key}: expected a table, got {value!r}; write [{where}.{key}]")
    return value


def _strings(table: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SpecError(f'{where}.{key}: expected a list of names, e.g. ["orders.amount"]')
    return tuple(value)


def _bool(table: dict[str, Any], key: str, where: str) -> bool | None:
    value = table.get(key)
    if value is not None and not isinstance(value, bool):
        raise SpecError(f"{where}.{key}: got {value!r}; write true or false")
    return value


def _limit(table: dict[str, Any], key: str, where: str) -> Limit:
    try:
        return parse_limit(table[key])
    except ValueError as exc:
        raise SpecError(f"{where}.{key}: {exc}") from exc


def _ratio(table: dict[str, Any], key: str, where: str) -> float | None:
    if key not in table:
        return None
    try:
        return parse_ratio(table[key])
    except ValueError as exc:
        raise SpecError(f"{where}.{key}: {exc}") from exc
