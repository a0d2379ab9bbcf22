"""Column types as Arrow type strings: DuckDB's view of a relation, and the types the Parquet and
Arrow files declare where DuckDB's reading collapses them.

DuckDB reads ``time32`` as ``time64[us]``, ``fixed_size_binary`` as ``binary``, every time zone as
UTC and ``decimal256`` as ``double``. A change between those would pass unseen, so the declared
type (read from the files' metadata, no data) is reported instead.
"""

from __future__ import annotations

import re

import duckdb

from ..datasets import DatasetRef
from ..model import Column
from ..plan import category, normalize_type

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
_COLLAPSED = frozenset({"temporal", "binary", "decimal", "float"})


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


def file_types(ref: DatasetRef) -> dict[str, str]:
    """Each column's type as the files declare it (the first file that holds the column wins),
    read from Parquet footers and Arrow schemas; no data is read."""
    import pyarrow as pa

    found: dict[str, str] = {}
    for path in ref.files:
        if ref.format == "parquet":
            import pyarrow.parquet as pq

            schema = pq.read_schema(path)
        else:
            with open(path, "rb") as fh:
                magic = fh.read(6)
            opened = pa.ipc.open_file if magic == b"ARROW1" else pa.ipc.open_stream
            with opened(path) as reader:
                schema = reader.schema
        for f in schema:
            found.setdefault(f.name, str(f.type))
    return found


def declared(column: Column, file_type: str | None) -> Column:
    """The column with the files' type where DuckDB collapsed it into a near one."""
    if file_type is None:
        return column
    declared_type, seen = normalize_type(file_type), normalize_type(column.type)
    if declared_type == seen:
        return column
    kind, seen_kind = category(declared_type), category(seen)
    if kind in _COLLAPSED and (kind == seen_kind or (kind == "decimal" and seen_kind == "float")):
        return Column(column.name, declared_type)
    return column
