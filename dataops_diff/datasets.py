"""What a dataset is: find its files, infer its format, open it. ``pairing`` pairs them.

A *dataset* is a data file (``orders.parquet`` is dataset ``orders``) or a *dataset folder*. What a
folder is follows from its data entries only: a folder holding hive partition folders
(``day=2024-01-01/``) or part files (``part-00000.parquet``, ``part.0.csv``, ``data_0.parquet``,
Hive's ``000000_0``) is one dataset; any other folder is a folder of datasets, each entry found the
same way, nested ones named by their relative path (``marts/customers``). Entries whose name starts
with ``.`` or ``_`` (``_SUCCESS``, ``.crc`` files, ``_delta_log``) are bookkeeping: they are never
read and never change what a folder is. Symbolic links are followed; a link loop is an error.
A database file (``warehouse.duckdb``, see ``dbfiles``) is a folder of tables: in an output folder
its tables are named ``warehouse/orders``; given alone, ``orders`` (or ``schema.table``).
The rule is documented in docs/semantics.md ("What a dataset is").
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from . import dbfiles
from .errors import FORMAT, InputError, UsageError
from .filetree import HIDDEN, HIVE_DIR, same_files, walk_files
from .model import Side

FORMATS: dict[str, tuple[str, ...]] = {
    "parquet": (".parquet", ".pq", ".parq"),
    "csv": (".csv", ".csv.gz", ".tsv", ".tsv.gz"),
    "json": (".jsonl", ".ndjson", ".json", ".jsonl.gz", ".ndjson.gz", ".json.gz"),
    "arrow": (".arrow", ".feather", ".ipc", ".arrows"),
}
TEXT_FORMATS = frozenset({"csv", "json"})  # column types are inferred from the values
_PART_FILE = re.compile(r"^(?:part(?:[-_.]|\d)|data_\d|\d+_\d+(?:\.|$))", re.IGNORECASE)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")  # s3a://, hdfs://, dbfs:/ (not C:/)


@dataclass(frozen=True)
class DatasetRef:
    """Where one version of a dataset lives. Engines read it; nothing here loads data."""

    name: str
    path: str  # the file, or the dataset folder
    format: str  # one of FORMATS
    files: tuple[str, ...]  # absolute paths of the data files, sorted
    hive: bool = False  # folder with key=value partition directories
    encoding: str | None = None  # CSV/JSON text encoding (DatasetSpec.encoding); None: UTF-8
    table: tuple[str, str] | None = None  # (schema, table) of a database file (format "duckdb")
    text_columns: tuple[str, ...] = ()  # CSV/JSON columns read as text (DatasetSpec, this side)
    all_text: bool = False  # CSV/JSON: every column read as text

    @property
    def is_folder(self) -> bool:
        return os.path.isdir(self.path)


def format_of(path: str, override: str | None = None) -> str | None:
    if override:
        return override
    lower = path.lower()
    for fmt, extensions in FORMATS.items():
        if lower.endswith(extensions):
            return fmt
    return None


def dataset_name(path: str) -> str:
    base = os.path.basename(os.path.normpath(path))
    lower = base.lower()
    for extensions in FORMATS.values():
        for ext in sorted(extensions, key=len, reverse=True):
            if lower.endswith(ext):
                return base[: -len(ext)]
    return base


def is_dataset_folder(path: str) -> bool:
    """A folder that is one dataset, decided from its data entries only (markers never count)."""
    for entry in os.scandir(path):
        if entry.name.startswith(HIDDEN):
            continue
        if entry.is_dir() and HIVE_DIR.match(entry.name):
            return True
        if entry.is_file() and _PART_FILE.match(entry.name):
            return True
    return False


def is_single(path: str) -> bool:
    if os.path.isfile(path):
        return not dbfiles.is_database(path, format_of(path) is not None)
    return os.path.isdir(path) and is_dataset_folder(path)


def open_dataset(
    path: str, side: Side, fmt: str | None = None, name: str | None = None
) -> DatasetRef:
    """A dataset at ``path`` (a file or a dataset folder)."""
    if fmt is not None and fmt not in FORMATS:
        raise UsageError(f"unknown format '{fmt}'; use one of: {', '.join(FORMATS)}")
    name = name or dataset_name(path)
    if os.path.isfile(path):
        found = format_of(path, fmt)
        if found is None:
            raise InputError(
                f"cannot infer the format of {side} file '{path}'; pass ",
                FORMAT.of(name), f" with one of: {', '.join(FORMATS)}",
            )  # fmt: skip
        return DatasetRef(name, path, found, (os.path.abspath(path),))
    if not os.path.isdir(path):
        raise InputError(f"{side} dataset '{path}' does not exist; check the path")
    files, hive = walk_files(path)
    if not files:
        raise InputError(f"{side} dataset '{path}' holds no data files; check the pipeline output")
    formats = {format_of(f, fmt) for f in files}
    if None in formats or len(formats) > 1:
        odd = next((f for f in files if format_of(f, fmt) is None), files[0])
        raise InputError(
            f"cannot infer one format for {side} dataset '{path}' (e.g. '{odd}'); "
            "keep one format per dataset or pass ", FORMAT.of(name),
            f" with one of: {', '.join(FORMATS)}",
        )  # fmt: skip
    (found,) = formats
    assert found is not None
    return DatasetRef(name, path, found, tuple(files), hive)


def is_uri(path: str) -> bool:
    return bool(_URI.match(path))


def uri_dataset(uri: str, side: Side, fmt: str | None = None) -> DatasetRef:
    """A dataset at a URI (for an engine that reads URIs): one dataset, never listed here."""
    found = format_of(uri.rstrip("/"), fmt)
    if found is None:
        raise InputError(
            f"cannot infer the format of {side} URI '{uri}'; pass ", FORMAT,
            f" with one of: {', '.join(FORMATS)}",
        )  # fmt: skip
    return DatasetRef(dataset_name(uri.rstrip("/")), uri, found, (uri,))


def same_bytes(production: DatasetRef, candidate: DatasetRef) -> bool:
    """True when both versions are the same files, byte for byte (relative paths included)."""
    if production.format != candidate.format:
        return False
    bases = [r.path if os.path.isdir(r.path) else os.path.dirname(r.path)
             for r in (production, candidate)]  # fmt: skip
    return same_files(production.files, bases[0], candidate.files, bases[1], production.is_folder)
