"""The default engine: DuckDB, embedded and in-process, larger than memory by spilling to disk.

Each dataset pair is read straight from its files (Parquet, CSV and JSON by DuckDB's own readers;
Arrow IPC through a lazily scanned pyarrow dataset) and compared in a few passes (skipped when both
versions are byte-identical, but for the first):

1. keys only: row counts, matches and null keys from a join of the key columns, which also
   proves that no key on both sides is duplicated (text formats, whose row counts are not in
   the files, group the keys instead, counting duplicates in the same pass);
2. one full outer join by key whose hash table holds the candidate's key and a hash of its compared
   values: the rows that may differ are set aside with production's whole row;
3. the candidate's rows of those keys, read again;
4. a join of the rows set aside, aggregated into per-column counts, maxima and the first samples
   by key order, rows on one side only included;
5. instead of 2-4 when keys on both sides are duplicated: the keys grouped to count them, one
   join of the whole files (those groups left out) aggregated as in 4, and the groups compared
   as multisets. CSV and JSON, which are costly to read again, skip 2-3 too: their whole files
   are joined and aggregated as in 4.
"""

from __future__ import annotations

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
    RowSample,
)
from ..plan import Plan, make_plan
from ..spec import DatasetSpec
from . import duckdb_read, memory
from . import duckdb_sql as sql
from .base import EngineConfig, ProgressFn
from .results import identical_columns, read_values, with_samples


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
        if limit:  # the whole process stays under the limit: DuckDB's pool gets the rest
            settings["memory_limit"] = f"{memory.mib(memory.pool_size(limit))}MiB"
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
        self._schemas: dict[DatasetRef, tuple[Column, ...]] = {}

    # ------------------------------------------------------------------------------ interface
    def schema(self, ref: DatasetRef, side: str = "production") -> tuple[Column, ...]:
        if ref not in self._schemas:  # read once: validation and the diff both ask
            self._register(ref, "__dd_schema", side)
            self._schemas[ref] = self._columns("__dd_schema", ref, side)
        return self._schemas[ref]

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
            self.schema(production, "production"),
            self.schema(candidate, "candidate"),
            spec,
            strict=False,
            inferred_types=bool({production.format, candidate.format} & TEXT_FORMATS),
        )
        run = _Runner(self._con, production, candidate, progress)
        identical = same_bytes(production, candidate)
        # Row counts come from the files' metadata unless the format is text: then the keys
        # are grouped instead (one scan, duplicates counted in the same pass).
        counted = not {production.format, candidate.format} & TEXT_FORMATS
        k = _unique_keys(run, plan, spec) if counted else None
        one_sided_checked = k is None
        if k is None:
            k = run.one("matching keys", sql.key_pass(plan, spec))
        (rows_p, rows_c, only_p, only_c, matched, dkp, drp, dkc, drc, groups, null_p, null_c) = k
        dups = None
        if groups and not identical:
            run.execute("finding duplicate keys", sql.duplicate_groups_table(plan, spec))
            dups = "__dd_dups"
        samples_p: tuple[RowSample, ...] = ()
        samples_c: tuple[RowSample, ...] = ()
        if identical:
            columns = identical_columns(plan, matched)
            changed_rows = 0
        else:
            # Every key on both sides unique: set the equal rows aside first. Not for CSV or
            # JSON, where reading the changed rows again costs a whole parse of the file.
            residue = dups is None and counted
            relations = ("production", "candidate")
            if residue:
                run.execute("finding changed rows", sql.residue_table(plan, spec))
                run.execute("reading changed rows", sql.candidate_residue_table(plan, spec))
                relations = sql.residue_relations(plan)
            query = sql.value_pass(plan, spec, dups, spec.samples, relations)
            run.execute("comparing values", query)
            if residue:
                run.execute("", sql.drop_residue())
            *numbers, distinct_p, distinct_c = run.one("", sql.value_numbers(plan))
            columns, changed_rows = read_values(plan, tuple(numbers), matched)
            if not one_sided_checked and (distinct_p < only_p or distinct_c < only_c):
                # a key on one side only is duplicated there: count the duplicates exactly
                k = run.one("counting duplicate keys", sql.key_pass(plan, spec))
                (dkp, drp, dkc, drc) = k[5:9]
            if spec.samples and (changed_rows or only_p or only_c):
                columns, samples_p, samples_c = _samples(plan, columns, run)
        duplicates = Duplicates(dkp, drp, dkc, drc, groups)
        if dups:
            differing, unmatched_p, unmatched_c = run.one(
                "comparing duplicate keys", sql.duplicate_pass(plan, spec, dups)
            )
            duplicates = Duplicates(dkp, drp, dkc, drc, groups, differing, unmatched_p, unmatched_c)
        key_shifts: tuple[tuple[str, ColumnShift], ...] = ()
        if spec.profiles:
            columns, key_shifts = self._profiles(plan, columns, run, identical)
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
        self, plan: Plan, columns: tuple[ColumnDiff, ...], run: _Runner, identical: bool
    ) -> tuple[tuple[ColumnDiff, ...], tuple[tuple[str, ColumnShift], ...]]:
        """Both versions' profiles of every key and compared column, and how far they moved.

        Byte-identical versions are profiled once: the candidate's profile is production's.
        """
        from .duckdb_profile import ProfileColumn, profile_columns

        wanted = [
            ProfileColumn(
                p.name,
                p.name if identical else p.candidate_name,
                "string" if p.as_text else p.production_category,
            )
            for p in (*plan.keys, *plan.compared)
        ]
        candidate = "production" if identical else "candidate"
        shifts: dict[str, ColumnShift] = {}

        def work() -> None:
            shifts.update(profile_columns(self._con, "production", candidate, wanted))

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
        duckdb_read.register(self._con, ref, view, side, self._temp_dir)

    def _columns(self, view: str, ref: DatasetRef, side: str) -> tuple[Column, ...]:
        return duckdb_read.columns(self._con, view, ref, side)


def _unique_keys(run: _Runner, plan: Plan, spec: DatasetSpec) -> tuple[Any, ...] | None:
    """The key pass's numbers from a join of the keys alone, when no key on both sides is
    duplicated (checked exactly, see ``sql.key_join``); None when one is."""
    rows_p, rows_c, matched, only_p, only_c, null_p, null_c = run.one(
        "matching keys", sql.key_join(plan, spec)
    )
    if not matched == rows_p - only_p == rows_c - only_c:
        return None
    return (rows_p, rows_c, only_p, only_c, matched, 0, 0, 0, 0, 0, null_p, null_c)


def _samples(
    plan: Plan, columns: tuple[ColumnDiff, ...], run: _Runner
) -> tuple[tuple[ColumnDiff, ...], tuple[RowSample, ...], tuple[RowSample, ...]]:
    """The samples the value pass kept, as lists of structs in key order."""
    *per_column, only_p, only_c = run.one("", sql.value_samples(plan))
    return with_samples(
        plan,
        columns,
        [[(tuple(s["k"].values()), s["p"], s["c"]) for s in found or ()] for found in per_column],
        [tuple(s["v"].values()) for s in only_p or ()],
        [tuple(s["v"].values()) for s in only_c or ()],
    )


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


# ------------------------------------------------------------------------------------ errors
def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _query_error(production: DatasetRef, candidate: DatasetRef, exc: duckdb.Error) -> Exception:
    if found := duckdb_read.query_error(production, candidate, exc):
        return found  # a bad line of a text file, named with its side, file and line
    message = _first_line(exc)
    where = f"dataset '{production.name}' ('{production.path}' vs '{candidate.path}')"
    lower = message.lower()
    if "no space left" in lower or "offload" in lower or ("disk" in lower and "full" in lower):
        return EngineError(
            f"disk full while comparing {where}: {message}; free space in the spill folder "
            "or point --temp-dir at a larger disk"
        )
    if isinstance(exc, duckdb.OutOfMemoryException):
        return EngineError(
            f"out of memory comparing {where}: {message}; "
            "raise --memory-limit or free disk space for spilling"
        )
    if isinstance(
        exc, duckdb.IOException | duckdb.InvalidInputException | duckdb.ConversionException
    ):
        return InputError(f"cannot read {where}: {message}; check the files, or pass --format")
    return EngineError(
        f"DuckDB failed comparing {where}: {message}; rerun with --debug and report it"
    )
