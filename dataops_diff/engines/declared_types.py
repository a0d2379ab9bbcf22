"""The column types Parquet and Arrow files declare, where an engine's reading collapses them.

DuckDB reads ``time32`` as ``time64[us]``, ``fixed_size_binary`` as ``binary``, every time zone as
UTC and ``decimal256`` as ``double``; Spark reads every timestamp as ``timestamp[us, tz=UTC]``. A
change between those would pass unseen, so the declared type (read from the files' metadata, no
data) is reported instead. Both engines use this, so they report the same schema.
"""

from __future__ import annotations

from ..datasets import DatasetRef, is_uri
from ..model import Column
from .arrow_types import category, normalize_type

_COLLAPSED = frozenset({"temporal", "binary", "decimal", "float"})


def with_declared(ref: DatasetRef, columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """The columns, typed as the files declare them (Parquet and Arrow; local files only)."""
    if ref.format not in ("parquet", "arrow") or is_uri(ref.path):
        return columns
    declared_types = file_types(ref)
    return tuple(declared(c, declared_types.get(c.name)) for c in columns)


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
    # a decimal256 DuckDB reads as double, or that ``wide_decimals`` gave it as text
    wide = kind == "decimal" and seen_kind in ("float", "string")
    if kind in _COLLAPSED and (kind == seen_kind or wide):
        return Column(column.name, declared_type)
    return column
