"""Parquet decimals wider than 38 digits (``decimal256``), which DuckDB reads as ``double``.

Rounded to float64, ``...901.5`` and ``...901.6`` are one number, so a change passes unseen. The
files that hold such columns are rewritten once into the spill folder with those columns as
decimal text, which pyarrow writes with exactly the declared scale (``1.0`` for scale 1): equal
text is then equal value, at the declared precision and scale. The declared type is still what
the schema reports (``declared_types``); ``sql.exact`` compares such text with other numbers.
"""

from __future__ import annotations

import os
import tempfile

from .plan import MAX_DECIMAL_DIGITS


def as_text(
    files: tuple[str, ...], shown: dict[str, str], view: str, temp_dir: str
) -> tuple[tuple[str, ...], dict[str, str]]:
    """The files to read, and each one's user's file: Parquet files with a decimal wider than
    38 digits are replaced by a copy with those columns as text. One read of the footers;
    the data is read and written again only for files that hold such a column."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out: list[str] = []
    mapping: dict[str, str] = {}
    folder = ""
    for i, path in enumerate(files):
        schema = pq.read_schema(path)
        wide = {
            f.name
            for f in schema
            if pa.types.is_decimal(f.type) and f.type.precision > MAX_DECIMAL_DIGITS
        }
        if not wide:
            out.append(path)
            mapping[path] = shown[path]
            continue
        folder = folder or tempfile.mkdtemp(prefix=f"{view}-decimal-", dir=temp_dir)
        target = os.path.join(folder, f"{i}-{os.path.basename(path)}")
        _rewrite(path, target, wide)
        out.append(target)
        mapping[target] = shown[path]
    return tuple(out), mapping


def _rewrite(path: str, target: str, wide: set[str]) -> None:
    """``path`` copied to ``target`` batch by batch, the ``wide`` columns cast to text."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    source = pq.ParquetFile(path)
    fields = [
        pa.field(f.name, pa.string()) if f.name in wide else f.remove_metadata()
        for f in source.schema_arrow
    ]
    schema = pa.schema(fields)
    with pq.ParquetWriter(target, schema) as writer:
        for batch in source.iter_batches():
            columns = [
                pc.cast(col, pa.string()) if name in wide else col
                for name, col in zip(batch.schema.names, batch.columns, strict=True)
            ]
            writer.write_batch(pa.record_batch(columns, schema=schema))
