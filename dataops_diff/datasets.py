"""Find, pair and fingerprint datasets on disk.

A *dataset* is a data file (``orders.parquet`` is dataset ``orders``) or a folder of part files or
hive partitions (``orders/`` holding ``part-0.parquet`` or ``day=2024-01-01/...``). An *output
folder* holds datasets as its top-level entries. Entries whose name starts with ``.`` or ``_``
(``_SUCCESS``, ``.crc`` files, ``_delta_log``) are bookkeeping and are skipped, as Spark and
Hive do.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, UsageError
from .model import Side

FORMATS: dict[str, tuple[str, ...]] = {
    "parquet": (".parquet", ".pq", ".parq"),
    "csv": (".csv", ".csv.gz", ".tsv", ".tsv.gz"),
    "json": (".jsonl", ".ndjson", ".json", ".jsonl.gz", ".ndjson.gz", ".json.gz"),
    "arrow": (".arrow", ".feather", ".ipc", ".arrows"),
}
TEXT_FORMATS = frozenset({"csv", "json"})  # column types are inferred from the values
_HIVE_DIR = re.compile(r"^[^=/]+=[^/]*$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]+:/")  # s3a://, hdfs://, dbfs:/ (not C:/)
_CHUNK = 1 << 20


@dataclass(frozen=True)
class DatasetRef:
    """Where one version of a dataset lives. Engines read it; nothing here loads data."""

    name: str
    path: str  # the file, or the dataset folder
    format: str  # one of FORMATS
    files: tuple[str, ...]  # absolute paths of the data files, sorted
    hive: bool = False  # folder with key=value partition directories
    encoding: str | None = None  # CSV/JSON text encoding (DatasetSpec.encoding); None: UTF-8

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


def _hidden(name: str) -> bool:
    return name.startswith((".", "_"))


def is_dataset_folder(path: str) -> bool:
    """A folder that is one dataset: hive partitions or part files, rather than an output folder."""
    entries = [e for e in os.scandir(path) if not _hidden(e.name)]
    if any(e.is_dir() and _HIVE_DIR.match(e.name) for e in entries):
        return True
    return any(e.is_file() and e.name.startswith("part-") for e in entries) or any(
        os.path.exists(os.path.join(path, marker)) for marker in ("_SUCCESS", "_common_metadata")
    )


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
                f"cannot infer the format of {side} file '{path}'; "
                f"pass --format with one of: {', '.join(FORMATS)}"
            )
        return DatasetRef(name, path, found, (os.path.abspath(path),))
    if not os.path.isdir(path):
        raise InputError(f"{side} dataset '{path}' does not exist; check the path")
    files: list[str] = []
    hive = False
    for root, dirs, names in os.walk(path):
        dirs[:] = sorted(d for d in dirs if not _hidden(d))
        hive = hive or any(_HIVE_DIR.match(d) for d in dirs)
        files.extend(os.path.abspath(os.path.join(root, n)) for n in names if not _hidden(n))
    files.sort()
    if not files:
        raise InputError(f"{side} dataset '{path}' holds no data files; check the pipeline output")
    formats = {format_of(f, fmt) for f in files}
    if None in formats or len(formats) > 1:
        odd = next((f for f in files if format_of(f, fmt) is None), files[0])
        raise InputError(
            f"cannot infer one format for {side} dataset '{path}' (e.g. '{odd}'); "
            f"keep one format per dataset or pass --format with one of: {', '.join(FORMATS)}"
        )
    (found,) = formats
    assert found is not None
    return DatasetRef(name, path, found, tuple(files), hive)


def discover(root: str, side: Side, fmt: str | None = None) -> dict[str, DatasetRef]:
    """The datasets of an output folder (each top-level entry), or the one dataset at ``root``."""
    if not os.path.exists(root):
        raise InputError(f"{side} path '{root}' does not exist; check the path")
    if os.path.isfile(root) or is_dataset_folder(root):
        ref = open_dataset(root, side, fmt)
        return {ref.name: ref}
    datasets: dict[str, DatasetRef] = {}
    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        if _hidden(entry.name) or (entry.is_file() and format_of(entry.name, fmt) is None):
            continue
        ref = open_dataset(entry.path, side, fmt)
        if ref.name in datasets:
            raise InputError(
                f"{side} folder '{root}' holds two datasets named '{ref.name}' "
                f"('{datasets[ref.name].path}' and '{ref.path}'); keep one"
            )
        datasets[ref.name] = ref
    if not datasets:
        raise InputError(f"{side} folder '{root}' holds no datasets; check the path")
    return datasets


def is_uri(path: str) -> bool:
    return bool(_URI.match(path))


def uri_dataset(uri: str, side: Side, fmt: str | None = None) -> DatasetRef:
    """A dataset at a URI (for an engine that reads URIs): one dataset, never listed here."""
    found = format_of(uri.rstrip("/"), fmt)
    if found is None:
        raise InputError(
            f"cannot infer the format of {side} URI '{uri}'; "
            f"pass --format with one of: {', '.join(FORMATS)}"
        )
    return DatasetRef(dataset_name(uri.rstrip("/")), uri, found, (uri,))


def pair(
    production: str, candidate: str, fmt: str | None = None, uris: bool = False
) -> list[tuple[str, DatasetRef | None, DatasetRef | None]]:
    """Pair the datasets of both sides by name, sorted by name.

    Two single datasets (files or dataset folders) are paired whatever their names. ``uris``: the
    engine reads URIs (``s3a://...``); a URI is one dataset.
    """
    if is_uri(production) or is_uri(candidate):
        uri = production if is_uri(production) else candidate
        if not uris:
            raise UsageError(
                f"'{uri}' is a URI, which only --engine spark reads; "
                "pass --engine spark, or copy the data to a local path"
            )
        p = (uri_dataset if is_uri(production) else open_dataset)(production, "production", fmt)
        c = (uri_dataset if is_uri(candidate) else open_dataset)(candidate, "candidate", fmt)
        return [(p.name, p, DatasetRef(p.name, c.path, c.format, c.files, c.hive))]
    prod = discover(production, "production", fmt)
    cand = discover(candidate, "candidate", fmt)
    single_prod = os.path.isfile(production) or is_dataset_folder(production)
    single_cand = os.path.isfile(candidate) or is_dataset_folder(candidate)
    if single_prod and single_cand:
        ((name, p),) = prod.items()
        ((_, c),) = cand.items()
        return [(name, p, DatasetRef(name, c.path, c.format, c.files, c.hive))]
    if single_prod != single_cand:
        one, other = ("production", "candidate") if single_prod else ("candidate", "production")
        raise UsageError(
            f"{one} is a single dataset but {other} is an output folder; "
            "pass two files or dataset folders, or two output folders"
        )
    names = sorted(set(prod) | set(cand))
    return [(n, prod.get(n), cand.get(n)) for n in names]


def same_bytes(production: DatasetRef, candidate: DatasetRef) -> bool:
    """True when both versions are the same files, byte for byte (relative paths included)."""
    if production.format != candidate.format or len(production.files) != len(candidate.files):
        return False

    def rel(ref: DatasetRef) -> list[str]:
        base = ref.path if os.path.isdir(ref.path) else os.path.dirname(ref.path)
        return [os.path.relpath(f, base) for f in ref.files]

    if production.is_folder and rel(production) != rel(candidate):
        return False
    pairs = list(zip(production.files, candidate.files, strict=True))
    if any(os.path.getsize(p) != os.path.getsize(c) for p, c in pairs):
        return False
    return all(_same_file(p, c) for p, c in pairs)


def _same_file(a: str, b: str) -> bool:
    if os.path.samefile(a, b):
        return True
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            ca, cb = fa.read(_CHUNK), fb.read(_CHUNK)
            if ca != cb:
                return False
            if not ca:
                return True


def fingerprint(path: str) -> tuple[int, int, str]:
    """(files, bytes, sha256) of a file or folder: relative paths, sizes and contents."""
    digest = hashlib.sha256()
    root = Path(path)
    paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
    total = 0
    for p in paths:
        rel = p.name if p == root else p.relative_to(root).as_posix()
        size = p.stat().st_size
        total += size
        digest.update(f"{rel}\0{size}\0".encode())
        with p.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                digest.update(chunk)
    return len(paths), total, digest.hexdigest()
