"""Database files as datasets: a DuckDB file is a folder of tables, read-only.

A database file is known by its first bytes (DuckDB writes ``DUCK`` at offset 8), whatever its
extension, so ``warehouse.db`` and ``prod.duckdb`` are both found. Its tables and views are its
datasets, named ``schema.table``, or just ``table`` in the ``main`` schema. Views count: dbt's
default materialization is a view, and a view is read as the query it stands for, evaluated
inside its own file. The file is only ever attached ``READ_ONLY``: DuckDB then takes a shared
lock, writes no WAL and changes no byte. SQLite files are not read (DuckDB's SQLite reader is an
extension that is downloaded on first use, which a machine offline cannot do); they are refused
with that reason. The rule is documented in docs/semantics.md ("Database files").
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .errors import SCHEMAS, TABLES, InputError, UsageError

if TYPE_CHECKING:
    from .datasets import DatasetRef

DUCKDB_MAGIC = b"DUCK"  # at bytes 8..12 of every DuckDB database file
SQLITE_MAGIC = b"SQLite format 3\x00"
EXTENSIONS = (".duckdb", ".db", ".ddb")
_LOCK = re.compile(r"Conflicting lock is held in .*?(?:\(PID (\d+)\)|$)", re.M)


def kind(path: str) -> str | None:
    """``"duckdb"`` or ``"sqlite"`` for a database file (by its first bytes), else None."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError:
        return None
    if head[8:12] == DUCKDB_MAGIC:
        return "duckdb"
    if head == SQLITE_MAGIC:
        return "sqlite"
    return None


def looks_like_database(path: str) -> bool:
    """A file with a database extension, whatever its bytes: a corrupt one is named, not skipped."""
    return path.lower().endswith(EXTENSIONS) and os.path.isfile(path)


def is_database(path: str, data_extension: bool) -> bool:
    """A database file: its first bytes say so, or it has a database extension and no data one."""
    return kind(path) is not None or (not data_extension and looks_like_database(path))


def table_dataset(path: str, side: str, name: str, table: str) -> DatasetRef | None:
    """The table ``schema.table`` (or ``table`` of ``main``) of database file ``path``; None when
    this version did not write it (it is then on the other side only, or a spec error)."""
    from .datasets import DatasetRef  # datasets imports this module

    schema, bare = split_name(table)
    if table_name(schema, bare) not in list_tables(path, side):
        return None
    return DatasetRef(name, path, "duckdb", (os.path.abspath(path),), table=(schema, bare))


def datasets(path: str, side: str, folder: str = "") -> dict[str, DatasetRef]:
    """Every table and view of a database file, by name (``folder/`` + ``schema.table``)."""
    from .datasets import DatasetRef

    prefix = folder + "/" if folder else ""
    full = (os.path.abspath(path),)
    return {
        prefix + n: DatasetRef(prefix + n, path, "duckdb", full, table=split_name(n))
        for n in list_tables(path, side)
    }


def table_name(schema: str, table: str) -> str:
    """How a table is named as a dataset: ``table`` in ``main``, else ``schema.table``."""
    return table if schema == "main" and "." not in table else f"{schema}.{table}"


def split_name(name: str) -> tuple[str, str]:
    """``schema.table`` or ``table`` (main). A table whose own name holds a dot is written
    with its schema: ``main.my.table`` is table ``my.table`` of ``main``."""
    schema, dot, table = name.partition(".")
    return (schema, table) if dot else ("main", name)


def sql_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def attach(con: Any, path: str, side: str) -> str:
    """Attach ``path`` read-only to ``con`` (once) and return its catalog name."""
    import duckdb

    full = os.path.abspath(path)
    check_openable(path, side)
    rows = con.execute(
        "SELECT database_name FROM duckdb_databases() WHERE path = ?", [full]
    ).fetchall()
    if rows:
        return str(rows[0][0])
    alias = f"dd_db_{len(con.execute('SELECT 1 FROM duckdb_databases()').fetchall())}"
    try:
        con.execute(f"ATTACH {sql_literal(full)} AS {quote(alias)} (READ_ONLY, TYPE duckdb)")
    except duckdb.Error as exc:
        raise open_error(path, side, exc) from exc
    return alias


def check_openable(path: str, side: str) -> None:
    """Refuse what cannot be read before DuckDB tries: a SQLite file, a file of other bytes."""
    found = kind(path)
    if found == "sqlite":
        raise InputError(
            f"{side} file '{path}' is a SQLite database, which is not read (DuckDB's SQLite "
            "reader is downloaded on first use); export its tables to Parquet or a DuckDB file"
        )
    if found is None:
        raise InputError(
            f"{side} file '{path}' is not a DuckDB database file (its header lacks 'DUCK'); "
            "check the file, or give a data file of a known format"
        )


def open_error(path: str, side: str, exc: Exception) -> InputError:
    """One line for a database file DuckDB cannot attach: locked, corrupt, of another version."""
    text = str(exc).strip()
    if m := _LOCK.search(text):
        who = f" (process {m[1]})" if m[1] else ""
        return InputError(
            f"{side} database file '{path}' is locked for writing by another program{who}; "
            "let it finish, or compare a copy of the file"
        )
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    first = (lines or ["no reason given"])[0][:300]
    if "storage version" in first:
        made = next((line for line in lines if line.startswith("The database file was")), "")
        return InputError(
            f"{side} database file '{path}' was written by another DuckDB version ({first} "
            f"{made}); export it with that version, or upgrade duckdb"
        )
    return InputError(
        f"cannot open {side} database file '{path}' ({first}); check that the file is whole"
    )


def list_tables(path: str, side: str) -> list[str]:
    """The dataset names of the tables and views of a database file, sorted."""
    import duckdb

    con = duckdb.connect()
    try:
        alias = attach(con, path, side)
        rows = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = ? "
            "UNION SELECT schema_name, view_name FROM duckdb_views() "
            "WHERE database_name = ? AND NOT internal",
            [alias, alias],
        ).fetchall()
    except duckdb.Error as exc:
        raise open_error(path, side, exc) from exc
    finally:
        con.close()
    return sorted(table_name(str(s), str(t)) for s, t in rows)


def only(
    pairs: list[tuple[str, Any, Any]], tables: Sequence[str], schemas: Sequence[str]
) -> list[tuple[str, Any, Any]]:
    """The pairs of the tables named (``table`` or ``schema.table``) and in the schemas named;
    a name that matches no table is an error naming the setting (the CLI words it as its flag,
    ``--table`` or ``--schema``)."""
    found = {r.table for _, *refs in pairs for r in refs if r is not None and r.table}
    names = sorted(table_name(*t) for t in found)
    for setting, values, match in ((TABLES, tables, _table_match), (SCHEMAS, schemas, _in)):
        for value in values:
            if not any(match(value, t) for t in found):
                raise UsageError(
                    setting, f" '{value}' matches no table of production or candidate (tables: "
                    f"{', '.join(names) or 'none'}); fix the name",
                )  # fmt: skip

    def kept(refs: list[Any]) -> bool:
        t = next((r.table for r in refs if r is not None and r.table), None)
        return t is not None and (
            (not tables or any(_table_match(v, t) for v in tables))
            and (not schemas or any(_in(v, t) for v in schemas))
        )

    return [(name, *refs) for name, *refs in pairs if kept(refs)]


def _table_match(value: str, table: tuple[str, str]) -> bool:
    return value in (table[1], f"{table[0]}.{table[1]}", table_name(*table))


def _in(value: str, table: tuple[str, str]) -> bool:
    return value == table[0]


__all__ = ["attach", "kind", "list_tables", "looks_like_database", "only", "split_name"]
