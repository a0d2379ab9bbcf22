"""Running DuckDB queries for the engine: one at a time, with progress, results by column name,
and DuckDB's errors mapped once to the project's (out of memory, disk full, unreadable input).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import duckdb

from ..datasets import DatasetRef
from ..errors import FORMAT, MEMORY_LIMIT, TEMP_DIR, EngineError, InputError, Interrupted
from . import duckdb_read
from .base import ProgressFn


class Runner:
    """Runs one query at a time, reporting progress and mapping DuckDB errors once."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        production: DatasetRef,
        candidate: DatasetRef,
        progress: ProgressFn | None,
    ) -> None:
        self._con, self._progress = con, progress
        self._production, self._candidate = production, candidate

    def one(self, phase: str, query: str) -> dict[str, Any]:
        """The query's one row, by column name."""
        row: dict[str, Any] = {}

        def fetch() -> None:
            cur = self._con.execute(query)
            found = cur.fetchone()
            assert found is not None
            row.update(zip((d[0] for d in cur.description), found, strict=True))

        self._run(phase, fetch)
        return row

    def all(self, phase: str, query: str) -> list[dict[str, Any]]:
        """The query's rows, each by column name."""
        rows: list[dict[str, Any]] = []

        def fetch() -> None:
            cur = self._con.execute(query)
            names = [d[0] for d in cur.description]
            rows.extend(dict(zip(names, r, strict=True)) for r in cur.fetchall())

        self._run(phase, fetch)
        return rows

    def call(self, phase: str, work: Callable[[], object]) -> None:
        self._run(phase, work)

    def execute(self, phase: str, query: str) -> None:
        self._run(phase, lambda: self._con.execute(query))

    def _run(self, phase: str, work: Callable[[], object]) -> None:
        try:
            with self._watch(phase):
                work()
        except KeyboardInterrupt as exc:
            self._con.interrupt()
            raise Interrupted("interrupted") from exc
        except duckdb.Error as exc:
            raise _query_error(self._production, self._candidate, exc) from exc
        except RuntimeError as exc:  # DuckDB's answer to SIGINT arriving inside a query
            if str(exc) != "Query interrupted":
                raise
            raise Interrupted("interrupted") from exc

    @contextmanager
    def _watch(self, phase: str) -> Iterator[None]:
        name, progress = self._production.name, self._progress
        if progress is None:
            yield
            return
        progress(name, phase, None)
        done = threading.Event()

        def poll() -> None:
            while not done.wait(0.25):
                try:
                    pct = self._con.query_progress()
                except duckdb.Error:
                    return
                if pct >= 0:
                    progress(name, phase, min(pct, 100.0) / 100.0)

        thread = threading.Thread(target=poll, daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join()


def first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _query_error(production: DatasetRef, candidate: DatasetRef, exc: duckdb.Error) -> Exception:
    if found := duckdb_read.query_error(production, candidate, exc):
        return found  # a bad line of a text file, named with its side, file and line
    message = first_line(exc)
    where = f"dataset '{production.name}' ('{production.path}' vs '{candidate.path}')"
    lower = message.lower()
    if "no space left" in lower or "offload" in lower or ("disk" in lower and "full" in lower):
        return EngineError(
            f"disk full while comparing {where}: {message}; free space in the spill folder "
            "or point ", TEMP_DIR, " at a larger disk",
        )  # fmt: skip
    if isinstance(exc, duckdb.OutOfMemoryException):
        return EngineError(
            f"out of memory comparing {where}: {message}; raise ", MEMORY_LIMIT,
            " or free disk space for spilling",
        )  # fmt: skip
    if isinstance(
        exc, duckdb.IOException | duckdb.InvalidInputException | duckdb.ConversionException
    ):
        return InputError(
            f"cannot read {where}: {message}; check the files, or pass ", FORMAT.of(production.name)
        )
    return EngineError(
        f"DuckDB failed comparing {where}: {message}; rerun with --debug and report it"
    )
