"""How the DuckDB engine reads a dataset into a view, reports its columns and explains a bad file.

Every path is read literally: DuckDB expands ``*``, ``?`` and ``[...]`` in every path it is given
(list elements too), so those characters are escaped as one-character classes (``[*]``). Hive
partition values are parsed here (``read_checks.partitions``), not by DuckDB, which drops a value
holding ``=``. Text in another encoding than UTF-8 is transcoded to UTF-8 in the spill folder;
Arrow IPC streams are rewritten there as Arrow IPC files, which pyarrow scans lazily.
"""

from __future__ import annotations

import os
import tempfile

import duckdb

from ..datasets import TEXT_FORMATS, DatasetRef, is_uri
from ..errors import InputError
from ..model import Column
from . import (
    declared_types,
    duckdb_tables,
    duckdb_text_types,
    duckdb_types,
    json_text,
    read_checks,
    wide_decimals,
    written_forms,
)
from .duckdb_read_errors import query_error, read_error

_READERS = {
    "parquet": "read_parquet({files}, union_by_name = true{extra})",
    "csv": "read_csv({files}, union_by_name = true, max_line_size = 134217728{extra})",
    "json": "read_json({files}, union_by_name = true{extra})",
}
_FILE = "__dd_file"
# (spill folder, dataset) -> (files read, file read -> user's file, extra reader options)
_READY: dict[tuple[str, DatasetRef], tuple[tuple[str, ...], dict[str, str], str]] = {}


def literal(path: str) -> str:
    """A path as a DuckDB string literal that matches exactly that file."""
    escaped = "".join(f"[{c}]" if c in "*?[" else c for c in path)
    return "'" + escaped.replace("'", "''") + "'"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def register(
    con: duckdb.DuckDBPyConnection, ref: DatasetRef, view: str, side: str, temp_dir: str
) -> None:
    """Create (or replace) the temp view ``view`` over the dataset's files.

    What costs a pass over the files (transcoding, rewriting streams, checking every CSV value
    against its guessed type) is done once per engine (``temp_dir``) and dataset, then reused."""
    if ref.table is not None:  # a table of a database file
        duckdb_tables.register(con, ref, view, side)
        return
    key = (temp_dir, ref)
    files = read_checks.data_files(ref, side)
    shown = dict(zip(files, files, strict=True))  # the file read -> the user's file
    try:
        if key in _READY:
            files, shown, extra = _READY[key]
            _view(con, view, _relation(con, ref, files, shown, view, extra))
            written_forms.raw_view(con, ref, files, view, literal)
            return
        if ref.format == "arrow":
            files = _arrow_files(ref, files, view, temp_dir)
        elif ref.format in TEXT_FORMATS:
            files, shown = _utf8(ref, files, view, side, temp_dir)
            if ref.format == "json" and (ref.text_columns or ref.all_text):
                files, shown = json_text.as_text(ref, files, shown, view, temp_dir)
        elif ref.format == "parquet" and not is_uri(ref.path):
            root = os.path.abspath(ref.path) if ref.is_folder else None
            files, shown = wide_decimals.as_text(files, shown, view, temp_dir, root=root)
        extra = _checked_view(con, ref, files, shown, view, side)
        written_forms.raw_view(con, ref, files, view, literal)
        if len(_READY) > 64:
            _READY.clear()
        _READY[key] = (files, shown, extra)
    except InputError:
        raise
    except (duckdb.Error, OSError, ValueError) as exc:
        raise read_error(ref, side, exc, shown) from exc
    except Exception as exc:  # pyarrow.ArrowInvalid and friends, mapped once here
        if type(exc).__module__.startswith("pyarrow"):
            raise read_error(ref, side, exc, shown) from exc
        raise


def _checked_view(
    con: duckdb.DuckDBPyConnection,
    ref: DatasetRef,
    files: tuple[str, ...],
    shown: dict[str, str],
    view: str,
    side: str,
) -> str:
    """Create the view, checking every text value against the type its first rows suggested;
    returns the reader options that correct the types guessed wrong."""
    as_text = duckdb_text_types.chosen_text(con, ref, files, literal)
    extra = duckdb_text_types.types(as_text)
    if ref.format == "json" and (ref.all_text or ref.text_columns):
        extra = duckdb_text_types.json_columns(con, files, ref, literal)
    elif ref.format == "csv" and ref.all_text:
        extra = ", all_varchar = true"
    while True:
        _view(con, view, _relation(con, ref, files, shown, view, extra))
        if ref.format == "csv":
            _check_columns(con, ref, view, side, shown)
        late = duckdb_text_types.late_text(con, view) if ref.format in TEXT_FORMATS else None
        if late is None or late in as_text or (late == "" and extra):
            return extra
        if late:  # CSV: that column as text
            as_text.append(late)
            extra = duckdb_text_types.types(as_text)
        else:  # JSON names no column: the types guessed from the whole files, once
            extra = duckdb_text_types.json_columns(con, files, ref, literal)


def _view(con: duckdb.DuckDBPyConnection, view: str, relation: str) -> None:
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {relation}")


def _relation(
    con: duckdb.DuckDBPyConnection,
    ref: DatasetRef,
    files: tuple[str, ...],
    shown: dict[str, str],
    view: str,
    extra: str,
) -> str:
    if ref.format != "arrow":
        return _reader(con, ref, files, shown, view, extra)
    import pyarrow.dataset as ds

    source = files[0] if ref.is_folder else list(files)  # a folder: its (mirror) root
    dataset = ds.dataset(source, format="ipc", partitioning="hive" if ref.hive else None)
    con.register(f"{view}__arrow", dataset)
    return f"{view}__arrow"


def _reader(
    con: duckdb.DuckDBPyConnection,
    ref: DatasetRef,
    files: tuple[str, ...],
    shown: dict[str, str],
    view: str,
    extra: str,
) -> str:
    listed = "[" + ", ".join(literal(f) for f in files) + "]"
    if not ref.hive:
        return _READERS[ref.format].format(files=listed, extra=extra)
    read = _READERS[ref.format].format(files=listed, extra=f"{extra}, filename = '{_FILE}'")
    names, values = read_checks.partitions(
        DatasetRef(ref.name, ref.path, ref.format, tuple(shown[f] for f in files))
    )
    if not names:
        return _READERS[ref.format].format(files=listed, extra=extra)
    in_file = con.sql(f"SELECT * FROM {read} LIMIT 0").columns
    kept = [quote(c) for c in in_file if c != _FILE and c not in names]
    rows = ", ".join(
        "("
        + ", ".join([_sql_string(f)] + [_sql_value(values[shown[f]].get(n)) for n in names])
        + ")"
        for f in files
    )
    types = {
        n: "VARCHAR"  # a partition column chosen to be read as text
        if ref.all_text or n in ref.text_columns
        else read_checks.partition_type([values[shown[f]].get(n) for f in files])
        for n in names
    }
    parts = ", ".join(f"CAST(p.{quote(n)} AS {types[n]}) AS {quote(n)}" for n in names)
    aliases = ", ".join([_FILE] + [quote(n) for n in names])
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW {view}__parts AS SELECT * FROM (VALUES {rows}) p({aliases})"
    )
    return (
        f"(SELECT {', '.join([*kept, parts])} FROM {read} f "
        f"JOIN {view}__parts p ON f.{_FILE} = p.{_FILE})"
    )


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_value(value: str | None) -> str:
    return "NULL" if value is None else _sql_string(value)


def _utf8(
    ref: DatasetRef, files: tuple[str, ...], view: str, side: str, temp_dir: str
) -> tuple[tuple[str, ...], dict[str, str]]:
    """Text files as UTF-8: those in another encoding (given, or announced by a UTF-16/32
    byte-order mark) are transcoded into the spill folder."""
    out: list[str] = []
    shown: dict[str, str] = {}
    folder = ""
    for i, path in enumerate(files):
        encoding = ref.encoding if not read_checks.is_utf8(ref.encoding) else None
        encoding = encoding or read_checks.bom_encoding(path)
        if encoding is None:
            out.append(path)
            shown[path] = path
            continue
        folder = folder or tempfile.mkdtemp(prefix=f"{view}-utf8-", dir=temp_dir)
        name = os.path.basename(path)
        target = os.path.join(folder, f"{i}-{name[:-3] if name.lower().endswith('.gz') else name}")
        try:
            read_checks.transcode(path, encoding, target)
        except (OSError, EOFError) as exc:  # a truncated or mislabelled .gz
            raise InputError(
                f"cannot read {side} file '{read_checks.shown(ref, path)}': {exc}; check the file"
            ) from exc
        except UnicodeError as exc:
            raise InputError(
                f"{side} file '{read_checks.shown(ref, path)}' is not {encoding} text ({exc}); "
                "check the file's encoding and set it to match"
            ) from exc
        out.append(target)
        shown[target] = path
    return tuple(out), shown


def _arrow_files(
    ref: DatasetRef, files: tuple[str, ...], view: str, temp_dir: str
) -> tuple[str, ...]:
    """What pyarrow scans: the files, or for a folder its root (one element). Arrow IPC streams,
    and files holding decimals wider than 38 digits (DuckDB cannot scan them; those columns
    become decimal text, ``wide_decimals``), are rewritten as Arrow IPC files first, in a mirror
    of the dataset folder whose other files are links, so that hive partitions keep their
    paths."""
    rewritten = {
        f: wide
        for f in files
        if (wide := wide_decimals.wide_columns(f, "arrow")) or read_checks.is_arrow_stream(f)
    }
    if not rewritten:
        return (ref.path,) if ref.is_folder else files
    root = os.path.abspath(ref.path) if ref.is_folder else os.path.dirname(files[0])
    mirror = tempfile.mkdtemp(prefix=f"{view}-arrow-", dir=temp_dir)
    listed: list[str] = []
    for path in files:
        target = os.path.join(mirror, os.path.relpath(path, root))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if path in rewritten:
            wide_decimals.rewrite(path, target, rewritten[path], "arrow")
        else:
            os.symlink(path, target)
        listed.append(target)
    return (mirror,) if ref.is_folder else tuple(listed)


def _check_columns(
    con: duckdb.DuckDBPyConnection, ref: DatasetRef, view: str, side: str, shown: dict[str, str]
) -> None:
    """DuckDB's sniffer reads a CSV with ragged rows as one column named like the header line,
    or as headerless columns ``column0, column1, ...``: find the first ragged row instead."""
    names = con.sql(f"SELECT * FROM {view} LIMIT 0").columns
    if not (len(names) == 1 and ("," in names[0] or "\t" in names[0])) and names[:1] != ["column0"]:
        return
    for path in shown:
        found = read_checks.ragged_line(path)
        if found:
            raise read_checks.ragged_error(side, read_checks.shown(ref, shown[path]), *found)


def columns(
    con: duckdb.DuckDBPyConnection, view: str, ref: DatasetRef, side: str
) -> tuple[Column, ...]:
    """The view's columns with their Arrow types. A text column with no value has no type
    ("null"); Parquet and Arrow columns keep the type the files declare where DuckDB's reading
    collapses it (``time32``, ``fixed_size_binary``, a time zone name, ``decimal256``)."""
    try:
        found = duckdb_types.view_columns(con, view)
        if ref.format in TEXT_FORMATS:
            found = tuple(Column(c.name, "null") if _no_values(con, view, c) else c for c in found)
            return written_forms.with_forms(con, view, found)
    except duckdb.Error as exc:
        raise read_error(ref, side, exc) from exc
    try:
        return declared_types.with_declared(ref, found)
    except Exception as exc:  # pyarrow's errors, mapped once here
        raise read_error(ref, side, exc) from exc


def _no_values(con: duckdb.DuckDBPyConnection, view: str, column: Column) -> bool:
    if column.type not in ("string", "null"):
        return False
    query = f"SELECT 1 FROM {view} WHERE {quote(column.name)} IS NOT NULL LIMIT 1"
    return not con.execute(query).fetchall()


__all__ = ["columns", "literal", "query_error", "quote", "read_error", "register"]
