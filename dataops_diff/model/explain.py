"""What explains a changed column (issue 16): value transitions, the distribution of the change,
the segments where changed rows concentrate, and whole rows to look at.

Every count here is exact and computed by the engine over all changed rows; only the lists are
bounded (the most frequent first), and each list says how many entries it left out, so a renderer
can always print "showing N of M".
"""

from __future__ import annotations

from dataclasses import dataclass

from .kinds import JSONValue


@dataclass(frozen=True)
class Transition:
    """A (production -> candidate) pair of one column and how many changed rows made it.

    Values are the data's own (None is null); for continuous numbers, both sides are bin labels
    such as ``"[10, 20)"`` so that nearby values group into one transition.
    """

    production: JSONValue
    candidate: JSONValue
    count: int


@dataclass(frozen=True)
class Distribution:
    """A histogram of finite numbers with its exact extremes and median."""

    count: int  # numbers counted (pairs of finite values)
    bin_edges: tuple[float, ...] = ()  # len(histogram) + 1 edges, ascending
    histogram: tuple[int, ...] = ()
    min: float | None = None
    median: float | None = None
    max: float | None = None


@dataclass(frozen=True)
class DeltaDistribution:
    """candidate - production over the changed rows of a numeric column, absolute and relative.

    Relative change is (candidate - production) / |production|, over rows where production != 0.
    """

    absolute: Distribution
    relative: Distribution | None = None


@dataclass(frozen=True)
class Segment:
    """A value of a low-cardinality column (or a hive partition) over-represented among the rows
    where one column changed, compared with all matched rows.

    ``changed_rows`` of ``changed_total`` changed rows carry the value, against ``matched_rows`` of
    ``matched_total`` matched rows: share = changed_rows / changed_total, lift = share / base share.
    """

    column: str  # the segmenting column (production name), or the hive partition key
    value: JSONValue
    changed_rows: int
    changed_total: int
    matched_rows: int
    matched_total: int

    @property
    def share(self) -> float:
        return self.changed_rows / self.changed_total if self.changed_total else 0.0

    @property
    def base_share(self) -> float:
        return self.matched_rows / self.matched_total if self.matched_total else 0.0

    @property
    def lift(self) -> float | None:
        return self.share / self.base_share if self.base_share else None


@dataclass(frozen=True)
class FullRowSample:
    """A matched row whose values differ: every compared column of both versions, by production
    name, and which of them differ after tolerances (the cells to highlight)."""

    key: dict[str, JSONValue]
    production: dict[str, JSONValue]
    candidate: dict[str, JSONValue]
    changed: tuple[str, ...] = ()
