"""The default engine: DuckDB, embedded and in-process, larger than memory by spilling to disk.

Each dataset pair is read straight from its files (Parquet, CSV and JSON by DuckDB's own readers;
Arrow IPC through a lazily scanned pyarrow dataset) and compared in a few passes (skipped when both
versions are byte-identical, but for the first):

1. keys only: row counts, matches and null keys from a join of the key columns, which also
   proves that no key on both sides is duplicated (text formats, whose row counts are not in
   the files, group the keys instead, counting duplicates in the same pass);
2. one full outer join by key whose hash table holds the candidate's key and a hash of its compared
   values: the rows that may differ are set aside with production's whole row (skipped, with 3,
   when pass 1 found most matched rows unequal beyond tolerance: then 4 joins the whole files);
3. the candidate's rows of those keys, read again;
4. a join of the rows set aside, aggregated into per-column counts, maxima and the first samples
   by key order, rows on one side only included;
5. instead of 2-4 when keys on both sides are duplicated: the keys grouped to count them, one
   join of the whole files (those groups left out) aggregated as in 4, and the groups compared
   as multisets. CSV and JSON, which are costly to read again, skip 2-3 too: their whole files
   are joined and aggregated as in 4.

The profiles (``duckdb_profile``) run beside these passes, on a twin connection in a thread
(``duckdb_beside``): DuckDB reads a Parquet file one row group per thread, so one query at a
time leaves a core idle on files of few row groups. Text files (rows counted by a scan), Arrow
files (a dataset of this process), one thread or a small memory pool: after the diff instead.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import duckdb

from ..datasets import TEXT_FORMATS, DatasetRef, same_bytes
from ..errors import MEMORY_LIMIT, EngineError
from ..model import Column, ColumnDiff, ColumnShift, DatasetDiff, RowSample
from ..spec import DatasetSpec
from . import duckdb_profile, duckdb_read, duckdb_values, explain_run, memory
from .base import EngineConfig, ProgressFn, SideSummary
from .duckdb_beside import Beside, close, idle_cores, twin
from .duckdb_names import exact_names
from .duckdb_run import Runner, first_line
from .groups import compare_groups
from .plan import Plan, diff_plan
from .results import (
    KeyCounts,
    compared_diff,
    duplicates_of,
    identical_columns,
    side_samples,
)
from .sql import compare
from .sql import duckdb_passes as sql
from .sql.dialect import DUCKDB as D
from .sql.duckdb_passes import VIEWS

MOSTLY_UNEQUAL = 0.5  # of the matched rows: then no rows are set aside (``_mostly_unequal``)


class DuckDBEngine:
    name = "duckdb"

    def __init__(self, config: EngineConfig | None = None) -> None:
        config = config or EngineConfig()
        limit = memory.memory_limit_bytes(config.memory_limit)  # default: a share of the RAM
        # a private, locked spill folder (under --temp-dir if given); close() removes it, and
        # so does every failure from here on (a refused limit included)
        self._spill = memory.SpillFolder(config.temp_dir)
        self._temp_dir = self._spill.path
        try:
            pool = memory.pool_size(limit) if limit else None
            self._con = self._connect(config, pool)
            # the profiles beside the diff (``_beside``) but with one thread, or a small pool:
            # then one query at a time keeps the peak memory where the limit was measured
            self._beside_ok = config.threads != 1 and not (pool and pool < memory.SMALL_POOL)
        except BaseException:
            self.close()
            raise
        self._schemas: dict[DatasetRef, tuple[Column, ...]] = {}
        self._sql_names: dict[DatasetRef, dict[str, str]] = {}  # see ``duckdb_names``

    def _connect(self, config: EngineConfig, pool: int | None) -> duckdb.DuckDBPyConnection:
        settings: dict[str, Any] = {"temp_directory": self._spill.path}
        if config.threads:
            settings["threads"] = config.threads
        if pool:  # the whole process stays under the limit: DuckDB's pool gets the rest
            settings["memory_limit"] = f"{memory.mib(pool)}MiB"
        try:
            con = duckdb.connect(config=settings)
            con.execute("SET TimeZone = 'UTC'")  # naive times compare as UTC everywhere
            con.execute("SET preserve_insertion_order = false")
            con.execute("SET enable_progress_bar = true")
            con.execute("SET enable_progress_bar_print = false")
            if pool and pool < memory.SMALL_POOL:
                # Prefetching reads a row group's whole column chunks into the pool at once: at
                # 1M-row row groups one chunk alone is 27-94 MiB, more than a 256 MB limit leaves.
                con.execute("SET disable_parquet_prefetching = true")
        except duckdb.Error as exc:
            raise EngineError(
                f"cannot start DuckDB: {first_line(exc)}; check ", MEMORY_LIMIT
            ) from exc
        return con

    # ------------------------------------------------------------------------------ interface
    def schema(self, ref: DatasetRef, side: str = "production") -> tuple[Column, ...]:
        if ref not in self._schemas:  # read once: validation and the diff both ask
            self._register(ref, "__dd_schema", side)
            found = self._columns("__dd_schema", ref, side)
            exact = exact_names(self._con, ref, [c.name for c in found])
            self._sql_names[ref] = exact
            own = {duck: name for name, duck in exact.items()}
            self._schemas[ref] = tuple(replace(c, name=own.get(c.name, c.name)) for c in found)
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
        schemas = (self.schema(production, "production"), self.schema(candidate, "candidate"))
        plan = diff_plan(production, candidate, schemas, spec)
        names = {"production": self._sql_names[production], "candidate": self._sql_names[candidate]}
        plan = replace(plan, sql_names=names)
        run = Runner(self._con, production, candidate, progress)
        identical = same_bytes(production, candidate)
        # Row counts come from the files' metadata unless the format is text: then the keys
        # are grouped instead (one scan, duplicates counted in the same pass).
        counted = not {production.format, candidate.format} & TEXT_FORMATS
        refs = {"production": production, "candidate": candidate}
        beside = self._beside(plan, refs, identical) if spec.profiles else None
        try:
            diff = self._compare(production, candidate, spec, plan, run, identical, counted, beside)
        except BaseException:
            if beside is not None:
                beside.cancel()
            raise
        return diff

    def _compare(
        self, production: DatasetRef, candidate: DatasetRef, spec: DatasetSpec, plan: Plan,
        run: Runner, identical: bool, counted: bool,
        beside: Beside[dict[str, ColumnShift]] | None,
    ) -> DatasetDiff:  # fmt: skip
        tolerant = [] if identical else sql.tolerant_columns(plan)
        k, most = _unique_keys(run, plan, spec, tolerant) if counted else (None, {})
        one_sided_checked = k is None
        if k is None:
            k = KeyCounts.read(run.one("matching keys", compare.key_pass(D, plan, spec, VIEWS)))
        dups = bool(k.groups) and not identical
        if dups:
            run.execute("finding duplicate keys", sql.duplicate_groups_table(plan, spec))
        samples_p: tuple[RowSample, ...] = ()
        samples_c: tuple[RowSample, ...] = ()
        if identical:
            columns = identical_columns(plan, k.matched_rows)
            changed_rows = 0
        else:
            set_aside = not _mostly_unequal(k, most.pop(sql.TOLERANT_UNEQUAL, None))
            columns, changed_rows, k, parts = duckdb_values.values(
                run, plan, spec, k, dups, one_sided_checked, most, set_aside
            )
            if spec.samples and (changed_rows or k.only_in_production or k.only_in_candidate):
                one_sided = bool(k.only_in_production or k.only_in_candidate)
                columns, samples_p, samples_c = duckdb_values.samples(
                    plan, columns, run, one_sided, parts
                )
        duplicates = duplicates_of(k)
        if dups:
            duplicates = compare_groups(run.one, run.all, D, plan, spec, VIEWS, k)
        key_shifts: tuple[tuple[str, ColumnShift], ...] = ()
        if spec.profiles:
            rows = max(k.production_rows, k.candidate_rows)
            found: dict[str, ColumnShift] = {}

            def profiles() -> None:
                made = (
                    beside.result()
                    if beside
                    else duckdb_profile.plan_shifts(self._con, plan, identical, rows)
                )
                found.update(made)

            run.call("profiling columns", profiles)
            columns, key_shifts = _with_shifts(plan, columns, found)
        columns, row_samples = explain_run.read_duckdb(
            run.all, run.execute, plan, spec, columns, k.matched_rows, production, dups
        )
        diff = compared_diff(
            production, candidate, spec, plan, k, duplicates, columns, changed_rows,
            (samples_p, samples_c), key_shifts, identical,
        )  # fmt: skip
        return replace(diff, row_samples=row_samples)

    def describe(self, ref: DatasetRef, side: str, samples: int) -> SideSummary:
        self._register(ref, "__dd_side", side)
        columns = self.schema(ref, side)
        run = Runner(self._con, ref, ref, None)
        rows = int(run.one("counting rows", "SELECT count(*) AS n FROM __dd_side")["n"])
        found: list[dict[str, Any]] = []
        if samples and rows and columns:
            found = run.all(
                "", compare.side_sample(D, "__dd_side", columns, self._sql_names[ref], samples)
            )
        return SideSummary(rows, columns, side_samples(columns, found))

    def _beside(
        self, plan: Plan, refs: dict[str, DatasetRef], identical: bool
    ) -> Beside[dict[str, ColumnShift]] | None:
        """The profiles, begun on a twin connection beside the diff (``duckdb_beside``) when
        one query at a time would leave a core idle; None when not (then ``plan_shifts`` after
        it): text files (rows counted by a scan, not from metadata), ``_beside_ok``'s settings,
        files of many row groups."""
        views = ["production"] if identical else ["production", "candidate"]
        wanted = self._beside_ok and not {r.format for r in refs.values()} & TEXT_FORMATS
        first = twin(self._con, views) if wanted and idle_cores(self._con, refs) else None
        if first is None:
            return None
        # a third stream only for many columns, whose profiles outlast the diff (in one stream
        # at a time they leave a core idle); at 20 columns it was slower and held more memory
        many = len(plan.keys) + len(plan.compared) > duckdb_profile.BATCH
        second = twin(self._con, views) if many and not identical else None

        def work() -> dict[str, ColumnShift]:
            try:
                rows = [first.execute(f"SELECT count(*) FROM {v}").fetchall()[0][0] for v in views]
                return duckdb_profile.plan_shifts(first, plan, identical, int(max(rows)), second)
            finally:
                close(first, second)

        return Beside([c for c in (first, second) if c is not None], work)

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


def _unique_keys(
    run: Runner, plan: Plan, spec: DatasetSpec, tolerant: list[int]
) -> tuple[KeyCounts | None, dict[str, Any]]:
    """The key pass's numbers from a join of the keys alone, when no key on both sides is
    duplicated (checked exactly, see ``sql.key_join``), and the maxima of the ``tolerant``
    columns over the matched rows; (None, {}) when a key is duplicated."""
    row = run.one("matching keys", sql.key_join(plan, spec, tolerant))
    k = KeyCounts.read(row)
    unique = k.matched_rows == k.production_rows - k.only_in_production
    if unique and k.matched_rows == k.candidate_rows - k.only_in_candidate:
        return k, {
            n: v for n, v in row.items() if n.startswith("max_") or n == sql.TOLERANT_UNEQUAL
        }
    return None, {}


def _mostly_unequal(k: KeyCounts, unequal: int | None) -> bool:
    """Whether at least ``MOSTLY_UNEQUAL`` of the matched rows differ, by the key join's
    estimate of the rows unequal beyond tolerance in a tolerant column (other columns may
    differ too; None when no column has a tolerance). Then setting the equal rows aside (a join
    of hashes, the candidate's rows read again) saves nothing: the rows are joined whole once.
    Either plan gives the same numbers; the estimate only picks the faster one.
    Measured at 1M rows, every row changed: see docs/benchmarks.md, Round 2, part 3."""
    return bool(unequal and k.matched_rows and unequal >= MOSTLY_UNEQUAL * k.matched_rows)


def _with_shifts(
    plan: Plan, columns: tuple[ColumnDiff, ...], shifts: dict[str, ColumnShift]
) -> tuple[tuple[ColumnDiff, ...], tuple[tuple[str, ColumnShift], ...]]:
    with_shift = tuple(replace(c, shift=shifts.get(c.name)) for c in columns)
    return with_shift, tuple((k.name, shifts[k.name]) for k in plan.keys if k.name in shifts)
