"""How the Spark engine reads a dataset, and reports its schema in Arrow type strings.

Local files and folders (found by ``dataops_diff.datasets``) are read file by file as ``file://``
paths, so on a cluster every executor must see the same path; hive partition folders keep their
partition columns (``basePath``). A URI (``s3a://``, ``hdfs://``, ``abfss://``, ``dbfs:/``) is
one dataset, handed to Spark as it is. Parquet, CSV and JSON only: Spark has no Arrow IPC reader.
"""

from __future__ import annotations

import os
from typing import Any

from ..datasets import DatasetRef, is_uri
from ..errors import ENGINE, FORMAT, InputError
from .spark_session import reason

_GLOB = str.maketrans({c: "\\" + c for c in "\\[]{}*?"})  # Spark expands globs in paths


def read(spark: Any, ref: DatasetRef, side: str) -> Any:
    """The dataset as a DataFrame; read errors (missing path, not Parquet, ...) surface here."""
    if ref.format not in ("parquet", "csv", "json"):
        raise InputError(
            f"the spark engine cannot read {side} dataset '{ref.path}' ({ref.format}); "
            "convert it to Parquet, or use ", ENGINE, " duckdb",
        )  # fmt: skip
    reader = spark.read.format(ref.format)
    if is_uri(ref.path):
        paths = [ref.path]
    else:
        paths = [_local(f) for f in ref.files]
        if ref.hive:
            reader = reader.option("basePath", _local(ref.path))
    reader = _options(reader, ref, len(paths))
    try:
        frame = reader.load(paths)
        if ref.format == "csv":  # DuckDB reads integers in CSV as BIGINT: so does this engine
            frame = frame.select(*(_widened(frame, f) for f in frame.schema))
        frame.schema  # noqa: B018 - resolves the schema now, so read errors surface here
    except Exception as exc:
        raise InputError(
            f"cannot read {side} dataset '{ref.path}' as {ref.format}: {reason(exc)}; "
            "check the path, or pass ", FORMAT.of(ref.name),
        ) from exc  # fmt: skip
    return frame


def _local(path: str) -> str:
    """A local path as Spark reads it: a file:// URI, glob characters escaped."""
    return "file://" + os.path.abspath(path).translate(_GLOB)


def _options(reader: Any, ref: DatasetRef, files: int) -> Any:
    if ref.format == "parquet" and files > 1:
        return reader.option("mergeSchema", "true")  # like DuckDB's union_by_name
    if ref.format == "csv":
        tsv = ref.path.lower().endswith((".tsv", ".tsv.gz"))
        return (
            reader.option("header", "true")
            .option("inferSchema", "true")
            .option("sep", "\t" if tsv else ",")
        )
    if ref.format == "json" and not is_uri(ref.path):
        with open(ref.files[0], "rb") as fh:
            head = fh.read(4096).lstrip()
        if head.startswith(b"["):  # one JSON array per file, not JSON lines
            return reader.option("multiLine", "true")
    return reader


def _widened(frame: Any, field: Any) -> Any:
    column = frame[field.name]
    if field.dataType.typeName() in ("byte", "short", "integer"):
        return column.cast("bigint").alias(field.name)
    return column


def arrow_type(spark_type: Any) -> str:
    """A Spark SQL type as the Arrow type string DuckDB reports for the same data; a type with
    no Arrow counterpart keeps its Spark name (``plan.category`` calls it "other")."""
    import pyarrow as pa

    try:
        return str(_arrow(spark_type, pa))
    except KeyError:
        return str(spark_type.simpleString())


def _arrow(t: Any, pa: Any) -> Any:
    name = type(t).__name__
    if name == "DecimalType":
        return pa.decimal128(t.precision, t.scale)
    if name == "ArrayType":
        return pa.list_(_arrow(t.elementType, pa))
    if name == "MapType":
        return pa.map_(_arrow(t.keyType, pa), _arrow(t.valueType, pa))
    if name == "StructType":
        return pa.struct([pa.field(f.name, _arrow(f.dataType, pa)) for f in t.fields])
    return {
        "ByteType": pa.int8(),
        "ShortType": pa.int16(),
        "IntegerType": pa.int32(),
        "LongType": pa.int64(),
        "FloatType": pa.float32(),
        "DoubleType": pa.float64(),
        "StringType": pa.string(),
        "VarcharType": pa.string(),
        "CharType": pa.string(),
        "BinaryType": pa.binary(),
        "BooleanType": pa.bool_(),
        "DateType": pa.date32(),
        "TimestampType": pa.timestamp("us", tz="UTC"),
        "TimestampNTZType": pa.timestamp("us"),
        "NullType": pa.null(),
        "DayTimeIntervalType": pa.duration("us"),
    }[name]
