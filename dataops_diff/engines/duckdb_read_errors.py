"""Read failures of the DuckDB engine as errors that name the side, the file (the user's, not a
transcoded copy), the line where known, and the fix. DuckDB's messages are parsed here, once."""

from __future__ import annotations

import os
import re

from ..datasets import TEXT_FORMATS, DatasetRef
from ..errors import FORMAT, InputError
from . import read_checks


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


_CSV_LINE = re.compile(r"CSV Error on Line: (\d+)")
_JSON_LINE = re.compile(r"in line (\d+)")
_FILE_IN = re.compile(r"^\s*file = (.+)$|file \"([^\"]+)\"", re.MULTILINE)
_CONVERT = re.compile(r'Could not convert string "([^"]*)" to \'(\w+)\'')
COLUMN = re.compile(r'converting column "([^"]+)"')


def read_error(
    ref: DatasetRef, side: str, exc: BaseException, shown: dict[str, str] | None = None
) -> InputError:
    """A read failure, naming the side, the file, the line where known, and the fix."""
    text = str(exc)
    path = _culprit(ref, text, shown or {})
    line = _CSV_LINE.search(text) or _JSON_LINE.search(text)
    lower = text.lower()
    if ref.format in TEXT_FORMATS and read_checks.is_utf8(ref.encoding):
        for f in [path] if os.path.isfile(path) else ref.files:
            if kind := read_checks.binary_kind(f):
                return InputError(
                    f"{side} file '{read_checks.shown(ref, f)}' is not {ref.format} text: it "
                    f"looks like {kind}; pass ", FORMAT.of(ref.name), " with the file's format"
                )  # fmt: skip
    if any(m in lower for m in ("not utf-8 encoded", "invalid utf-8", "invalid unicode")):
        return read_checks.encoding_error(side, path, f"line {line[1]}" if line else "")
    if ref.format == "csv" and ("expected number of columns" in lower or "sniffing" in lower):
        for f in [path] if os.path.isfile(path) else ref.files:
            found = read_checks.ragged_line(f, ref.encoding)
            if found:
                return read_checks.ragged_error(side, read_checks.shown(ref, f), *found)
    if (m := _CONVERT.search(text)) and (col := COLUMN.search(text)):
        at = f" line {line[1]}" if line else ""
        return InputError(
            f"{side} file '{path}'{at}: column '{col[1]}' holds '{m[1]}' although its first "
            f"rows read as {m[2]}; fix the value, or convert the file to Parquet"
        )
    where = f" line {line[1]}" if line else ""
    start = f"cannot read {side} dataset '{path}'{where} as {ref.format}: {first_line(exc)}; "
    if ref.format in TEXT_FORMATS:
        return InputError(start + "check the file")
    return InputError(
        start + "check the file, or pass ", FORMAT.of(ref.name), " if the extension is misleading"
    )


def _culprit(ref: DatasetRef, text: str, shown: dict[str, str]) -> str:
    """The file a DuckDB or pyarrow message names (the user's file, not a transcoded copy)."""
    if len(ref.files) == 1:
        return ref.path
    for m in _FILE_IN.finditer(text):
        named = os.path.abspath((m[1] or m[2]).strip())
        return shown.get(named, named)
    return ref.path


def query_error(
    production: DatasetRef, candidate: DatasetRef, exc: BaseException
) -> InputError | None:
    """A read failure DuckDB finds only while a query runs (a ragged row, a value that does not
    fit the type guessed from the first rows, a bad byte) as an InputError naming the side, the
    file and the line; None when the message names no file of either side."""
    text = str(exc)
    if not _CSV_LINE.search(text) and "JSON" not in text:
        return None
    for side, ref in (("production", production), ("candidate", candidate)):
        for m in _FILE_IN.finditer(text):
            named = os.path.abspath((m[1] or m[2]).strip())
            if named in ref.files or named == os.path.abspath(ref.path):
                return read_error(ref, side, exc)
    return None
