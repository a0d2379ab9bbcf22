"""The ``[datasets]`` tables of the shadow-run spec (``run``): each dataset's path or database
table and its options over ``[defaults]``, validated; every error names the key and the fix.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from ..datasets import FORMATS, format_of
from .checks import Checker, dataset_spec
from .dataset import DatasetSpec

_BARE = re.compile(r"^[A-Za-z0-9_-]+$")
_EXTENSION = re.compile(r"\.[A-Za-z]{2,8}$")  # looks like a file name's extension
_DATASET_OPTIONS = {
    "key", "abs_tol", "rel_tol", "ignore_columns", "ignore_case", "ignore_spaces", "renames",
    "format", "samples", "profiles", "encoding", "text_columns", "all_text",
}  # fmt: skip
_DATASET = _DATASET_OPTIONS | {"path", "table"}


@dataclass(frozen=True)
class DatasetEntry:
    """A dataset listed in the spec."""

    name: str
    path: str | None  # relative to the output folder; None: the top-level entry named ``name``
    spec: DatasetSpec
    own: frozenset[str] = frozenset()  # options set in its own table (the others: [defaults])
    table: str | None = None  # ``schema.table`` when ``path`` is a database file


def table_key(dataset: str) -> str:
    """``datasets.NAME`` as TOML spells it (quoted when the name is not a bare key)."""
    return f"datasets.{dataset}" if _BARE.match(dataset) else f'datasets."{dataset}"'


def defaults(c: Checker, data: dict[str, Any]) -> tuple[DatasetSpec, str]:
    datasets = c.table(data.get("datasets", {}), "datasets", None)
    if "defaults" in data and "default" in datasets:
        raise c.error("datasets.default", "repeats [defaults]", "keep one of the two tables")
    key = "defaults" if "defaults" in data else "datasets.default"
    value = data.get("defaults", datasets.get("default", {}))
    spec = dataset_spec(c, c.table(value, key, _DATASET_OPTIONS), key, DatasetSpec(key=()))
    return spec, key


def datasets(
    c: Checker, value: Any, defaults: DatasetSpec, keyed: bool = True
) -> tuple[DatasetEntry, ...]:
    """``keyed``: every dataset needs a key here (with a dbt preset, keys come from the project)."""
    entries: list[DatasetEntry] = []
    for name, table in c.table(value, "datasets", None).items():
        if name == "default":
            continue
        key = table_key(name)
        table = c.table(table, key, _DATASET)
        path = None
        if "path" in table:
            path = c.string(table["path"], f"{key}.path", f'"{name}.parquet"')
            if os.path.isabs(path) or ".." in path.replace("\\", "/").split("/"):
                raise c.error(
                    f"{key}.path",
                    "must stay inside the output folder",
                    f'e.g. path = "{name}.parquet"',
                )
        spec = dataset_spec(c, table, key, defaults)
        db_table = _db_table(c, table, key, path)
        # a path of no known format would fail late, at its pairing
        if path is not None and db_table is None and _unknown_file(path, spec.format):
            raise c.error(
                f"{key}.path", f"'{path}' has no known data extension",
                f"fix the path, or set format = one of {', '.join(FORMATS)}",
            )  # fmt: skip
        if keyed and not spec.key:  # known before any pipeline starts: say it now
            raise c.error(
                f"{key}.key", "is missing (and [defaults] sets none)",
                f'add key = ["..."] to [{key}], or set key in [defaults]',
            )  # fmt: skip
        entries.append(DatasetEntry(name, path, spec, frozenset(table), db_table))
    return tuple(entries)


def _db_table(c: Checker, table: dict[str, Any], key: str, path: str | None) -> str | None:
    """``table = "main.orders"``: a table of the database file at ``path``."""
    if "table" not in table:
        return None
    name = c.string(table["table"], f"{key}.table", '"main.orders"')
    if path is None:
        raise c.error(
            f"{key}.table", "needs the database file it is in",
            f'add path = "warehouse.duckdb" to [{key}]',
        )  # fmt: skip
    return name


def _unknown_file(path: str, fmt: str | None) -> bool:
    """A path that names a file (it has an extension) of no known format, with no format set."""
    return fmt is None and bool(_EXTENSION.search(path)) and format_of(path) is None
