"""The result model: frozen dataclasses of plain, JSON-safe Python values that every renderer reads.

Rules that keep it JSON-safe without a custom encoder:
- numbers stored here are finite (``None`` stands for "not defined", e.g. a max difference over no
  pairs); non-finite *data* values inside samples are strings ("NaN", "inf", "-inf");
- values from data (samples, top-k values, min/max of strings and times) are ``JSONValue``: dates,
  times and decimals as ISO / decimal strings, bytes as ``0x`` hex;
- collections are tuples (dicts only where keys are names from data: sample rows, counters).

``to_dict(report)`` gives the JSON document, ``Report.from_dict(d)`` reads it back, and
``Report.from_dict(to_dict(r)) == r``. The JSON schema is documented in docs/json-report.md; bump
``SCHEMA_VERSION`` on any change that is not a pure addition of an optional field.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, Union

SCHEMA_VERSION = 2  # 2: verdict status ERROR, severity error, RunRecord.tail_log

JSONValue = None | bool | int | float | str | list[Any] | dict[str, Any]

Side = Literal["production", "candidate"]
DatasetStatus = Literal["compared", "only_in_production", "only_in_candidate"]
VerdictStatus = Literal["PASS", "WARN", "FAIL", "ERROR"]  # ERROR: nothing could be compared
Severity = Literal["error", "fail", "warn"]
Classification = Literal["expected", "tolerated", "unexpected"]
RunStatus = Literal["succeeded", "failed", "timed_out", "interrupted", "not_started"]


# --------------------------------------------------------------------------------------- schema
@dataclass(frozen=True)
class Column:
    name: str
    type: str


@dataclass(frozen=True)
class TypeChange:
    column: str  # production name
    production_type: str
    candidate_type: str


@dataclass(frozen=True)
class Rename:
    production: str
    candidate: str


@dataclass(frozen=True)
class SchemaDiff:
    only_in_production: tuple[Column, ...] = ()
    only_in_candidate: tuple[Column, ...] = ()
    type_changes: tuple[TypeChange, ...] = ()
    renamed: tuple[Rename, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.only_in_production or self.only_in_candidate or self.type_changes)


# ------------------------------------------------------------------------------------- profiles
@dataclass(frozen=True)
class TopValue:
    value: JSONValue
    count: int


@dataclass(frozen=True)
class Profile:
    """One version of one column. Numeric fields are None where they do not apply."""

    rows: int
    nulls: int
    distinct: int | None = None  # approximate (HyperLogLog) on large data; see docs
    min: JSONValue = None
    max: JSONValue = None
    mean: float | None = None
    std: float | None = None
    quantiles: tuple[tuple[float, float], ...] = ()  # (q, value), q in [0, 1]
    histogram: tuple[int, ...] = ()  # counts on ColumnShift.bin_edges
    top: tuple[TopValue, ...] = ()  # most frequent values, strings and categories
    nonfinite: int = 0  # NaN and ±inf of float columns: not null, left out of the statistics


@dataclass(frozen=True)
class ColumnShift:
    """Both versions' profiles of a column and how far the distribution moved."""

    production: Profile
    candidate: Profile
    bin_edges: tuple[float, ...] = ()
    psi: float | None = None  # population stability index on the shared bins
    ks: float | None = None  # Kolmogorov-Smirnov statistic (max CDF distance on the shared bins)
    null_share_change: float | None = None  # candidate null share - production null share
    tvd: float | None = None  # total variation distance of top-k shares (categories)


# ----------------------------------------------------------------------------------- dataset diff
@dataclass(frozen=True)
class ValueSample:
    key: dict[str, JSONValue]
    production: JSONValue
    candidate: JSONValue


@dataclass(frozen=True)
class RowSample:
    """A whole row present on one side only (or from a duplicate-key group)."""

    values: dict[str, JSONValue]


@dataclass(frozen=True)
class ColumnDiff:
    name: str  # production name
    candidate_name: str  # differs from name when the candidate renamed the column
    production_type: str
    candidate_type: str
    compared: int  # matched rows whose values were compared
    unequal: int  # after tolerances and ignores
    null_to_value: int  # production null, candidate not null
    value_to_null: int  # production not null, candidate null
    max_abs_diff: float | None = None  # numeric columns: over matched pairs of finite numbers
    max_rel_diff: float | None = None  # |p - c| / max(|p|, |c|)
    abs_tol: float = 0.0
    rel_tol: float = 0.0
    samples: tuple[ValueSample, ...] = ()  # first rows by key order whose values differ
    shift: ColumnShift | None = None

    @property
    def changed(self) -> bool:
        return self.unequal > 0


@dataclass(frozen=True)
class Duplicates:
    """Keys that occur more than once. Groups are compared as multisets of rows, never by order."""

    production_keys: int = 0  # distinct keys that occur more than once in production
    production_rows: int = 0  # rows that carry those keys
    candidate_keys: int = 0
    candidate_rows: int = 0
    groups: int = 0  # keys on both sides and duplicated on at least one
    groups_differing: int = 0  # of those, groups whose multisets of rows differ
    production_rows_unmatched: int = 0  # rows of those groups with no identical candidate row
    candidate_rows_unmatched: int = 0
    # rows in those groups: with matched and only-in rows, they add up to each side's rows
    production_group_rows: int = 0
    candidate_group_rows: int = 0
    # the first differing groups by key: the key, and each side's rows as lists of row objects
    samples: tuple[ValueSample, ...] = ()

    @property
    def any(self) -> bool:
        return bool(self.production_keys or self.candidate_keys)


@dataclass(frozen=True)
class DatasetDiff:
    name: str
    status: DatasetStatus
    production_path: str | None
    candidate_path: str | None
    key: tuple[str, ...] = ()
    production_rows: int | None = None
    candidate_rows: int | None = None
    identical: bool = False  # both sides byte-identical: recognised without a join
    matched_rows: int = 0  # keys present exactly once on each side
    rows_with_differences: int = 0  # matched rows with at least one unequal column
    only_in_production: int = 0  # rows whose key is absent from the candidate
    only_in_candidate: int = 0
    null_key_rows_production: int = 0  # rows with a null in a key column (they match each other)
    null_key_rows_candidate: int = 0
    duplicates: Duplicates = field(default_factory=Duplicates)
    schema: SchemaDiff = field(default_factory=SchemaDiff)
    columns: tuple[ColumnDiff, ...] = ()
    ignored_columns: tuple[str, ...] = ()
    only_in_production_samples: tuple[RowSample, ...] = ()
    only_in_candidate_samples: tuple[RowSample, ...] = ()
    key_shifts: tuple[tuple[str, ColumnShift], ...] = ()  # profiles of key columns (issue 5)

    @property
    def has_differences(self) -> bool:
        return (
            self.status != "compared"
            or self.only_in_production > 0
            or self.only_in_candidate > 0
            or self.rows_with_differences > 0
            or self.duplicates.groups_differing > 0
            or self.schema.changed
        )

    @property
    def changed_columns(self) -> tuple[ColumnDiff, ...]:
        """Columns with unequal values, most mismatches first."""
        return tuple(sorted((c for c in self.columns if c.unequal), key=lambda c: -c.unequal))


# ----------------------------------------------------------------------------------------- runs
@dataclass(frozen=True)
class RunRecord:
    side: Side
    command: tuple[str, ...]
    cwd: str
    output_dir: str
    status: RunStatus
    exit_code: int | None = None  # None when it never exited by itself (timeout, interrupt)
    duration_seconds: float = 0.0
    peak_memory_bytes: int | None = None
    stdout_log: str = ""
    stderr_log: str = ""
    stderr_tail: tuple[str, ...] = ()  # last lines of stderr; failed and stderr empty: of stdout
    git_ref: str | None = None
    git_sha: str | None = None
    counters: dict[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()  # e.g. unreadable counters file, leftover processes killed
    tail_log: str = ""  # the log stderr_tail comes from (dbt and others print errors on stdout)


@dataclass(frozen=True)
class InputFingerprint:
    path: str
    files: int
    bytes: int
    digest: str  # sha256 over relative paths, sizes and contents
    changed_by: tuple[Side, ...] = ()  # versions during whose run the input changed


@dataclass(frozen=True)
class RunComparison:
    run_id: str
    run_dir: str
    production: RunRecord
    candidate: RunRecord
    inputs: tuple[InputFingerprint, ...] = ()

    @property
    def mutated_inputs(self) -> tuple[InputFingerprint, ...]:
        return tuple(i for i in self.inputs if i.changed_by)


# -------------------------------------------------------------------------------------- verdict
@dataclass(frozen=True)
class Reason:
    """Why the verdict is what it is: a rule, where it applies, what was measured, the limit."""

    rule: str
    severity: Severity
    message: str  # "orders.amount: 1.9% of rows changed, limit 0.5%"
    dataset: str | None = None
    column: str | None = None
    measured: float | str | None = None
    limit: float | str | None = None


@dataclass(frozen=True)
class Finding:
    """One difference and how the policy classified it."""

    kind: str  # e.g. "values", "rows_only_in_candidate", "column_added", "counter", ...
    classification: Classification
    message: str
    dataset: str | None = None
    column: str | None = None


@dataclass(frozen=True)
class Verdict:
    status: VerdictStatus
    reasons: tuple[Reason, ...] = ()
    findings: tuple[Finding, ...] = ()


# --------------------------------------------------------------------------------------- report
@dataclass(frozen=True)
class Report:
    production: str  # what was compared: a path, or a run's label
    candidate: str
    datasets: tuple[DatasetDiff, ...]
    verdict: Verdict
    command: Literal["compare", "run"] = "compare"
    engine: str = "duckdb"
    options: dict[str, JSONValue] = field(default_factory=dict)
    run: RunComparison | None = None
    tool_version: str = ""
    schema_version: int = SCHEMA_VERSION

    @property
    def has_differences(self) -> bool:
        return any(d.has_differences for d in self.datasets) or bool(
            self.run and (self.run.candidate.status != "succeeded" or self.run.mutated_inputs)
        )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        report: Report = _from_json(cls, data)
        return report


def to_dict(obj: Any) -> Any:
    """A dataclass tree -> plain JSON-compatible values (tuples become lists)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_dict(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, tuple | list):
        return [to_dict(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): to_dict(v) for k, v in obj.items()}
    return obj


T = TypeVar("T")


def _from_json(tp: Any, data: Any) -> Any:
    """Rebuild a value of type ``tp`` from ``to_dict`` output, guided by the type hints."""
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        hints = typing.get_type_hints(tp)
        kwargs = {
            f.name: _from_json(hints[f.name], data[f.name])
            for f in dataclasses.fields(tp)
            if f.name in data
        }
        return tp(**kwargs)
    if origin is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_from_json(args[0], v) for v in data)
        return tuple(_from_json(a, v) for a, v in zip(args, data, strict=True))
    if origin in (Union, types.UnionType):
        if data is None:
            return None
        for arg in typing.get_args(tp):
            if dataclasses.is_dataclass(arg) or typing.get_origin(arg) is tuple:
                return _from_json(arg, data)
        return data
    return data
