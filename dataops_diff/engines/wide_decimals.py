"""Decimals wider than 38 digits (``decimal256``), which DuckDB and Spark cannot hold.

DuckDB reads a Parquet ``decimal256(50, 1)`` as ``double`` (rounded to float64, ``...901.5`` and
``...901.6`` are one number, so a change passes unseen) and cannot scan an Arrow one at all;
Spark refuses both ("precision 50 exceeds max precision 38"). So the files that hold such
columns are rewritten once into the spill folder with those columns as decimal text, which
pyarrow writes with exactly the declared scale (``5.0`` for scale 1): equal text is then equal
value, at the declared precision and scale, in either engine. The declared type is still what
the schema reports (``declared_types``); ``sql.exact`` compares such text with other numbers.
The rewritten files keep their paths relative to the dataset folder (other files are linked),
so hive partitions and Spark's ``basePath`` still hold.
"""

from __future__ import annotations

import os
import tempfile
from typing import Any

from .arrow_types import MAX_DECIMAL_DIGITS

ARROW_FILE_MAGIC = b"ARROW1"


def as_text(
    files: tuple[str, ...],
    shown: dict[str, str],
    view: str,
    temp_dir: str,
    fmt: str = "parquet",
    root: str | None = None,
) -> tuple[tuple[str, ...], dict[str, str]]:
    """The files to read, and each one's user's file: files with a decimal wider than 38 digits
    are replaced by a copy with those columns as text (under ``root``'s relative path when the
    dataset is a folder). One read of the footers or schemas; the data is read and written
    again only for files that hold such a column. ``fmt``: "parquet" or "arrow" (files or
    streams, written back as Arrow IPC files)."""
    wide = {path: columns for path in files if (columns := wide_columns(path, fmt))}
    if not wide:
        return files, {f: shown[f] for f in files}
    mirror = tempfile.mkdtemp(prefix=f"{view}-decimal-", dir=temp_dir)
    out: list[str] = []
    mapping: dict[str, str] = {}
    for i, path in enumerate(files):
        if root is not None:
            target = os.path.join(mirror, os.path.relpath(os.path.abspath(path), root))
            os.makedirs(os.path.dirname(target), exist_ok=True)
        else:
            target = os.path.join(mirror, f"{i}-{os.path.basename(path)}")
        if path in wide:
            rewrite(path, target, wide[path], fmt)
        elif root is not None:
            os.symlink(os.path.abspath(path), target)  # the folder stays whole
        else:
            target = path
        out.append(target)
        mapping[target] = shown[path]
    return tuple(out), mapping


def wide_columns(path: str, fmt: str) -> set[str]:
    """The columns of one file declared as decimals wider than the engines compute with."""
    import pyarrow as pa

    schema = _schema(path, fmt)
    return {
        f.name
        for f in schema
        if pa.types.is_decimal(f.type) and f.type.precision > MAX_DECIMAL_DIGITS
    }


def _schema(path: str, fmt: str) -> Any:

    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.read_schema(path)
    with _ipc_reader(path) as reader:
        return reader.schema


def _ipc_reader(path: str) -> Any:
    import pyarrow as pa

    with open(path, "rb") as fh:
        magic = fh.read(len(ARROW_FILE_MAGIC))
    return pa.ipc.open_file(path) if magic == ARROW_FILE_MAGIC else pa.ipc.open_stream(path)


def _batches(path: str, fmt: str) -> tuple[Any, Any]:
    """The file's Arrow schema and an iterator over its record batches."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        source = pq.ParquetFile(path)
        return source.schema_arrow, source.iter_batches()
    reader = _ipc_reader(path)
    if hasattr(reader, "num_record_batches"):  # an IPC file
        count = reader.num_record_batches
        return reader.schema, (reader.get_batch(i) for i in range(count))
    return reader.schema, iter(reader)


def rewrite(path: str, target: str, wide: set[str], fmt: str) -> None:
    """``path`` copied to ``target`` batch by batch, the ``wide`` columns cast to text (an
    Arrow IPC stream is written as an Arrow IPC file, which pyarrow scans lazily)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    source_schema, batches = _batches(path, fmt)
    fields = [
        pa.field(f.name, pa.string()) if f.name in wide else f.remove_metadata()
        for f in source_schema
    ]
    schema = pa.schema(fields)
    if fmt == "parquet":
        import pyarrow.parquet as pq

        writer: Any = pq.ParquetWriter(target, schema)
    else:
        writer = pa.ipc.new_file(target, schema)
    with writer:
        for batch in batches:
            columns = [
                pc.cast(col, pa.string()) if name in wide else col
                for name, col in zip(batch.schema.names, batch.columns, strict=True)
            ]
            writer.write_batch(pa.record_batch(columns, schema=schema))
