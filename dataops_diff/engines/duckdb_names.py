"""Column names exactly as the files write them, for DuckDB.

DuckDB binds identifiers case-insensitively, and its readers rename the second of two names that
differ only by case (``Amount``, ``amount`` -> ``Amount``, ``amount_1``). Names are
case-sensitive here (README), so the names the user sees and addresses (``--abs-tol amount=1``)
are the file's own, and the SQL reads each column by DuckDB's name for it (``Plan.sql_names``).
The file's names are looked up only when DuckDB's names show such a rename: the common case
costs nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

import duckdb

from ..datasets import DatasetRef

_RENAMED = re.compile(r"^(.+)_(\d+)$")


def renamed(names: Sequence[str]) -> bool:
    """Whether DuckDB may have renamed a column: ``x_1`` beside a column named like ``X``."""
    lower = [n.lower() for n in names]
    for n in names:
        m = _RENAMED.match(n)
        if m and m[1].lower() in lower:
            return True
    return False


def exact_names(
    con: duckdb.DuckDBPyConnection, ref: DatasetRef, names: Sequence[str]
) -> dict[str, str]:
    """The file's name -> DuckDB's name, for the columns whose names differ (none usually)."""
    if not renamed(names) or not ref.files:
        return {}
    try:
        own = _file_names(con, ref)
    except (duckdb.Error, OSError, ValueError):
        return {}  # the reader reports the file's problems itself
    # Hive partition columns come after the file's own columns, under the same names.
    if own is None or len(own) > len(names):
        return {}
    own = own + list(names[len(own) :])
    if len(set(own)) != len(own) or own == list(names):
        return {}
    if not all(_same_column(o, n) for o, n in zip(own, names, strict=True)):
        return {}  # not the same columns in the same order (say, files with other columns)
    return {o: n for o, n in zip(own, names, strict=True) if o != n}


def _same_column(own: str, duck: str) -> bool:
    """Whether DuckDB's name ``duck`` can be its renaming of the file's name ``own``."""
    if own == duck:
        return True
    m = _RENAMED.match(duck)
    return m is not None and m[1].lower() == own.lower()


def _file_names(con: duckdb.DuckDBPyConnection, ref: DatasetRef) -> list[str] | None:
    first = ref.files[0]
    literal = "'" + first.replace("'", "''") + "'"
    if ref.format == "parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(first).names)
    if ref.format == "arrow":
        import pyarrow as pa

        try:
            with pa.memory_map(first) as source:
                return list(pa.ipc.open_file(source).schema.names)
        except pa.ArrowInvalid:
            with pa.memory_map(first) as source:
                return list(pa.ipc.open_stream(source).schema.names)
    if ref.format == "csv":
        row = con.execute(
            f"SELECT * FROM read_csv([{literal}], header = false, all_varchar = true) LIMIT 1"
        ).fetchone()
        return None if row is None else [str(v) for v in row]
    if ref.format == "json":
        row = con.execute(f"SELECT json FROM read_json_objects([{literal}]) LIMIT 1").fetchone()
        value = json.loads(row[0]) if row else None
        return list(value) if isinstance(value, dict) else None
    return None
