"""The noise floor (issue 15): what differs between two runs of production on the same inputs.

Production is diffed against its baseline (production run again) like any pair; the floor keeps
per dataset and column what changed with identical code and inputs. Candidate differences within
a column's envelope are classified ``noise`` by the policy.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ColumnFloor:
    """One column's differences between production and its baseline."""

    name: str  # production name
    compared: int  # matched rows compared
    unequal: int  # rows that differed with identical code and inputs
    null_to_value: int = 0
    value_to_null: int = 0
    max_abs_diff: float | None = None
    max_rel_diff: float | None = None
    volatile: bool = False  # differs in nearly every row: run timestamps, generated ids

    @property
    def changed_share(self) -> float:
        return self.unequal / self.compared if self.compared else 0.0


@dataclass(frozen=True)
class DatasetFloor:
    """One dataset's differences between production and its baseline."""

    name: str
    matched_rows: int = 0
    rows_with_differences: int = 0
    only_in_production: int = 0  # rows whose key the baseline did not write (e.g. top-N ties)
    only_in_baseline: int = 0
    columns: tuple[ColumnFloor, ...] = ()

    def column(self, name: str) -> ColumnFloor | None:
        return next((c for c in self.columns if c.name == name), None)
