"""Field checks for the spec loader: each builds a message naming the file, the key and the fix."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from ..datasets import FORMATS
from ..engines.read_checks import valid_encoding
from ..errors import SpecError
from .dataset import DEFAULT_SAMPLES, DatasetSpec


class Checker:
    """Builds messages of the form '<file>: <key> <problem>; <fix>'."""

    def __init__(self, path: str) -> None:
        self.path = path

    def error(self, key: str, problem: str, fix: str) -> SpecError:
        return SpecError(f"{self.path}: {key} {problem}; {fix}")

    def table(self, data: Any, key: str, allowed: set[str] | None) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.error(key, "must be a table", f"write it as [{key}]")
        if allowed is not None:
            for k in data:
                if k not in allowed:
                    raise self.error(
                        f"{key}.{k}" if key else k,
                        "is not a known key",
                        f"use one of: {', '.join(sorted(allowed))} (see docs/shadow-runs.md)",
                    )
        return data

    def string(self, value: Any, key: str, example: str) -> str:
        if not isinstance(value, str) or not value:
            raise self.error(
                key, "must be a non-empty string", f"e.g. {key.split('.')[-1]} = {example}"
            )
        return value

    def strings(
        self, value: Any, key: str, example: str, nonempty: bool = False
    ) -> tuple[str, ...]:
        ok = isinstance(value, list) and (value or not nonempty)
        if not ok or not all(isinstance(v, str) and v for v in value):
            raise self.error(
                key, "must be a list of column names", f"e.g. {key.split('.')[-1]} = {example}"
            )
        return tuple(value)

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.error(key, "must be true or false", f"e.g. {key.split('.')[-1]} = true")
        return value

    def number(self, value: Any, key: str, positive: bool = False) -> float:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(value) or value < 0 or (positive and value == 0):
            kind = "a positive number" if positive else "a number >= 0"
            raise self.error(key, f"must be {kind}", f"e.g. {key.split('.')[-1]} = 0.01")
        return float(value)

    def env(self, value: Any, key: str) -> dict[str, str]:
        table = self.table(value, key, None)
        for name, v in table.items():
            if not isinstance(v, str):
                raise self.error(f"{key}.{name}", "must be a string", f'e.g. {name} = "1"')
        return dict(table)


def check_command(c: Checker, value: Any, key: str, shell: bool) -> tuple[str, ...] | str:
    if shell:
        if not isinstance(value, str) or not value.strip():
            raise c.error(key, "must be a string when shell = true", 'e.g. command = "make run"')
        return value
    if isinstance(value, str):
        raise c.error(
            key, "must be a list of arguments (it is not run through a shell)",
            f'e.g. command = {_as_list(value)}, or set shell = true in [pipeline]',
        )  # fmt: skip
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise c.error(
            key, "must be a non-empty list of strings", 'e.g. command = ["python", "job.py"]'
        )
    if not value[0]:
        raise c.error(key, "must start with a program", 'e.g. command = ["python", "job.py"]')
    return tuple(value)


def _as_list(command: str) -> str:
    return "[" + ", ".join(f'"{w}"' for w in command.split()[:4]) + "]"


def dataset_spec(c: Checker, table: dict[str, Any], key: str, base: DatasetSpec) -> DatasetSpec:
    kw: dict[str, Any] = {}
    if "key" in table:
        kw["key"] = c.strings(table["key"], f"{key}.key", '["order_id"]', nonempty=True)
    for tol in ("abs_tol", "rel_tol"):
        if tol in table:
            v = table[tol]
            if isinstance(v, dict):
                kw[f"column_{tol}"] = {
                    col: c.number(n, f"{key}.{tol}.{col}") for col, n in v.items()
                }
            else:
                kw[tol] = c.number(v, f"{key}.{tol}")
    if "ignore_columns" in table:
        kw["ignore_columns"] = c.strings(
            table["ignore_columns"], f"{key}.ignore_columns", '["loaded_at"]'
        )
    if "text_columns" in table:
        kw["text_columns"] = c.strings(
            table["text_columns"], f"{key}.text_columns", '["zip_code", "sku"]'
        )
    for flag in ("ignore_case", "ignore_spaces", "profiles", "all_text"):
        if flag in table:
            kw[flag] = c.boolean(table[flag], f"{key}.{flag}")
    if "renames" in table:
        renames = c.table(table["renames"], f"{key}.renames", None)
        for old, new in renames.items():
            if not isinstance(new, str) or not new:
                raise c.error(
                    f"{key}.renames.{old}",
                    "must be the candidate's column name",
                    f'e.g. {old} = "new_name"',
                )
        kw["renames"] = dict(renames)
    if "format" in table:
        fmt = table["format"]
        if fmt not in FORMATS:
            raise c.error(
                f"{key}.format",
                f"'{fmt}' is not a known format",
                f"use one of: {', '.join(FORMATS)}",
            )
        kw["format"] = fmt
    ignored = set(kw.get("ignore_columns", base.ignore_columns))
    for k in kw.get("key", base.key):
        if k in ignored:
            where = f"{key}.key" if "key" in table else f"{key}.ignore_columns"
            raise c.error(where, f"names '{k}', which ignore_columns ignores",
                          "a key column is always compared; drop it from one of them")  # fmt: skip
    if "encoding" in table:
        kw["encoding"] = c.string(table["encoding"], f"{key}.encoding", '"latin-1"')
        if valid_encoding(kw["encoding"]) is None:
            raise c.error(
                f"{key}.encoding",
                f"'{kw['encoding']}' is not a known text encoding",
                'use a Python codec name such as "utf-8", "latin-1", "cp1252" or "utf-16"',
            )
    if "samples" in table:
        n = table["samples"]
        if not isinstance(n, int) or isinstance(n, bool) or n < 0:
            raise c.error(
                f"{key}.samples", "must be a whole number >= 0", f"e.g. samples = {DEFAULT_SAMPLES}"
            )
        kw["samples"] = n
    return dataclasses.replace(base, **kw)
