"""What a policy says: frozen settings at three levels (top, dataset, column) and the rule names.

A setting left at ``None`` inherits from the level above (column -> dataset -> top); at the top,
``None`` means the strict default given in ``STRICT``. Pure data: the keys are defined in
``rules``, parsing lives in ``parse``, evaluation in ``evaluate`` and ``checks``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from ..model import Severity

FailOn = Literal["fail", "warn"]
NoiseMode = Literal["pass", "warn", "fail"]  # what a difference within the noise floor does


@dataclass(frozen=True)
class Limit:
    """A limit on rows: a share of the rows (``share=True``, 0.005 = 0.5%) or a count of rows.

    A share is compared in exact arithmetic, as the decimal it prints as (``repr``): 29 of 100
    rows is within 0.29, although ``0.29 * 100`` is 28.999999999999996 in binary floating point.
    """

    value: float
    share: bool = False

    def allows(self, count: int, total: int) -> bool:
        if self.share and not total:
            return count == 0
        if self.share and math.isfinite(self.value):
            return count <= self.exact * total
        if self.share:  # a NaN or infinite share, possible only through the Python API
            return count <= self.value * total
        return count <= self.value

    @property
    def exact(self) -> Fraction:
        """The limit as an exact fraction: 0.29 -> 29/100."""
        return exact(self.value)

    def __str__(self) -> str:
        return format_share(self.value) if self.share else f"{int(self.value):,}"


def exact(value: float) -> Fraction:
    """A float as the decimal it prints as (0.1 -> 1/10, not 3602879701896397/36028797018963968).

    Limits are written in decimal; the parser turns "29%" into the float nearest 29/100, whose
    shortest repr is "0.29" again, so this recovers what the user wrote.
    """
    return Fraction(repr(float(value)))


def format_share(x: float) -> str:
    """0.019 -> '1.9%'; keeps tiny and near-total shares honest ('<0.001%', '>99.9%')."""
    pct = x * 100
    if pct == 0:
        return "0%"
    if pct < 0.001:
        return "<0.001%"
    if 99.9 < pct < 100:
        return ">99.9%"
    return f"{pct:.3g}%"


@dataclass(frozen=True)
class Rules:
    """Limits that can be set at every level. ``None`` inherits from the level above."""

    max_changed_rows: Limit | None = None  # per column
    max_abs_diff: float | None = None  # a column's changes all within it are tolerated
    max_rel_diff: float | None = None
    max_dataset_changed_rows: Limit | None = None
    max_row_count_change: Limit | None = None
    max_only_in_production: Limit | None = None
    max_only_in_candidate: Limit | None = None
    max_duplicate_groups: Limit | None = None
    allow_added_columns: bool | None = None
    allow_removed_columns: bool | None = None
    allow_type_changes: bool | None = None
    max_psi: float | None = None
    max_ks: float | None = None
    max_null_share_change: float | None = None
    max_tvd: float | None = None
    severity: dict[str, Severity] = field(default_factory=dict)  # rule -> "fail" | "warn"


# What ``None`` at the top level means: any difference fails; shift limits are not checked.
STRICT = Rules(
    max_changed_rows=Limit(0),
    max_only_in_production=Limit(0),
    max_only_in_candidate=Limit(0),
    max_duplicate_groups=Limit(0),
    allow_added_columns=False,
    allow_removed_columns=False,
    allow_type_changes=False,
)


@dataclass(frozen=True)
class ColumnPolicy:
    expect_change: bool = False
    rules: Rules = field(default_factory=Rules)


@dataclass(frozen=True)
class DatasetPolicy:
    expect_change: bool = False
    rules: Rules = field(default_factory=Rules)
    columns: dict[str, ColumnPolicy] = field(default_factory=dict)  # production column names


@dataclass(frozen=True)
class Policy:
    """What may change. ``Policy()`` is strict: any difference not declared or tolerated fails."""

    rules: Rules = field(default_factory=Rules)
    datasets: dict[str, DatasetPolicy] = field(default_factory=dict)
    columns: dict[str, ColumnPolicy] = field(default_factory=dict)  # "column" or "dataset.column"
    expect_changes: tuple[str, ...] = ()  # "dataset", "dataset.column" or "column" (any dataset)
    allow_new_datasets: bool = False
    allow_missing_datasets: bool = False
    max_counter_change: float = 0.0  # relative: 0.05 = 5%
    allow_new_counters: bool = False  # a counter only the candidate reports
    allow_missing_counters: bool = False  # a counter only production reports
    counters: dict[str, float] = field(default_factory=dict)  # counter -> relative limit
    max_slowdown: float | None = None  # relative: 0.2 = the candidate may take 20% longer
    max_memory_growth: float | None = None
    fail_on: FailOn = "fail"
    noise: NoiseMode = "pass"  # with a baseline: differences within the floor (docs/noise.md)
    noise_factor: float = 2.0  # a column's changed-row share may be this times the floor's
    # Where each named target came from, for errors: (table, name) -> a flag ("--max-psi") or a
    # TOML key ("spec.toml: policy.columns.amout"). Tables: "datasets", "columns",
    # "expect_changes", and "datasets.D.columns" for a dataset's column table.
    sources: dict[tuple[str, str], str] = field(default_factory=dict, compare=False)

    def dataset(self, name: str) -> DatasetPolicy:
        return self.datasets.get(name, _NO_DATASET)

    def column_levels(self, dataset: str, column: str) -> tuple[ColumnPolicy, ...]:
        """The column's own settings, most specific first: ``datasets.<d>.columns.<c>``, then
        ``columns."<d>.<c>"``, then ``columns.<c>`` (that column in every dataset)."""
        found = (
            self.dataset(dataset).columns.get(column),
            self.columns.get(f"{dataset}.{column}"),
            self.columns.get(column),
        )
        return tuple(c for c in found if c is not None)


_NO_DATASET = DatasetPolicy()
