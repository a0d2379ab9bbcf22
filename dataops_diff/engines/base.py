"""The engine seam: one small Protocol. Engines take dataset references, never loaded tables."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from ..datasets import DatasetRef
from ..model import Column, DatasetDiff, RowSample
from ..spec import DatasetSpec

# progress(dataset, phase, fraction): fraction in [0, 1] when known, else None.
ProgressFn = Callable[[str, str, float | None], None]


@dataclass(frozen=True)
class EngineConfig:
    memory_limit: str | None = None  # e.g. "4GB"; None: the engine's safe default
    temp_dir: str | None = None  # where to spill; None: a private folder, removed afterwards
    threads: int | None = None
    master: str | None = None  # Spark master URL
    options: dict[str, str] = field(default_factory=dict)  # engine pass-through (Spark conf)
    start_timeout: float | None = None  # Spark on a cluster: seconds to wait for an executor


@dataclass(frozen=True)
class SideSummary:
    """A dataset one version has and the other lacks: what it held, so that its rows count as
    lost (or new) and a report can show what they were."""

    rows: int
    columns: tuple[Column, ...]
    samples: tuple[RowSample, ...]  # the first rows by value order, never random


class Engine(Protocol):
    name: str

    def schema(self, ref: DatasetRef, side: str = "production") -> tuple[Column, ...]:
        """Column names and Arrow type strings, as the engine will read them. Cheap.

        ``side`` ("production" or "candidate") names the version in error messages."""
        ...

    def diff(
        self,
        production: DatasetRef,
        candidate: DatasetRef,
        spec: DatasetSpec,
        progress: ProgressFn | None = None,
    ) -> DatasetDiff:
        """Compare one dataset. Only counts, statistics and bounded samples come back."""
        ...

    def describe(self, ref: DatasetRef, side: str, samples: int) -> SideSummary:
        """Row count, schema and the first ``samples`` rows of one version's dataset. Cheap: a
        count (from file metadata where the format keeps one) and one bounded top-n scan."""
        ...

    def close(self) -> None:
        """Release everything (connections, spill folders). Safe to call twice."""
        ...
