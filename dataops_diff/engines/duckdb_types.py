"""Column types as Arrow type strings, as DuckDB exports a relation's columns to Arrow.

Where DuckDB's reading collapses two types the files tell apart, ``declared_types`` corrects them.
"""

from __future__ import annotations

import re

import duckdb

from ..model import Column

_ARROW_NAMES = {
    "BOOLEAN": "bool",
    "TINYINT": "int8",
    "SMALLINT": "int16",
    "INTEGER": "int32",
    "BIGINT": "int64",
    "UTINYINT": "uint8",
    "USMALLINT": "uint16",
    "UINTEGER": "uint32",
    "UBIGINT": "uint64",
    "FLOAT": "float",
    "DOUBLE": "double",
    "VARCHAR": "string",
    "BLOB": "binary",
    "DATE": "date32[day]",
    "TIME": "time64[us]",
    "TIMESTAMP": "timestamp[us]",
    "TIMESTAMP_S": "timestamp[s]",
    "TIMESTAMP_MS": "timestamp[ms]",
    "TIMESTAMP_NS": "timestamp[ns]",
    "TIMESTAMP WITH TIME ZONE": "timestamp[us, tz=UTC]",  # the connection's time zone is UTC
}
_DECIMAL = re.compile(r"^DECIMAL\((\d+),(\d+)\)$")


def arrow_name(duck_type: str) -> str | None:
    """The Arrow type DuckDB exports a scalar type as (``str(pyarrow.DataType)``), or None."""
    if m := _DECIMAL.match(duck_type):
        return f"decimal128({m[1]}, {m[2]})"
    return _ARROW_NAMES.get(duck_type)


def view_columns(con: duckdb.DuckDBPyConnection, view: str) -> tuple[Column, ...]:
    """The view's columns with the Arrow types DuckDB exports them as. Scalar types are named
    here; others (nested, intervals, ...) by pyarrow, whose import costs about 0.1 s."""
    rel = con.sql(f"SELECT * FROM {view} LIMIT 0")
    names = [arrow_name(str(t)) for t in rel.types]
    if None in names:
        schema = rel.to_arrow_table().schema
        return tuple(Column(f.name, str(f.type)) for f in schema)
    return tuple(Column(c, str(t)) for c, t in zip(rel.columns, names, strict=True))
