"""What one dataset's diff holds: schema, profiles, column diffs, duplicates, samples."""

from __future__ import annotations

from dataclasses import dataclass, field

from .explain import DeltaDistribution, FullRowSample, Segment, Transition
from .kinds import DatasetStatus, JSONValue


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
    # what explains the change (issue 16); empty when the column did not change
    transitions: tuple[Transition, ...] = ()  # most frequent (production -> candidate) pairs first
    transitions_total: int = 0  # distinct pairs among the changed rows ("showing N of M")
    delta: DeltaDistribution | None = None  # numeric columns
    segments: tuple[Segment, ...] = ()  # top over-represented segments, highest lift first

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
    # matched rows whose values differ, whole (issue 16): first by key, of rows_with_differences
    row_samples: tuple[FullRowSample, ...] = ()

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
