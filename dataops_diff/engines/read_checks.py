"""Engine-neutral checks and helpers for reading files: empty files, encodings, ragged CSV rows,
Arrow IPC file or stream, hive partition values.

Both engines use them so that they agree on what a file holds and say the same thing about a bad
one: the side, the file, the line, and the fix.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import os
import re
from collections.abc import Iterator
from typing import IO
from urllib.parse import unquote

from ..datasets import DatasetRef
from ..errors import FORMAT, InputError

ARROW_FILE_MAGIC = b"ARROW1"
HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"
_ENCODING_HINT = (
    'set its encoding (compare --encoding latin-1, or encoding = "latin-1" for the dataset '
    "in the run spec; utf-16, cp1252 and any Python codec name work)"
)
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip


def valid_encoding(name: str) -> str | None:
    """The codec's canonical name, or None when Python does not know it."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def is_utf8(encoding: str | None) -> bool:
    return encoding is None or valid_encoding(encoding) in ("utf-8", "utf-8-sig")


def bom_encoding(path: str) -> str | None:
    """The encoding a UTF-16/32 byte-order mark announces (a file DuckDB would refuse)."""
    head = _head(path, 4)
    return next((name for bom, name in _BOMS if head.startswith(bom)), None)


def first_bad_line(path: str, head: int = 1 << 20) -> int | None:
    """The line of the first byte in the file's first ``head`` bytes that is not UTF-8, or None.
    Only the head is read: a cheap check for engines that would not notice themselves."""
    data = _head(path, head)
    try:
        codecs.getincrementaldecoder("utf-8")(errors="strict").decode(data, final=False)
    except UnicodeDecodeError as exc:
        return data.count(b"\n", 0, exc.start) + 1
    return None


def encoding_error(side: str, path: str, where: str = "") -> InputError:
    at = f" ({where})" if where else ""
    return InputError(
        f"{side} file '{path}' is not UTF-8 text{at}: an encoding problem; {_ENCODING_HINT}"
    )


def data_files(ref: DatasetRef, side: str) -> tuple[str, ...]:
    """The files worth reading: empty text files (0 bytes, only whitespace, or ``[]``) are
    skipped in a folder of several; a dataset of only empty files, or an empty binary file, is an
    error naming the file."""
    text = ref.format in ("csv", "json")
    sizes = {f: os.path.getsize(f) for f in ref.files}
    empty = [f for f, size in sizes.items() if size == 0 or (text and _blank(f, size))]
    if not empty:
        return ref.files
    if not text or len(empty) == len(ref.files):
        what = "0 bytes" if sizes[empty[0]] == 0 else "no header, no rows"
        message = (
            f"{side} file '{shown(ref, empty[0])}' is empty ({what}); check the pipeline output"
        )
        if text:
            raise InputError(message)
        raise InputError(message + ", or pass ", FORMAT.of(ref.name), f" if it is not {ref.format}")
    return tuple(f for f in ref.files if f not in empty)


def _blank(path: str, size: int) -> bool:
    """A small text file holding only whitespace, or an empty JSON array."""
    if size > 4096:
        return False
    return size == 0 or (_head(path, 1 << 16).strip() in (b"", b"[]") and _readable(path))


def shown(ref: DatasetRef, path: str) -> str:
    """A file as messages name it: as the user wrote it when the dataset is that one file."""
    return ref.path if len(ref.files) == 1 else path


def _head(path: str, size: int) -> bytes:
    """The first bytes of a file (decompressed); b"" when it cannot be read: the engine's own
    reader then names the failure (a truncated or mislabelled .gz, say)."""
    try:
        with _open_binary(path) as fh:
            return fh.read(size)
    except (OSError, EOFError):
        return b""


def _readable(path: str) -> bool:
    try:
        with _open_binary(path) as fh:
            fh.read(1 << 16)
    except (OSError, EOFError):
        return False
    return True


def _open_binary(path: str) -> IO[bytes]:
    if path.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return open(path, "rb")


def transcode(path: str, encoding: str, target: str) -> None:
    """Write ``path`` (gzipped or not) as UTF-8 to ``target``; undecodable bytes are an error."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    with _open_binary(path) as src, open(target, "w", encoding="utf-8", newline="") as dst:
        while chunk := src.read(1 << 20):
            dst.write(decoder.decode(chunk))
        dst.write(decoder.decode(b"", final=True))


def _text_lines(path: str, encoding: str | None) -> Iterator[str]:
    with _open_binary(path) as raw:
        yield from codecs.iterdecode(raw, encoding or "utf-8", errors="replace")


def ragged_line(path: str, encoding: str | None = None) -> tuple[int, int, int] | None:
    """The first CSV record whose field count differs from the header's:
    (line number, fields, header fields); None when every record has the header's count."""
    delim = "\t" if path.lower().endswith((".tsv", ".tsv.gz")) else ","
    lines = _text_lines(path, encoding)
    reader = csv.reader(lines, delimiter=delim, strict=False)
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return None
    try:
        for row in reader:
            if row and len(row) != len(header):
                return reader.line_num, len(row), len(header)
    except csv.Error:
        return None
    return None


def ragged_error(side: str, path: str, line: int, fields: int, expected: int) -> InputError:
    return InputError(
        f"{side} file '{path}' line {line} has {fields} fields but the header has {expected}; "
        "fix that row (quote values that contain the delimiter)"
    )


def binary_kind(path: str) -> str | None:
    """What a file named as text really holds when its first bytes say it is not text."""
    head = _head(path, 4096)
    if head.startswith(b"PAR1"):
        return "Parquet"
    if head.startswith((ARROW_FILE_MAGIC, b"\xff\xff\xff\xff")):
        return "Arrow IPC"
    if b"\0" in head and not bom_encoding(path):
        return "binary data (or UTF-16 without a byte-order mark: set its encoding)"
    return None


def is_arrow_stream(path: str) -> bool:
    """An Arrow IPC stream rather than an Arrow IPC file, whatever the extension says."""
    with open(path, "rb") as fh:
        return fh.read(len(ARROW_FILE_MAGIC)) != ARROW_FILE_MAGIC


def partitions(ref: DatasetRef) -> tuple[list[str], dict[str, dict[str, str | None]]]:
    """Hive partition columns (in order of appearance) and each file's values.

    A folder ``name=value`` is split at its first ``=`` only (``tag=c=d=e`` is tag ``c=d=e``),
    the value URL-decoded as Hive and Spark write it, ``__HIVE_DEFAULT_PARTITION__`` is null.
    """
    names: list[str] = []
    values: dict[str, dict[str, str | None]] = {}
    root = os.path.abspath(ref.path)
    for path in ref.files:
        found: dict[str, str | None] = {}
        for part in os.path.relpath(os.path.dirname(path), root).split(os.sep):
            name, eq, raw = part.partition("=")
            if not eq or not name:
                continue
            value = unquote(raw)
            found[unquote(name)] = None if value == HIVE_NULL else value
        for name in found:
            if name not in names:
                names.append(name)
        values[path] = found
    return names, values


_INT = re.compile(r"^-?(0|[1-9][0-9]*)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?$")


def partition_type(values: list[str | None]) -> str:
    """The SQL type of a partition column, as DuckDB's hive reader infers it: BIGINT, DATE or
    TIMESTAMP when every value is written that way, else VARCHAR."""
    present = [v for v in values if v is not None]
    if not present:
        return "VARCHAR"
    if all(_INT.match(v) and -(2**63) <= int(v) < 2**63 for v in present):
        return "BIGINT"
    if all(_DATE.match(v) for v in present):
        return "DATE"
    if all(_TIMESTAMP.match(v) for v in present):
        return "TIMESTAMP"
    return "VARCHAR"
