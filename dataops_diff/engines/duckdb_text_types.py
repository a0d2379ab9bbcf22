"""How the DuckDB engine types the columns of CSV and JSON files beyond its sniffer's guess.

DuckDB guesses each column's type from a sample of the first rows; a column that holds text
further down (numbers for 20,000 rows, then ``n/a``) then fails the whole read. ``late_text``
finds such a column by converting every value once, and the reader options returned here read
it as text. Columns the user chose to read as text (``--text-column``, ``--all-text``) are read
as text from the start (``chosen_text``, ``json_columns``).
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from ..datasets import DatasetRef
from .duckdb_read_errors import COLUMN


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def types(as_text: list[str]) -> str:
    """The CSV reader option reading these columns as text."""
    if not as_text:
        return ""
    return ", types = {" + ", ".join(f"{sql_string(c)}: 'VARCHAR'" for c in as_text) + "}"


def chosen_text(
    con: duckdb.DuckDBPyConnection,
    ref: DatasetRef,
    files: tuple[str, ...],
    literal: Callable[[str], str],
) -> list[str]:
    """The CSV columns the user chose to read as text (``--text-column``) that the files hold
    (a name the files lack is the other version's, or checked before the comparison)."""
    if ref.format != "csv" or not ref.text_columns or ref.all_text:
        return []
    listed = "[" + ", ".join(literal(f) for f in files) + "]"
    reader = f"read_csv({listed}, union_by_name = true, max_line_size = 134217728)"
    names = set(con.sql(f"SELECT * FROM {reader} LIMIT 0").columns)
    return [c for c in ref.text_columns if c in names]


def late_text(con: duckdb.DuckDBPyConnection, view: str) -> str | None:
    """The first column whose values do not all fit the type its first rows suggested (DuckDB
    guesses from a sample), found by converting every value once: its name ("" when the message
    names none, as JSON's does); None when all fit."""
    rel = con.sql(f"SELECT * FROM {view} LIMIT 0")
    typed = [c for c, t in zip(rel.columns, rel.types, strict=True) if str(t) != "VARCHAR"]
    if not typed:
        return None
    try:
        counts = ", ".join(f"count({quote(c)})" for c in typed)
        con.execute(f"SELECT {counts} FROM {view}").fetchall()
    except duckdb.ConversionException as exc:
        if m := COLUMN.search(str(exc)):
            return m[1]
        raise
    except duckdb.InvalidInputException as exc:
        if "JSON transform error" in str(exc):
            return ""
        raise
    return None


def json_columns(
    con: duckdb.DuckDBPyConnection,
    files: tuple[str, ...],
    ref: DatasetRef,
    literal: Callable[[str], str],
) -> str:
    """JSON reader options fixing every column's type as guessed from the whole files; the
    columns chosen to be read as text (all with ``--all-text``) as VARCHAR: a number is then
    its literal as written (``1e3``), an object its JSON text."""
    listed = "[" + ", ".join(literal(f) for f in files) + "]"
    rel = con.sql(f"SELECT * FROM read_json({listed}, union_by_name = true, sample_size = -1)")
    text = set(ref.text_columns)
    named = [
        (c, "VARCHAR" if ref.all_text or c in text else t)
        for c, t in zip(rel.columns, rel.types, strict=True)
    ]
    return ", columns = {" + ", ".join(f"{sql_string(c)}: '{t}'" for c, t in named) + "}"
