"""How the Spark engine reads a dataset, and reports its schema in Arrow type strings.

Local files and folders (found by ``dataops_diff.datasets``) are read file by file as ``file://``
paths, so on a cluster every executor must see the same path; hive partition folders keep their
partition columns (``basePath``). A URI (``s3a://``, ``hdfs://``, ``abfss://``, ``dbfs:/``) is
one dataset, handed to Spark as it is. Parquet, CSV and JSON only: Spark has no Arrow IPC reader.
Parquet decimals wider than 38 digits, which Spark refuses, are read from copies holding them as
decimal text (``wide_decimals``), as the DuckDB engine reads them.

Local paths are read literally (glob characters escaped); hive values are split at the first
``=`` by Spark itself. Checks shared with the DuckDB engine (``read_checks``): 0-byte files, text
that is not in its encoding, and a text column with no value, which carries no type.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ..datasets import DatasetRef, is_uri
from ..errors import ENGINE, FORMAT, InputError
from ..model import Column
from . import declared_types, memory, read_checks, wide_decimals
from .spark_session import reason

_GLOB = str.maketrans({c: "\\" + c for c in "\\[]{}*?"})  # Spark expands globs in paths


class Copies:
    """A private folder for rewritten copies of input files, made on first use; the files Spark
    reads must stay until the engine closes. On a cluster it is under a --temp-dir that every
    executor must see, like any other local path."""

    def __init__(self, parent: str | None) -> None:
        self._parent = parent
        self._folder: memory.SpillFolder | None = None

    def path(self) -> str:
        if self._folder is None:
            self._folder = memory.SpillFolder(self._parent, prefix="dataops-diff-read-")
        return self._folder.path

    def remove(self) -> None:
        if self._folder is not None:
            self._folder.remove()
            self._folder = None


def read(spark: Any, ref: DatasetRef, side: str, temp_dir: Callable[[], str] | None = None) -> Any:
    """The dataset as a DataFrame; read errors (missing path, not Parquet, ...) surface here.

    ``temp_dir`` gives the folder where Parquet files holding decimals wider than 38 digits are
    rewritten with those columns as decimal text (``wide_decimals``): Spark refuses them."""
    if ref.format not in ("parquet", "csv", "json"):
        raise InputError(
            f"the spark engine cannot read {side} dataset '{ref.path}' ({ref.format}); "
            "convert it to Parquet, or use ", ENGINE, " duckdb",
        )  # fmt: skip
    reader = spark.read.format(ref.format)
    encoding = ref.encoding
    if is_uri(ref.path):
        paths = [ref.path]
    else:
        files = read_checks.data_files(ref, side)
        if ref.format in ("csv", "json"):
            encoding = _text_encoding(ref, files, side)
        base = os.path.abspath(ref.path)
        if ref.format == "parquet" and temp_dir is not None:
            files, base = _wide_as_text(ref, files, base, temp_dir)
        paths = [_local(f) for f in files]
        if ref.hive:
            reader = reader.option("basePath", _local(base))
    reader = _options(reader, ref, len(paths), encoding)
    try:
        frame = reader.load(paths)
        if ref.format in ("csv", "json") and (ref.text_columns or ref.all_text):
            frame = reader.schema(_as_text(frame, ref)).load(paths)
        if ref.format == "csv":  # DuckDB reads integers in CSV as BIGINT: so does this engine
            frame = frame.select(*(_widened(frame, f) for f in frame.schema))
        if ref.format in ("csv", "json"):
            frame = _untyped(frame)
        frame.schema  # noqa: B018 - resolves the schema now, so read errors surface here
    except Exception as exc:
        raise _read_failure(ref, side, exc, encoding) from exc
    return frame


def _wide_as_text(
    ref: DatasetRef, files: tuple[str, ...], base: str, temp_dir: Callable[[], str]
) -> tuple[tuple[str, ...], str]:
    """The files to read and their folder: copies with wide decimals as text where needed."""
    try:
        if not any(wide_decimals.wide_columns(f, "parquet") for f in files):
            return files, base
    except Exception:  # pyarrow's errors (not Parquet, a corrupt footer): Spark's read names it
        return files, base
    root = base if ref.is_folder else None
    out, _ = wide_decimals.as_text(files, {f: f for f in files}, "spark", temp_dir(), root=root)
    if root is None:
        return out, base
    inside = os.path.relpath(os.path.abspath(files[0]), root)
    return out, out[0][: len(out[0]) - len(inside)].rstrip(os.sep)


def declared(ref: DatasetRef, side: str, columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """The columns typed as the Parquet files declare them where Spark collapses two types
    (``declared_types``), as the DuckDB engine reports them."""
    try:
        return declared_types.with_declared(ref, columns)
    except Exception as exc:  # pyarrow's errors (a corrupt footer): Spark read it, so say so
        raise InputError(
            f"cannot read the schema of {side} dataset '{ref.path}': {exc}; check the files"
        ) from exc


def _local(path: str) -> str:
    """A local path as Spark reads it: a file:// URI, glob characters escaped."""
    return "file://" + os.path.abspath(path).translate(_GLOB)


def malformed(
    ref: DatasetRef, side: str, exc: BaseException, encoding: str | None = None
) -> InputError | None:
    """A ragged CSV row Spark refused (FAILFAST), with its file and line as the DuckDB engine
    names them; None when the failure is another one."""
    if ref.format == "csv" and "MALFORMED" in str(exc) and not is_uri(ref.path):
        for path in ref.files:
            if found := read_checks.ragged_line(path, encoding or ref.encoding):
                return read_checks.ragged_error(side, read_checks.shown(ref, path), *found)
    return None


def _read_failure(
    ref: DatasetRef, side: str, exc: BaseException, encoding: str | None
) -> InputError:
    """A ragged CSV row names its file and line; else Spark's reason."""
    if found := malformed(ref, side, exc, encoding):
        return found
    return InputError(
        f"cannot read {side} dataset '{ref.path}' as {ref.format}: {reason(exc)}; "
        "check the path, or pass ", FORMAT.of(ref.name),
    )  # fmt: skip


def _text_encoding(ref: DatasetRef, files: tuple[str, ...], side: str) -> str | None:
    """The encoding to read local text files with; a file that does not start as valid UTF-8
    (when no other encoding is set) is refused here: Spark would replace its bytes silently."""
    if not read_checks.is_utf8(ref.encoding):
        return ref.encoding
    for path in files:
        found = read_checks.bom_encoding(path)
        if found:
            return found
        line = read_checks.first_bad_line(path)
        if line:
            raise read_checks.encoding_error(side, read_checks.shown(ref, path), f"line {line}")
    return None


def _as_text(frame: Any, ref: DatasetRef) -> Any:
    """The schema Spark inferred, with the columns chosen to be read as text (``--text-column``,
    all with ``--all-text``) as strings: Spark then keeps each value as written (a JSON number
    as its literal, an object as its JSON text), as the DuckDB engine reads them."""
    from pyspark.sql.types import StringType, StructField, StructType

    text = set(ref.text_columns)
    return StructType(
        [
            StructField(f.name, StringType(), True) if ref.all_text or f.name in text else f
            for f in frame.schema
        ]
    )


def _untyped(frame: Any) -> Any:
    """Text columns with no value at all carry no type (null), as in the DuckDB engine."""
    from pyspark.sql import functions as sf

    text = [f.name for f in frame.schema if f.dataType.typeName() == "string"]
    if not text:
        return frame
    counts = frame.agg(*(sf.count(sf.col(f"`{c}`")).alias(f"c{i}") for i, c in enumerate(text)))
    empty = {c for c, n in zip(text, counts.first(), strict=True) if n == 0}
    if not empty:
        return frame
    return frame.select(
        *(
            sf.lit(None).alias(f.name) if f.name in empty else frame[f"`{f.name}`"]
            for f in frame.schema
        )
    )


def _options(reader: Any, ref: DatasetRef, files: int, encoding: str | None = None) -> Any:
    if ref.format == "parquet" and files > 1:
        return reader.option("mergeSchema", "true")  # like DuckDB's union_by_name
    if encoding:
        reader = reader.option("encoding", java_charset(encoding))
        if ref.format == "json":
            reader = reader.option("lineSep", "\n")
    if ref.format == "csv":
        tsv = ref.path.lower().endswith((".tsv", ".tsv.gz"))
        return (
            reader.option("header", "true")
            .option("inferSchema", "true")
            .option("sep", "\t" if tsv else ",")
            .option("mode", "FAILFAST")  # a ragged row is an error, as in the DuckDB engine
        )
    if ref.format == "json" and not is_uri(ref.path):
        with open(ref.files[0], "rb") as fh:
            head = fh.read(4096).lstrip()
        if head.startswith(b"["):  # one JSON array per file, not JSON lines
            return reader.option("multiLine", "true")
    return reader


def java_charset(encoding: str) -> str:
    """A Python codec name as the Java charset name Spark expects."""
    name = read_checks.valid_encoding(encoding) or encoding
    for prefix, java in (("iso8859-", "ISO-8859-"), ("cp125", "windows-125")):
        if name.startswith(prefix):
            return java + name[len(prefix) :]
    return name.upper().replace("-LE", "LE").replace("-BE", "BE")


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
