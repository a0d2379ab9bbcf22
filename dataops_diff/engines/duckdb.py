"""The default engine: DuckDB, embedded and in-process, larger than memory by spilling to disk.

Each dataset pair is read straight from its files (Parquet, CSV and JSON by DuckDB's own readers;
Arrow IPC through a lazily scanned pyarrow dataset) and compared in at most three passes:

1. keys only: row counts, matches, duplicate and null keys (cheap: key columns decode fast);
2. one full outer join by key, aggregated into per-column counts, maxima and the first samples by
   key order (skipped when both versions are byte-identical files);
3. only when keys are duplicated on a side: the duplicate groups compared as multisets.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import duckdb

from ..datasets import TEXT_FORMATS, DatasetRef, same_bytes
from ..errors import EngineError, InputError, Interrupted
from ..model import (
    Column,
    ColumnDiff,
    ColumnShift,
    DatasetDiff,
    Duplicates,
    JSONValue,
    RowSample,
    ValueSample,
)
from ..plan import Plan, make_plan
from ..spec import DatasetSpec
from . import duckdb_sql as sql
from . import memory
from .base import EngineConfig, ProgressFn

_READERS = {
    "parquet": "read_parquet({files}, hive_partitioning = {hive}, union_by_name = true)",
    "csv": "read_csv({files}, hive_partitioning = {hive}, union_by_name = true)",
    "json": "read_json({files}, hive_partitioning = {hive}, union_by_name = true)",
}


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, config: EngineConfig | None = None) -> None:
        config = config or EngineConfig()
        limit = memory.memory_limit_bytes(config.memory_limit)  # default: a share of the RAM
        # a private, locked spill folder (under --temp-dir if given); close() removes it
        self._spill = memory.SpillFolder(config.temp_dir)
        self._temp_dir = self._spill.path
        settings: dict[str, Any] = {"temp_directory": self._temp_dir}
        if config.threads:
            settings["threads"] = config.threads
        if limit:
            settings["memory_limit"] = f"{memory.mib(limit)}MiB"
        try:
            self._con = duckdb.connect(config=settings)
            self._con.execute("SET TimeZone = 'UTC'")  # naive times compare as UTC everywhere
            self._con.execute("SET preserve_insertion_order = false")
            self._con.execute("SET enable_progress_bar = true")
            self._con.execute("SET enable_progress_bar_print = false")
        except duckdb.Error as exc:
            self.close()
            raise EngineError(
                f"cannot start DuckDB: {_first_line(exc)}; check --memory-limit"
            ) from exc
        except BaseException:
            self.close()
            raise
        self._closed = False

    # ------------------------------------------------------------------------------ interface
    def schema(self, ref: DatasetRef, side: str = "production") -> tuple[Column, ...]:
        self._register(ref, "__dd_schema", side)
        return self._columns("__dd_schema", ref, side)

    def diff(
        self,
        production: DatasetRef,
        candidate: DatasetRef,
        spec: DatasetSpec,
        progress: ProgressFn | None = None,
    ) -> DatasetDiff:
        self._register(production, "production", "production")
        self._register(candidate, "candidate", "candidate")
        plan = make_plan(
            production.name,
            self._columns("production", production, "production"),
            self._columns("candidate", candidate, "candidate"),
            spec,
            strict=False,
            inferred_types=bool({production.format, candidate.format} & TEXT_FORMATS),
        )
        run = _Runner(self._con, production, candidate, progress)
        identical = same_bytes(production, candidate)
        k = run.one("matching keys", sql.key_pass(plan, spec))
        (rows_p, rows_c, only_p, only_c, matched, dkp, drp, dkc, drc, groups, null_p, null_c) = k
        dups = None
        if groups and not identical:
            run.execute("finding duplicate keys", sql.duplicate_groups_table(plan, spec))
            dups = "__dd_dups"
        duplicates = Duplicates(dkp, drp, dkc, drc, groups)
        samples_p: tuple[RowSample, ...] = ()
        samples_c: tuple[RowSample, ...] = ()
        if identical:
            columns = _identical_columns(plan, matched)
            changed_rows = 0
        else:
            run.execute("comparing values", sql.value_pass(plan, spec, dups, spec.samples))
            columns, changed_rows = _read_values(
                plan, run.one("", sql.value_numbers(plan)), matched
            )
            if spec.samples and (changed_rows or only_p or only_c):
                rows = run.all("fetching samples", sql.sample_pass(plan, spec, dups, spec.samples))
                columns, samples_p, samples_c = _samples(plan, columns, rows, spec.samples)
        if dups:
            differing, unmatched_p, unmatched_c = run.one(
                "comparing duplicate keys", sql.duplicate_pass(plan, spec, dups)
            )
            duplicates = Duplicates(dkp, drp, dkc, drc, groups, differing, unmatched_p, unmatched_c)
        key_shifts: tuple[tuple[str, ColumnShift], ...] = ()
        if spec.profiles:
            columns, key_shifts = self._profiles(plan, columns, run)
        return DatasetDiff(
            name=production.name,
            status="compared",
            production_path=production.path,
            candidate_path=candidate.path,
            key=spec.key,
            production_rows=rows_p,
            candidate_rows=rows_c,
            identical=identical,
            matched_rows=matched,
            rows_with_differences=changed_rows,
            only_in_production=only_p,
            only_in_candidate=only_c,
            null_key_rows_production=null_p,
            null_key_rows_candidate=null_c,
            duplicates=duplicates,
            schema=plan.schema,
            columns=columns,
            ignored_columns=plan.ignored,
            only_in_production_samples=samples_p,
            only_in_candidate_samples=samples_c,
            key_shifts=key_shifts,
        )

    def _profiles(
        self, plan: Plan, columns: tuple[ColumnDiff, ...], run: _Runner
    ) -> tuple[tuple[ColumnDiff, ...], tuple[tuple[str, ColumnShift], ...]]:
        """Both versions' profiles of every key and compared column, and how far they moved."""
        from .duckdb_profile import ProfileColumn, profile_columns

        wanted = [
            ProfileColumn(
                p.name, p.candidate_name, "string" if p.as_text else p.production_category
            )
            for p in (*plan.keys, *plan.compared)
        ]
        shifts: dict[str, ColumnShift] = {}

        def work() -> None:
            shifts.update(profile_columns(self._con, "production", "candidate", wanted))

        run.call("profiling columns", work)
        with_shift = tuple(replace(c, shift=shifts.get(c.name)) for c in columns)
        return with_shift, tuple((k.name, shifts[k.name]) for k in plan.keys if k.name in shifts)

    def close(self) -> None:
        con = getattr(self, "_con", None)
        if con is not None:
            con.close()
            self._con = None  # type: ignore[assignment]
        spill = getattr(self, "_spill", None)
        if spill is not None:
            spill.remove()

    # ------------------------------------------------------------------------------- reading
    def _register(self, ref: DatasetRef, view: str, side: str) -> None:
        files = "[" + ", ".join(_string(f) for f in ref.files) + "]"
        try:
            if ref.format == "arrow":
                import pyarrow.dataset as ds

                source = ds.dataset(
                    ref.path if ref.is_folder else list(ref.files),
                    format="ipc",
                    partitioning="hive" if ref.hive else None,
                )
                self._con.register(f"{view}__arrow", source)
                relation = f"{view}__arrow"
            else:
                relation = _READERS[ref.format].format(files=files, hive=str(ref.hive).lower())
            self._con.execute(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT * FROM {relation}")
        except (duckdb.Error, OSError, ValueError) as exc:
            raise _read_error(ref, side, exc) from exc
        except Exception as exc:  # pyarrow.ArrowInvalid and friends, mapped once here
            if type(exc).__module__.startswith("pyarrow"):
                raise _read_error(ref, side, exc) from exc
            raise

    def _columns(self, view: str, ref: DatasetRef, side: str) -> tuple[Column, ...]:
        try:
            schema = self._con.sql(f"SELECT * FROM {view} LIMIT 0").to_arrow_table().schema
        except duckdb.Error as exc:
            raise _read_error(ref, side, exc) from exc
        return tuple(Column(f.name, str(f.type)) for f in schema)


class _Runner:
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

    def one(self, phase: str, query: str) -> tuple[Any, ...]:
        row: tuple[Any, ...] | None = None

        def fetch() -> None:
            nonlocal row
            row = self._con.execute(query).fetchone()

        self._run(phase, fetch)
        assert row is not None
        return row

    def all(self, phase: str, query: str) -> list[tuple[Any, ...]]:
        rows: list[tuple[Any, ...]] = []

        def fetch() -> None:
            rows.extend(self._con.execute(query).fetchall())

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


# ----------------------------------------------------------------------------------- results
def _identical_columns(plan: Plan, matched: int) -> tuple[ColumnDiff, ...]:
    return tuple(
        ColumnDiff(
            name=p.name,
            candidate_name=p.candidate_name,
            production_type=p.production_type,
            candidate_type=p.candidate_type,
            compared=matched,
            unequal=0,
            null_to_value=0,
            value_to_null=0,
            max_abs_diff=0.0 if p.numeric and matched else None,
            max_rel_diff=0.0 if p.numeric and matched else None,
            abs_tol=p.abs_tol,
            rel_tol=p.rel_tol,
        )
        for p in plan.compared
    )


def _read_values(
    plan: Plan, row: tuple[Any, ...], matched: int
) -> tuple[tuple[ColumnDiff, ...], int]:
    columns = []
    for i, pair in enumerate(plan.compared):
        unequal, n2v, v2n, max_abs, max_rel = row[i * sql.PER_COLUMN : (i + 1) * sql.PER_COLUMN]
        columns.append(
            ColumnDiff(
                name=pair.name,
                candidate_name=pair.candidate_name,
                production_type=pair.production_type,
                candidate_type=pair.candidate_type,
                compared=matched,
                unequal=int(unequal),
                null_to_value=int(n2v),
                value_to_null=int(v2n),
                max_abs_diff=_max(max_abs, pair.numeric, matched),
                max_rel_diff=_max(max_rel, pair.numeric, matched),
                abs_tol=pair.abs_tol,
                rel_tol=pair.rel_tol,
            )
        )
    return tuple(columns), int(row[len(plan.compared) * sql.PER_COLUMN])


def _samples(
    plan: Plan, columns: tuple[ColumnDiff, ...], rows: list[tuple[Any, ...]], n: int
) -> tuple[tuple[ColumnDiff, ...], tuple[RowSample, ...], tuple[RowSample, ...]]:
    """Attach the fetched sample rows (already in key order): the first ``n`` of each kind."""
    nk, m = len(plan.keys), len(plan.compared)
    marks, eqs, vals, shown_p = nk, nk + 2, nk + 2 + m, nk + 2 + 3 * m
    shown_c = shown_p + len(plan.production_columns)
    per_column: list[list[ValueSample]] = [[] for _ in range(m)]
    only_p: list[RowSample] = []
    only_c: list[RowSample] = []
    for r in rows:
        in_p, in_c = r[marks], r[marks + 1]
        if in_p and in_c:
            key = {k.name: jsonable(r[j]) for j, k in enumerate(plan.keys)}
            for i in range(m):
                if not r[eqs + i] and len(per_column[i]) < n:
                    p, c = r[vals + 2 * i], r[vals + 2 * i + 1]
                    per_column[i].append(ValueSample(key, jsonable(p), jsonable(c)))
        elif in_p and len(only_p) < n:
            cols = plan.production_columns
            only_p.append(RowSample({c.name: jsonable(r[shown_p + j]) for j, c in enumerate(cols)}))
        elif in_c and len(only_c) < n:
            cols = plan.candidate_columns
            only_c.append(RowSample({c.name: jsonable(r[shown_c + j]) for j, c in enumerate(cols)}))
    with_samples = tuple(
        replace(col, samples=tuple(found)) for col, found in zip(columns, per_column, strict=True)
    )
    return with_samples, tuple(only_p), tuple(only_c)


def jsonable(value: Any) -> JSONValue:
    """A value from data as plain JSON: non-finite floats and other types as strings."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    iso = getattr(value, "isoformat", None)
    return str(iso() if callable(iso) else value)


def _max(value: Any, numeric: bool, matched: int) -> float | None:
    """A column's max difference: 0.0 when no matched pair of numbers differs (the query then has
    no row to take a maximum over); None for other types or when nothing was matched."""
    if not numeric or not matched:
        return None
    return 0.0 if value is None else _finite(value)


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    f = float(value)
    return f if math.isfinite(f) else None


# ------------------------------------------------------------------------------------ errors
def _string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _read_error(ref: DatasetRef, side: str, exc: BaseException) -> InputError:
    return InputError(
        f"cannot read {side} dataset '{ref.path}' as {ref.format}: {_first_line(exc)}; "
        "check the file, or pass --format if the extension is misleading"
    )


def _query_error(production: DatasetRef, candidate: DatasetRef, exc: duckdb.Error) -> Exception:
    message = _first_line(exc)
    where = f"dataset '{production.name}' ('{production.path}' vs '{candidate.path}')"
    if isinstance(exc, duckdb.OutOfMemoryException):
        return EngineError(
            f"out of memory comparing {where}: {message}; "
            "raise --memory-limit or free disk space for spilling"
        )
    if "No space left" in message or ("disk" in message.lower() and "full" in message.lower()):
        return EngineError(
            f"disk full while comparing {where}: {message}; free space in the temp dir"
        )
    if isinstance(
        exc, duckdb.IOException | duckdb.InvalidInputException | duckdb.ConversionException
    ):
        return InputError(f"cannot read {where}: {message}; check the files, or pass --format")
    return EngineError(
        f"DuckDB failed comparing {where}: {message}; rerun with --debug and report it"
    )
