"""Each model a dbt version built, and its key, read from that version's ``manifest.json``.

A key is taken from the project, never guessed: a ``unique`` test on one column (preferring a
column that is also tested ``not_null``), else a ``unique_combination_of_columns`` test (dbt_utils),
else the model's ``unique_key`` config. A model with none has no key, and the caller refuses it
with the line to add.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any

from ..errors import RunError

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*$")  # a plain column, not an expression
_COMBINATION = "unique_combination_of_columns"


@dataclass(frozen=True)
class Model:
    """A model as built: its relation in the database file and its key (``()``: none)."""

    name: str
    schema: str
    alias: str
    key: tuple[str, ...]
    key_from: str  # "unique test", "unique_combination_of_columns test", "unique_key config"
    schema_file: str  # where its columns are declared (or would be): models/schema.yml
    columns: tuple[str, ...]  # documented columns, in order

    @property
    def table(self) -> str:
        return f"{self.schema}.{self.alias}"


def models(path: str, side: str) -> dict[str, Model]:
    """The models a version built (those dbt's ``run_results.json`` lists as a success;
    ephemeral ones are not tables), by name."""
    try:
        with open(path, encoding="utf-8") as fh:
            manifest = json.load(fh)
        nodes: dict[str, Any] = manifest["nodes"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RunError(
            f"cannot read {side}'s dbt manifest '{path}' ({exc}); check that dbt parsed the project"
        ) from exc
    tests = [n for n in nodes.values() if n.get("resource_type") == "test"]
    ran = _built(os.path.join(os.path.dirname(path), "run_results.json"))
    found: dict[str, Model] = {}
    for uid, node in nodes.items():
        config = node.get("config") or {}
        if node.get("resource_type") != "model" or config.get("materialized") == "ephemeral":
            continue
        if ran is not None and uid not in ran:
            continue  # not selected, or not built
        own = [t for t in tests if _attached(t) == uid]
        key, key_from = _key(own, config.get("unique_key"))
        found[node["name"]] = Model(
            name=node["name"],
            schema=node.get("schema") or "main",
            alias=node.get("alias") or node["name"],
            key=key,
            key_from=key_from,
            schema_file=_schema_file(node),
            columns=tuple(node.get("columns") or {}),
        )
    return found


def _built(path: str) -> set[str] | None:
    """The nodes dbt built in this invocation (``run_results.json``); None when it wrote none."""
    try:
        with open(path, encoding="utf-8") as fh:
            results = json.load(fh)["results"]
        return {str(r["unique_id"]) for r in results if r.get("status") == "success"}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _attached(test: dict[str, Any]) -> str | None:
    attached = test.get("attached_node")
    if attached:
        return str(attached)
    depends = (test.get("depends_on") or {}).get("nodes") or []
    return str(depends[0]) if len(depends) == 1 else None


def _key(tests: list[dict[str, Any]], unique_key: Any) -> tuple[tuple[str, ...], str]:
    def meta(test: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        data = test.get("test_metadata") or {}
        return str(data.get("name", "")), data.get("kwargs") or {}

    not_null = {str(kw.get("column_name")) for name, kw in map(meta, tests) if name == "not_null"}
    unique = sorted(
        str(kw["column_name"])
        for name, kw in map(meta, tests)
        if name == "unique" and _IDENTIFIER.match(str(kw.get("column_name", "")))
    )
    if unique:
        best = next((c for c in unique if c in not_null), unique[0])
        return (best,), "unique test"
    for name, kw in map(meta, tests):
        columns = kw.get("combination_of_columns")
        if name == _COMBINATION and isinstance(columns, list) and _plain(columns):
            return tuple(str(c) for c in columns), f"{_COMBINATION} test"
    if isinstance(unique_key, str) and _IDENTIFIER.match(unique_key):
        return (unique_key,), "unique_key config"
    if isinstance(unique_key, list) and unique_key and _plain(unique_key):
        return tuple(str(c) for c in unique_key), "unique_key config"
    return (), ""


def _plain(columns: list[Any]) -> bool:
    return all(isinstance(c, str) and _IDENTIFIER.match(c) for c in columns)


def _schema_file(node: dict[str, Any]) -> str:
    patch = node.get("patch_path")
    if patch:
        return str(patch).split("://", 1)[-1]
    folder = str(node.get("original_file_path", "models/x.sql")).rsplit("/", 1)[0]
    return f"{folder}/schema.yml"
