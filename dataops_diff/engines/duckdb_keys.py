"""``--key auto``: the narrowest column set that is unique and non-null on both sides, checked.

Columns are tried in their order, one at a time first, then pairs, then triples; a set is a key
when, on each side, it has no null and as many distinct values as rows. Floating-point and nested
columns are never tried (equality on them is not an identity). Only columns present on both sides
are tried. The search is bounded: past ``MAX_CHECKS`` sets it stops and asks for ``--key``; it
never returns a set it did not check on both sides.
"""

from __future__ import annotations

import itertools
import tempfile

import duckdb

from ..datasets import DatasetRef
from ..errors import InputError
from . import duckdb_read

MAX_WIDTH = 3
MAX_CHECKS = 64
_NOT_KEYS = ("FLOAT", "DOUBLE", "REAL", "[]", "STRUCT", "MAP", "UNION")


def auto_key(name: str, production: DatasetRef, candidate: DatasetRef) -> tuple[str, ...]:
    """The key of dataset ``name``, found and checked on both sides (InputError when none)."""
    with tempfile.TemporaryDirectory(prefix="dataops-diff-key-") as temp_dir:
        con = duckdb.connect()
        try:
            for view, ref, side in (("p", production, "production"), ("c", candidate, "candidate")):
                duckdb_read.register(con, ref, view, side, temp_dir)
            return _search(con, name)
        finally:
            con.close()


def _columns(con: duckdb.DuckDBPyConnection, view: str) -> dict[str, str]:
    rel = con.sql(f"SELECT * FROM {view} LIMIT 0")
    return {c: str(t) for c, t in zip(rel.columns, rel.types, strict=True)}


def _search(con: duckdb.DuckDBPyConnection, name: str) -> tuple[str, ...]:
    prod, cand = _columns(con, "p"), _columns(con, "c")
    usable = [c for c, t in prod.items() if c in cand and not _not_key(t) and not _not_key(cand[c])]
    no_nulls = [c for c in usable if _unique_non_null(con, (c,), distinct=False)]
    checks = 0
    for width in range(1, MAX_WIDTH + 1):
        for combo in itertools.combinations(no_nulls, width):
            checks += 1
            if checks > MAX_CHECKS:
                break
            if _unique_non_null(con, combo, distinct=True):
                return combo
    raise InputError(
        f"--key auto found no key for dataset '{name}': no set of up to {MAX_WIDTH} of its "
        f"columns ({', '.join(usable[:8]) or 'none usable'}) is unique and non-null on both "
        f"sides; pass --key {name}=COL[,COL...]"
    )


def _not_key(sql_type: str) -> bool:
    return any(marker in sql_type.upper() for marker in _NOT_KEYS)


def _unique_non_null(
    con: duckdb.DuckDBPyConnection, combo: tuple[str, ...], distinct: bool
) -> bool:
    cols = ", ".join(duckdb_read.quote(c) for c in combo)
    nulls = " OR ".join(f"{duckdb_read.quote(c)} IS NULL" for c in combo)
    test = f"count(DISTINCT ({cols})) = count(*)" if distinct else "true"
    for view in ("p", "c"):
        query = f"SELECT count(*) FILTER (WHERE {nulls}) = 0 AND {test} FROM {view}"
        row = con.execute(query).fetchone()
        if not (row and row[0]):
            return False
    return True


def auto_keys(
    production: str,
    candidate: str,
    default_key: tuple[str, ...],
    dataset_keys: dict[str, tuple[str, ...]],
    fmt: str | None,
    tables: list[str],
    schemas: list[str],
) -> dict[str, tuple[str, ...]]:
    """``--key auto`` (or ``--key NAME=auto``): each such dataset's key, found and checked.
    The CLI only parses the flag; finding the keys is the engine's (it reads the files)."""
    from ..pairing import pair  # pairing reads the files; imported on use

    keys = dict(dataset_keys)
    for name, p, c in pair(production, candidate, fmt, False, tables, schemas):
        wanted = keys.get(name, default_key)
        if wanted == ("auto",) and p is not None and c is not None:
            keys[name] = auto_key(name, p, c)
        elif wanted == ("auto",):
            keys[name] = ()  # on one side only: nothing to match rows with
    return keys
