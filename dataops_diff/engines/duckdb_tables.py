"""How the DuckDB engine reads a table of a database file: attached read-only, viewed by name.

The file is attached once per connection under a private catalog name with ``READ_ONLY`` (a
shared lock; no WAL is written, no byte changes), so production and candidate may even be the
same file. Names are quoted, so a table named with quotes, spaces or any letters reads as is.
"""

from __future__ import annotations

import duckdb

from .. import dbfiles
from ..datasets import DatasetRef
from ..errors import InputError


def register(con: duckdb.DuckDBPyConnection, ref: DatasetRef, view: str, side: str) -> None:
    """Create (or replace) the temp view ``view`` over the table ``ref.table`` of ``ref.path``."""
    assert ref.table is not None
    schema, table = ref.table
    catalog = dbfiles.attach(con, ref.path, side)
    source = ".".join(dbfiles.quote(n) for n in (catalog, schema, table))
    try:
        con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {source}")
        con.execute(f"SELECT * FROM {view} LIMIT 0").fetchall()
    except duckdb.CatalogException as exc:
        raise InputError(
            f"{side} database file '{ref.path}' has no table '{dbfiles.table_name(*ref.table)}'; "
            "fix the table name"
        ) from exc
    except duckdb.Error as exc:
        first = " ".join(str(exc).split())[:300]
        raise InputError(
            f"cannot read table '{dbfiles.table_name(*ref.table)}' of {side} database file "
            f"'{ref.path}' ({first}); check the file"
        ) from exc
