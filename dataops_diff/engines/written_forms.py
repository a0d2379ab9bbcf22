"""How a CSV file writes its values, where DuckDB's reading would hide a change in it.

CSV stores no types: each file's types (and date formats) are guessed from its own values, so
``13/01/2024`` -> ``01/13/2024``, ``true`` -> ``T``, ``2024-01-01 10:00`` -> ``2024-01-01T10:00``,
``1000`` -> ``1e3`` or ``""`` -> an empty field all read as the same values. A consumer that
parses the file breaks on each. So a column written in a form other than the plain one carries
that form in its type (``date32[day] (written 99/99/9999 as %d/%m/%Y)``): a form that differs
between the versions is then a type change, never a silent pass. docs/semantics.md, "Text
formats: how values are written", states the rule.

Cost: one more pass over the CSV files (every value read as text), computing a few aggregates.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

from ..datasets import DatasetRef
from ..model import Column
from . import arrow_types

RAW = "__written"  # the suffix of the view that reads every value as written
_FIRST: dict[str, str] = {}  # view -> the first file it reads (whose date format is sniffed)
_DATE_PLAIN = frozenset({"--"})
_TIME_PLAIN = frozenset({"::"})
_TIMESTAMP_PLAIN = frozenset({"-- ::"})
_BOOL_PLAIN = frozenset({"true | false"})
# A spelling of a boolean -> its style: a column holding only true values is written like
# one holding both.
_BOOL_STYLES = {
    s: f"{t} | {f}"
    for t, f in (("true", "false"), ("TRUE", "FALSE"), ("True", "False"), ("t", "f"),
                 ("T", "F"), ("1", "0"), ("yes", "no"), ("y", "n"), ("Y", "N"), ("on", "off"))
    for s in (t, f)
}  # fmt: skip


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def raw_view(
    con: duckdb.DuckDBPyConnection,
    ref: DatasetRef,
    files: tuple[str, ...],
    view: str,
    literal: Callable[[str], str],
) -> None:
    """For CSV and JSON, the view ``{view}__written`` over the files read, every value as
    written (in CSV a quoted empty field is ``''``, an unquoted one NULL; in JSON a number is
    its literal, ``1e3``): created here, read by ``with_forms``."""
    listed = "[" + ", ".join(literal(f) for f in files) + "]"
    if ref.format == "csv":
        reader = (
            f"read_csv({listed}, union_by_name = true, all_varchar = true, "
            "allow_quoted_nulls = false, header = true, hive_partitioning = false, "
            "max_line_size = 134217728)"
        )
        _FIRST[view] = files[0]
    elif ref.format == "json":
        names = con.sql(f"SELECT * FROM {view} LIMIT 0").columns
        as_text = ", ".join(f"'{n.replace(chr(39), chr(39) * 2)}': 'VARCHAR'" for n in names)
        reader = (
            f"read_json({listed}, union_by_name = true, hive_partitioning = false, "
            f"columns = {{{as_text}}})"
        )
        _FIRST.pop(view, None)  # JSON: no date format to sniff; numbers are parsed values
    else:
        return
    con.execute(f"CREATE OR REPLACE TEMP VIEW {view}{RAW} AS SELECT * FROM {reader}")


def _shape(raw: str, kind: str) -> str:
    """A date's or time's shape: its separators, digits dropped, runs of letters as ``a``
    (``13/01/2024`` -> ``//``, ``2024-01-01T10:00:00`` -> ``--a::``). Times drop ``.`` too:
    whether a value has fractions of a second depends on the value, not on the writer."""
    drop = "[0-9]+" if kind == "date" else "[0-9.]+"
    return f"regexp_replace(regexp_replace({raw}, '{drop}', '', 'g'), '[a-zA-Z]+', 'a', 'g')"


def _aggregate(raw: str, kind: str) -> str | None:
    """The SQL aggregate that describes how one column's values are written, by its kind."""
    if kind in ("date", "time", "timestamp"):
        return f"list(DISTINCT {_shape(raw, kind)}) FILTER (WHERE {raw} <> '')"
    if kind == "bool":
        return f"list(DISTINCT {raw}) FILTER (WHERE {raw} <> '')"
    if kind == "number":
        bare = f"ltrim({raw}, '+-')"
        zero = f"starts_with({bare}, '0') AND length({bare}) > 1 AND NOT starts_with({bare}, '0.')"
        return (
            f"[CASE WHEN bool_or({raw} LIKE '%e%' OR {raw} LIKE '%E%') THEN '9e9' END,"
            f" CASE WHEN bool_or(starts_with({raw}, '+')) THEN '+9' END,"
            f" CASE WHEN bool_or({zero}) THEN '09' END]"
        )
    if kind == "string":
        return f"[CASE WHEN bool_or({raw} = '') THEN '\"\" for empty' END]"
    return None


def _kind(arrow_type: str) -> str:
    t = arrow_types.normalize_type(arrow_type)
    if t.startswith("timestamp"):
        return "timestamp"
    if t.startswith("date"):
        return "date"
    if t.startswith("time"):
        return "time"
    return {"integer": "number", "float": "number", "decimal": "number"}.get(
        arrow_types.category(t), arrow_types.category(t)
    )


def _form(kind: str, found: list[str | None], date_format: str | None) -> str | None:
    """The written form to show, or None for the plain one."""
    values = sorted({v for v in found or [] if v is not None})
    if kind == "bool":
        values = sorted({_BOOL_STYLES.get(v, v) for v in values})
    plain = {
        "date": _DATE_PLAIN,
        "time": _TIME_PLAIN,
        "timestamp": _TIMESTAMP_PLAIN,
        "bool": _BOOL_PLAIN,
    }.get(kind, frozenset())
    if kind == "date" and date_format not in (None, "%Y-%m-%d"):
        return f"{' | '.join(values)} as {date_format}"
    if not values or set(values) <= plain:
        return None
    return " | ".join(values)


def with_forms(
    con: duckdb.DuckDBPyConnection, view: str, columns: tuple[Column, ...]
) -> tuple[Column, ...]:
    """The columns, each written in a form other than the plain one typed with that form."""
    names = set(con.sql(f"SELECT * FROM {view}{RAW} LIMIT 0").columns)
    csv = view in _FIRST
    kinds = {
        c.name: kind
        for c in columns
        if c.name in names and ((kind := _kind(c.type)) != "number" or csv)
    }
    aggs = {n: _aggregate(quote(n), k) for n, k in kinds.items()}
    wanted = [(n, a) for n, a in aggs.items() if a is not None]
    if not wanted:
        return columns
    row = con.execute(
        f"SELECT {', '.join(a for _, a in wanted)} FROM {view}{RAW}"
    ).fetchone() or tuple([None] * len(wanted))
    date_format = None
    if "date" in kinds.values() and csv:  # each CSV file has its own date format
        literal = "'" + _FIRST[view].replace("'", "''") + "'"
        sniffed = con.execute(f"SELECT DateFormat FROM sniff_csv({literal})").fetchone()
        date_format = sniffed[0] if sniffed else None
    forms = {
        n: _form(kinds[n], found, date_format) for (n, _), found in zip(wanted, row, strict=True)
    }
    return tuple(
        Column(c.name, arrow_types.written(c.type, form)) if (form := forms.get(c.name)) else c
        for c in columns
    )
