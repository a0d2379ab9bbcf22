"""Frozen specs: how one dataset is compared (``DatasetSpec``).

The shadow-run spec (TOML) builds on these; everything here is plain data, validated where it is
built so that engines can trust it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_SAMPLES = 10


@dataclass(frozen=True)
class DatasetSpec:
    """How to compare one dataset. Column names are production names unless stated otherwise.

    Tolerance: production value p and candidate value c are equal when
    ``p IS NOT DISTINCT FROM c`` or ``|p - c| <= abs_tol + rel_tol * max(|p|, |c|)`` (finite
    numbers only). The relative part is symmetric: swapping the sides never changes the answer.
    """

    key: tuple[str, ...]
    abs_tol: float = 0.0
    rel_tol: float = 0.0
    column_abs_tol: dict[str, float] = field(default_factory=dict)
    column_rel_tol: dict[str, float] = field(default_factory=dict)
    ignore_columns: tuple[str, ...] = ()
    ignore_case: bool = False  # string values and string keys compare case-insensitively
    ignore_spaces: bool = False  # leading/trailing whitespace of strings and string keys ignored
    renames: dict[str, str] = field(default_factory=dict)  # production name -> candidate name
    samples: int = DEFAULT_SAMPLES
    format: str | None = None  # overrides the format inferred from the extension
    encoding: str | None = None  # CSV/JSON text encoding (a Python codec); None: UTF-8
    profiles: bool = True  # distribution profiles and shift measures of every compared column

    def abs_tol_for(self, column: str) -> float:
        return self.column_abs_tol.get(column, self.abs_tol)

    def rel_tol_for(self, column: str) -> float:
        return self.column_rel_tol.get(column, self.rel_tol)

    def candidate_name(self, column: str) -> str:
        return self.renames.get(column, column)
