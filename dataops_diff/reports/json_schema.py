"""The JSON Schema of the JSON report, derived from the model's type hints.

The committed copy (dataops_diff/schema/report.schema.json) is checked against this derivation in
the tests, so the documented schema cannot drift from the model. Regenerate it with
``python -m dataops_diff.reports.json_schema > dataops_diff/schema/report.schema.json``.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from typing import Any, Literal, Union

from ..model import SCHEMA_VERSION, JSONValue, Report

_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer"},
    float: {"type": "number"},
    bool: {"type": "boolean"},
    type(None): {"type": "null"},
}


def schema() -> dict[str, Any]:
    definitions: dict[str, Any] = {}
    root = _type(Report, definitions)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"dataops-diff-report-v{SCHEMA_VERSION}",
        "title": "dataops-diff report",
        **root,
        "$defs": dict(sorted(definitions.items())),
    }


def _type(tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if tp is JSONValue or tp == JSONValue:
        return {}  # any JSON value
    if tp in _SCALARS:
        return dict(_SCALARS[tp])
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        name = tp.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            hints = typing.get_type_hints(tp)
            fields = dataclasses.fields(tp)
            defs[name] = {
                "type": "object",
                "description": _doc(tp),
                "properties": {f.name: _type(hints[f.name], defs) for f in fields},
                "required": [f.name for f in fields],
                "additionalProperties": False,
            }
            if tp is Report:
                defs[name]["properties"]["schema_version"] = {"const": SCHEMA_VERSION}
        return {"$ref": f"#/$defs/{name}"}
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is Literal:
        return {"enum": list(args)}
    if origin in (Union, types.UnionType):
        return {"anyOf": [_type(a, defs) for a in args]}
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return {"type": "array", "items": _type(args[0], defs)}
        return {
            "type": "array",
            "prefixItems": [_type(a, defs) for a in args],
            "minItems": len(args),
        }
    if origin is dict:
        return {"type": "object", "additionalProperties": _type(args[1], defs)}
    if origin is list:
        return {"type": "array", "items": _type(args[0], defs) if args else {}}
    if tp is Any:
        return {}
    raise TypeError(f"no JSON schema for {tp!r}")


def _doc(tp: type) -> str:
    doc = (tp.__doc__ or "").strip()
    return "" if doc.startswith(f"{tp.__name__}(") else doc.split("\n")[0]


def main() -> None:
    print(json.dumps(schema(), indent=2))


if __name__ == "__main__":
    main()
