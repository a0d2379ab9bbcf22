"""Check a loaded JSON report against the model (the documented schema) before it is rebuilt.

A saved report may be hand-edited, truncated or hostile. Every field is checked against the
model's type hints, the same source the JSON Schema is derived from (json_schema.py), so the first
wrong field is named by its path (``datasets[0].columns[2].unequal``) instead of a KeyError later.
Fields with a default may be missing (an optional field added within one schema version).
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from typing import Any, Literal, Union

from ..errors import InputError
from ..model import JSONValue, Report

_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


class _Wrong(Exception):
    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where or 'the document'} {problem}")


def check_report(data: Any, source: str) -> None:
    """Raise InputError naming the first field of ``data`` that a Report cannot hold."""
    try:
        _check(Report, data, "")
    except _Wrong as exc:
        raise InputError(
            f"'{source}' is not a valid dataops-diff report: {exc}; "
            "pass a report written by --json (schema: docs/json-report.md)"
        ) from None


def _check(tp: Any, data: Any, where: str) -> None:
    if tp is JSONValue or tp == JSONValue or tp is Any:
        _finite(data, where)
        return
    if tp in _NAMES or tp is type(None):
        _scalar(tp, data, where)
        return
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        _object(tp, data, where)
        return
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is Literal:
        if data not in args or isinstance(data, bool):
            choices = ", ".join(json.dumps(a) for a in args)
            raise _Wrong(where, f"is {_show(data)}, not one of {choices}")
    elif origin in (Union, types.UnionType):
        _union(args, data, where)
    elif origin in (tuple, list):
        if not isinstance(data, list):
            raise _Wrong(where, f"is {_show(data)}, not a list")
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            if len(data) != len(args):
                raise _Wrong(where, f"has {len(data)} items, not {len(args)}")
            for i, (arg, item) in enumerate(zip(args, data, strict=True)):
                _check(arg, item, f"{where}[{i}]")
        else:
            for i, item in enumerate(data):
                _check(args[0] if args else Any, item, f"{where}[{i}]")
    elif origin is dict:
        if not isinstance(data, dict):
            raise _Wrong(where, f"is {_show(data)}, not an object")
        for key, value in data.items():
            _check(args[1], value, f"{where}.{key}")
    else:  # pragma: no cover - a model type this checker does not know
        raise TypeError(f"cannot check {tp!r}")


def _object(tp: type, data: Any, where: str) -> None:
    if not isinstance(data, dict):
        raise _Wrong(where, f"is {_show(data)}, not an object")
    hints = typing.get_type_hints(tp)
    fields = {f.name: f for f in dataclasses.fields(tp)}
    for name in data:
        if name not in fields:
            raise _Wrong(_join(where, name), f"is not a field of {tp.__name__}")
    for name, f in fields.items():
        if name in data:
            _check(hints[name], data[name], _join(where, name))
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise _Wrong(_join(where, name), "is missing")


def _union(args: tuple[Any, ...], data: Any, where: str) -> None:
    problems = []
    for arg in args:
        try:
            _check(arg, data, where)
            return
        except _Wrong as exc:
            problems.append(str(exc))
    if len(args) == 2 and type(None) in args:  # Optional[X]: X's own message is the useful one
        raise _Wrong(where, problems[0].removeprefix(where or "the document").strip() + " or null")
    raise _Wrong(where, f"is {_show(data)}, which fits none of its types")


def _scalar(tp: Any, data: Any, where: str) -> None:
    if tp is type(None):
        ok = data is None
    elif tp is bool:
        ok = isinstance(data, bool)
    elif tp is int:
        ok = isinstance(data, int) and not isinstance(data, bool)
    elif tp is float:
        ok = isinstance(data, int | float) and not isinstance(data, bool)
    else:
        ok = isinstance(data, tp)
    if not ok:
        raise _Wrong(where, f"is {_show(data)}, not {_NAMES.get(tp, 'null')}")
    _finite(data, where)


def _finite(data: Any, where: str) -> None:
    if isinstance(data, float) and not math.isfinite(data):
        raise _Wrong(where, f"is {data}, not a finite number")
    if isinstance(data, list):
        for i, item in enumerate(data):
            _finite(item, f"{where}[{i}]")
    elif isinstance(data, dict):
        for key, value in data.items():
            _finite(value, _join(where, str(key)))


def _join(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name


def _show(data: Any) -> str:
    if isinstance(data, dict):
        return "an object"
    if isinstance(data, list):
        return "a list"
    text = json.dumps(data, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"
