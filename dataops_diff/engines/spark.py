"""The Spark engine (``--engine spark``, extra ``dataops-diff[spark]``): Spark reads and compares.

The passes are the DuckDB engine's (``sql.compare``, written once over a dialect), plus
``sql.spark_passes``, in Spark SQL on the cluster:

1. keys only: row counts, matches, duplicate and null keys;
2. one full outer join by key, keeping only the rows that differ at all (persisted: usually a
   small share), aggregated into per-column counts and maxima; the first ``samples`` keys of each
   kind by key order, and the rows behind them, are read from that persisted set;
3. only when keys are duplicated on a side: the duplicate groups compared as multisets.

Then the column profiles (``spark_profile``). Only one row of counts per pass, the bounded sample
rows and the profile figures come back to the driver. Reading: ``spark_read``; the session:
``spark_session``.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import replace
from typing import Any

from ..datasets import DatasetRef, is_uri, same_bytes
from ..errors import EngineError, Interrupted
from ..model import Column, ColumnShift, DatasetDiff, RowSample
from ..spec import DatasetSpec
from . import explain_run, spark_profile, spark_read, spark_session
from .base import EngineConfig, ProgressFn, SideSummary
from .groups import compare_groups
from .plan import Plan, diff_plan

# Result assembly is shared with the DuckDB engine: both name their results alike.
from .results import (
    KeyCounts,
    attach_samples,
    compared_diff,
    duplicates_of,
    identical_columns,
    read_values,
    side_samples,
)
from .spark_watch import Watchdog
from .sql import compare
from .sql import spark_passes as sql
from .sql.compare import Views
from .sql.dialect import SPARK as S
from .sql.duplicates import duplicate_groups
from .sql.profile import ProfileColumn

# Session settings while this engine runs: naive times compare as UTC, as in DuckDB; column
# names are case-sensitive (``Amount`` and ``amount`` are two columns, README); and no
# constraint propagation, whose planning time explodes on these wide joins (the sample query
# of a 20-column table planned for over ten minutes without finishing).
_SESSION = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.caseSensitive": "true",
    "spark.sql.constraintPropagation.enabled": "false",
}


class SparkEngine:
    name = "spark"

    def __init__(self, config: EngineConfig | None = None) -> None:
        config = config or EngineConfig()
        self._spark = spark_session.session(config)
        self._watch = spark_session.watchdog(self._spark, config)
        self._id = uuid.uuid4().hex[:8]
        self._frames: dict[tuple[object, ...], Any] = {}
        self._views: set[str] = set()
        self._copies = spark_read.Copies(config.temp_dir)  # wide decimals as text
        self._saved = {key: self._spark.conf.get(key, None) for key in _SESSION}
        for key, value in _SESSION.items():  # restored by close()
            self._spark.conf.set(key, value)

    # ------------------------------------------------------------------------------ interface
    def schema(self, ref: DatasetRef, side: str = "production") -> tuple[Column, ...]:
        frame = self._frame(ref, side)
        found = tuple(Column(f.name, spark_read.arrow_type(f.dataType)) for f in frame.schema)
        return spark_read.declared(ref, side, found)  # the types the files declare

    def diff(
        self,
        production: DatasetRef,
        candidate: DatasetRef,
        spec: DatasetSpec,
        progress: ProgressFn | None = None,
    ) -> DatasetDiff:
        prefix = f"__dd_{self._id}_"
        views = Views(*(prefix + v for v in ("production", "candidate", "dups", "diff")))
        self._view(views.production, self._frame(production, "production"))
        self._view(views.candidate, self._frame(candidate, "candidate"))
        schemas = (self.schema(production, "production"), self.schema(candidate, "candidate"))
        plan = diff_plan(production, candidate, schemas, spec)
        run = _Runner(self._spark, production, candidate, progress, self._watch)
        local = not (is_uri(production.path) or is_uri(candidate.path))
        identical = local and same_bytes(production, candidate)
        try:
            return self._passes(run, plan, spec, views, identical)
        finally:
            run.unpersist()
            self._drop(views.dups, views.diff)

    def describe(self, ref: DatasetRef, side: str, samples: int) -> SideSummary:
        view = f"__dd_{self._id}_side"
        frame = self._frame(ref, side)
        self._view(view, frame)
        columns = self.schema(ref, side)
        run = _Runner(self._spark, ref, ref, None, self._watch)
        try:
            rows = int(run.one("counting rows", f"SELECT count(*) AS n FROM {view}")["n"])
            found: list[dict[str, Any]] = []
            if samples and rows and columns:
                query = compare.side_sample(S, view, columns, {}, samples)
                found = run.all("fetching samples", query)
        finally:
            self._drop(view)
        return SideSummary(rows, columns, side_samples(columns, found))

    def _passes(
        self, run: _Runner, plan: Plan, spec: DatasetSpec, views: Views, identical: bool
    ) -> DatasetDiff:
        k = KeyCounts.read(run.one("matching keys", compare.key_pass(S, plan, spec, views)))
        dups = bool(k.groups) and not identical
        if dups:
            query = duplicate_groups(S, plan, spec, views)
            self._view(views.dups, run.persist("finding duplicate keys", query))
        samples_p: tuple[RowSample, ...] = ()
        samples_c: tuple[RowSample, ...] = ()
        if identical:
            columns, changed_rows = identical_columns(plan, k.matched_rows), 0
        else:
            frame = run.persist_lazily(sql.differing_rows(plan, spec, views, dups))
            self._view(views.diff, frame)
            numbers = run.one("comparing values", sql.value_counts(plan, views))
            columns, changed_rows = read_values(plan, numbers, k.matched_rows)
            only_p, only_c = k.only_in_production, k.only_in_candidate
            if spec.samples and (changed_rows or only_p or only_c):
                kinds = [str(i) for i, c in enumerate(columns) if c.unequal]
                kinds += ["p"] * bool(only_p) + ["c"] * bool(only_c)
                query, layout = sql.sample_rows(plan, spec, views, dups, kinds, spec.samples)
                found = run.all("fetching samples", query)
                columns, samples_p, samples_c = attach_samples(
                    plan, columns, found, layout, spec.samples
                )
        duplicates = duplicates_of(k)
        if dups:
            duplicates = compare_groups(run.one, run.all, S, plan, spec, views, k)
        key_shifts: tuple[tuple[str, ColumnShift], ...] = ()
        if spec.profiles:
            shifts = spark_profile.profile_columns(
                run.all,
                (views.production, views.candidate),
                (plan.production_columns, plan.candidate_columns),
                [
                    ProfileColumn(
                        p.name, p.candidate_name, "string" if p.as_text else p.production_category
                    )
                    for p in (*plan.keys, *plan.compared)
                ],
                spark_profile.Sample(
                    (tuple(c.name for c in plan.keys), tuple(c.candidate_name for c in plan.keys)),
                    max(k.production_rows, k.candidate_rows),
                ),
            )
            columns = tuple(replace(c, shift=shifts.get(c.name)) for c in columns)
            key_shifts = tuple((k.name, shifts[k.name]) for k in plan.keys if k.name in shifts)
        columns, row_samples = explain_run.spark(
            run.all, plan, spec, views, dups, columns, k.matched_rows, run.production
        )
        diff = compared_diff(
            run.production, run.candidate, spec, plan, k, duplicates, columns, changed_rows,
            (samples_p, samples_c), key_shifts, identical,
        )  # fmt: skip
        return replace(diff, row_samples=row_samples)

    def close(self) -> None:
        """Drop this engine's views and restore the time zone. The session itself is stopped at
        exit when this process started it (``spark_session``), never when it was joined."""
        if hasattr(self, "_copies"):
            self._copies.remove()
        spark = getattr(self, "_spark", None)
        if spark is None:
            return
        if spark_session.stopped(spark):  # given up on (no executors): nothing left to restore
            self._spark = None
            return
        self._drop(*self._views)
        self._frames.clear()
        for key, value in self._saved.items():
            if value is None:
                spark.conf.unset(key)
            else:
                spark.conf.set(key, value)
        self._spark = None

    # ------------------------------------------------------------------------------- reading
    def _frame(self, ref: DatasetRef, side: str) -> Any:
        """The dataset as a DataFrame, read once per engine (lazily: only the schema now)."""
        cache = (ref.path, ref.format, ref.files, ref.hive, ref.text_columns, ref.all_text)
        if cache not in self._frames:  # schema inference may run a job: watched like one
            read = spark_read.read
            self._frames[cache] = _watched(
                self._watch, lambda: read(self._spark, ref, side, self._copies.path)
            )
        return self._frames[cache]

    def _view(self, name: str, frame: Any) -> None:
        frame.createOrReplaceTempView(name)
        self._views.add(name)

    def _drop(self, *names: str) -> None:
        for name in names:
            if name in self._views:
                self._views.discard(name)
                self._spark.catalog.dropTempView(name)


def _watched(watch: Watchdog | None, work: Any) -> Any:
    """``work()``, failing with the watchdog's reason when it gave up on the jobs (then the
    session this process started is stopped: its jobs cannot run). After Ctrl-C any failure
    is the interruption: the signal may land where py4j turns it into a broken connection."""
    try:
        if watch is None:
            return work()
        with watch.job():
            return work()
    except Exception as exc:
        if spark_session.interrupted():
            raise Interrupted("interrupted") from exc
        if watch is None or watch.failure is None:
            raise
        spark_session.stop_started()
        raise EngineError(*watch.failure) from exc


class _Runner:
    """Runs one Spark job at a time: job descriptions, progress, and errors mapped once."""

    def __init__(
        self,
        spark: Any,
        production: DatasetRef,
        candidate: DatasetRef,
        progress: ProgressFn | None,
        watch: Watchdog | None,
    ) -> None:
        self._spark, self._progress, self._watch = spark, progress, watch
        self._production, self._candidate = production, candidate
        self._persisted: list[Any] = []

    @property
    def production(self) -> DatasetRef:
        return self._production

    @property
    def candidate(self) -> DatasetRef:
        return self._candidate

    def one(self, phase: str, query: str) -> dict[str, Any]:
        """The query's first row, by column name."""
        return self.all(phase, query)[0]

    def all(self, phase: str, query: str) -> list[dict[str, Any]]:
        """The query's rows, each by column name."""
        return [r.asDict() for r in self.rows(phase, query)]

    def rows(self, phase: str, query: str) -> list[Any]:
        """The query's rows as Spark returns them."""
        rows: list[Any] = self._run(phase, lambda: self._spark.sql(query).collect())
        return rows

    def persist(self, phase: str, query: str) -> Any:
        """The query's result, computed now and kept (memory, then disk) until ``unpersist``."""
        frame = self.persist_lazily(query)
        self._run(phase, frame.count)
        return frame

    def persist_lazily(self, query: str) -> Any:
        """The query's result, kept from the first job that computes it until ``unpersist``."""
        from pyspark import StorageLevel

        frame = self._spark.sql(query).persist(StorageLevel.MEMORY_AND_DISK)
        self._persisted.append(frame)
        return frame

    def unpersist(self) -> None:
        while self._persisted:
            self._persisted.pop().unpersist()

    def _run(self, phase: str, work: Any) -> Any:
        name = self._production.name
        if self._progress is not None:
            self._progress(name, phase, None)
        context = self._spark.sparkContext
        context.setJobDescription(f"dataops-diff: {name}: {phase}")
        try:
            return _watched(self._watch, work)
        except KeyboardInterrupt as exc:
            spark_session.silence()
            with contextlib.suppress(Exception):
                context.cancelAllJobs()
            raise Interrupted("interrupted") from exc
        except (EngineError, Interrupted):
            raise
        except Exception as exc:  # pyspark and py4j errors, mapped once here
            raise spark_session.query_error(self._production, self._candidate, exc) from exc
        finally:
            with contextlib.suppress(Exception):
                context.setJobDescription(None)
