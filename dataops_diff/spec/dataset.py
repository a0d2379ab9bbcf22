"""Frozen specs: how one dataset is compared (``DatasetSpec``).

The shadow-run spec (TOML) builds on these; everything here is plain data, validated where it is
built so that engines can trust it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from ..errors import SAMPLES, TEXT_COLUMNS, UsageError

DEFAULT_SAMPLES = 10
MAX_SAMPLES = 10_000  # samples are for reading: more than this is a request for the data itself


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
    # CSV/JSON columns read as text, compared by their written form (production names; the
    # candidate's column is the renamed one); ``all_text``: every column
    text_columns: tuple[str, ...] = ()
    all_text: bool = False

    def __post_init__(self) -> None:
        """Engines trust a spec: every number that reaches SQL is checked here, once, so that
        the Python API is held to the same rules as the CLI and the spec file."""
        tolerances: list[tuple[str, str | None, float]] = [
            ("abs_tol", None, self.abs_tol),
            ("rel_tol", None, self.rel_tol),
        ]
        tolerances += [("abs_tol", c, t) for c, t in self.column_abs_tol.items()]
        tolerances += [("rel_tol", c, t) for c, t in self.column_rel_tol.items()]
        for setting, column, tol in tolerances:
            ok = isinstance(tol, int | float) and not isinstance(tol, bool)
            if not ok or not math.isfinite(tol) or tol < 0:
                where = f" of column '{column}'" if column is not None else ""
                raise UsageError(
                    f"{setting}{where} is {tol!r}: a tolerance is a finite number >= 0"
                )
        if isinstance(self.samples, bool) or not 0 <= self.samples <= MAX_SAMPLES:
            raise UsageError(
                SAMPLES, f" is {self.samples!r}: give a whole number from 0 to {MAX_SAMPLES}"
            )
        targets: dict[str, str] = {}
        for old, new in self.renames.items():
            if new in targets:
                raise UsageError(
                    f"renames '{targets[new]}' and '{old}' both to '{new}': one candidate column "
                    "can stand for one production column only; drop one rename"
                )
            targets[new] = old
        if isinstance(self.text_columns, str):  # "zip" would be read as "z", "i", "p"
            raise UsageError(
                TEXT_COLUMNS, f" is {self.text_columns!r}: give a tuple of column names"
            )
        for column in self.text_columns:
            if not isinstance(column, str) or not column:
                raise UsageError(
                    TEXT_COLUMNS, f" has {column!r}: name a column (one name per value)"
                )
        both = [k for k in self.key if k in self.ignore_columns]
        if both:
            raise UsageError(f"key column '{both[0]}' is also ignored; drop one")

    def abs_tol_for(self, column: str) -> float:
        return self.column_abs_tol.get(column, self.abs_tol)

    def rel_tol_for(self, column: str) -> float:
        return self.column_rel_tol.get(column, self.rel_tol)

    def candidate_name(self, column: str) -> str:
        return self.renames.get(column, column)
