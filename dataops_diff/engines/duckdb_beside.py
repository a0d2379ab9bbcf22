"""Work beside the engine's own queries: the profiles run on a second connection in a thread
while the diff's joins run on the first.

DuckDB runs one query on one connection at a time, and a query over a Parquet file uses one
thread per row group: a file of one row group (200,000 rows) is read by one core while the other
waits, and a file of five uses two cores for 5/6 of the time. Two connections to the same
database run two queries at once on the same thread pool and memory pool, so the second core
does the profiles' aggregates instead of waiting (the CPU seconds do not change; see
docs/benchmarks.md, "Round 2, part 4").

The second connection (``twin``) shares the database (its settings, memory limit, spill folder
and attached database files) but not the first connection's temp views: those are re-created
from their SQL. Views that cannot be (a pyarrow dataset registered on the first connection) give
no twin; the caller then does the work itself, after the diff, as before.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

import duckdb

from ..datasets import DatasetRef
from .duckdb_read import literal

_LITERAL = re.compile(r"'(?:[^']|'')*'")
TABLE_ROW_GROUP = 122_880  # rows of a row group of a DuckDB table
T = TypeVar("T")
U = TypeVar("U")


def twin(con: duckdb.DuckDBPyConnection, views: Sequence[str]) -> duckdb.DuckDBPyConnection | None:
    """A second connection to ``con``'s database with the temp ``views`` (and the temp views
    they read) re-created, in UTC as the engine's; None when one cannot be re-created."""
    found = dict(
        con.execute(
            "SELECT view_name, sql FROM duckdb_views() WHERE temporary AND NOT internal"
        ).fetchall()
    )
    order: list[str] = []

    def visit(name: str, seen: frozenset[str]) -> bool:
        if name in order:
            return True
        if name not in found or name in seen:
            return False
        sql = found[name]
        if "python_arrow_scan" in sql:  # an object of this process, not SQL
            return False
        code = _LITERAL.sub("''", sql)  # a file path may name the other view: not a use
        deps = [o for o in found if o != name and re.search(rf"\b{re.escape(o)}\b", code)]
        if not all(visit(d, seen | {name}) for d in deps):
            return False
        order.append(name)
        return True

    if not all(visit(v, frozenset()) for v in views):
        return None
    second = con.cursor()
    try:
        second.execute("SET TimeZone = 'UTC'")
        for name in order:
            second.execute(found[name])
        for v in views:
            second.execute(f'SELECT * FROM "{v}" LIMIT 0').fetchall()
    except duckdb.Error:
        second.close()
        return None
    return second


def idle_cores(con: duckdb.DuckDBPyConnection, views: dict[str, DatasetRef]) -> bool:
    """Whether one query at a time leaves a core idle: DuckDB scans one row group per thread,
    and the larger version (``views``: view name -> dataset) has fewer row groups than twice
    the threads. Beyond, work beside gained nothing: 5M rows in 41 row groups 1.02x the time,
    in 5 row groups 0.89x run after run but 1.07x, with 15% more CPU, among the benchmark's
    other tools (docs/benchmarks.md, "Round 2, part 4")."""
    try:
        threads = int(con.execute("SELECT current_setting('threads')").fetchall()[0][0])
        groups = [_row_groups(con, view, ref) for view, ref in views.items()]
    except duckdb.Error:  # metadata it cannot read (a remote file): one query at a time
        return False
    return all(g is not None for g in groups) and max(g or 0 for g in groups) < 2 * threads


def _row_groups(con: duckdb.DuckDBPyConnection, view: str, ref: DatasetRef) -> int | None:
    if ref.table is not None:  # a table of a DuckDB file: TABLE_ROW_GROUP rows a row group
        rows = int(con.execute(f"SELECT count(*) FROM {view}").fetchall()[0][0])
        return -(-rows // TABLE_ROW_GROUP)
    if ref.format != "parquet":
        return None
    listed = "[" + ", ".join(literal(f) for f in ref.files) + "]"
    query = f"SELECT sum(num_row_groups) FROM parquet_file_metadata({listed})"
    return int(con.execute(query).fetchall()[0][0] or 0)


class Beside(Generic[T]):
    """``work()`` in a thread, begun now, querying on ``cons``; ``result()`` waits for it,
    ``cancel()`` stops it. Either must be called: until then the thread may hold a query."""

    def __init__(self, cons: Sequence[duckdb.DuckDBPyConnection], work: Callable[[], T]) -> None:
        self._cons = cons
        self._value: list[T] = []
        self._error: list[BaseException] = []

        def run() -> None:
            try:
                self._value.append(work())
            except BaseException as exc:  # handed to the caller by ``result``
                self._error.append(exc)

        self._thread = threading.Thread(target=run, name="dataops-diff-beside", daemon=True)
        self._thread.start()

    def result(self) -> T:
        """The work's value, or its exception, once it has ended."""
        try:
            while self._thread.is_alive():
                self._thread.join(0.1)  # in steps: Ctrl-C reaches this thread meanwhile
        except BaseException:
            self.cancel()
            raise
        if self._error:
            raise self._error[0]
        return self._value[0]

    def cancel(self) -> None:
        """Interrupt the work's queries until its thread ends; its result is dropped. (An
        interrupt stops the query running, not the next one the work starts: hence the loop.)"""
        while self._thread.is_alive():
            for con in self._cons:
                with contextlib.suppress(duckdb.Error):
                    con.interrupt()
            self._thread.join(0.05)


def pair(
    first: Callable[[], T], second: Callable[[], U], on: duckdb.DuckDBPyConnection | None
) -> tuple[T, U]:
    """``first()`` here and ``second()`` at the same time in a thread, querying on ``on``
    (interrupted if ``first`` fails); one after the other when ``on`` is None."""
    if on is None:
        return first(), second()
    beside = Beside([on], second)
    try:
        a = first()
    except BaseException:
        beside.cancel()
        raise
    return a, beside.result()


def close(*cons: duckdb.DuckDBPyConnection | None) -> None:
    for con in cons:
        if con is not None:
            with contextlib.suppress(duckdb.Error):
                con.close()
