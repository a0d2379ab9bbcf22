"""The noise floor (issue 15): learn, from production diffed against itself, what "no change" is.

A baseline is production run (or written) a second time on the same inputs. Diffing production
against it, with the same engine and the same dataset specs as the real comparison, measures what
differs when nothing changed: float sums in another order, run timestamps, generated ids, ties in
a top-N. ``learn`` keeps that per dataset and column as a ``DatasetFloor`` (model/floor.py);
``policy/noise.py`` classifies candidate differences within it as ``noise``.

The volatile rule: a column is **volatile** when it differs in at least ``VOLATILE_SHARE`` (99%)
of the rows compared, over at least ``VOLATILE_MIN_ROWS`` (5) rows. Such a column (a run
timestamp, a UUID) carries no signal a comparison could use; the policy reports it as volatile,
never as a regression. The share is compared exactly (integers), like every limit.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from fractions import Fraction

from .datasets import is_single, is_uri
from .errors import DataopsDiffError, InputError, UsageError
from .model import ColumnDiff, ColumnFloor, DatasetDiff, DatasetFloor
from .pairing import Pair, pair, pair_outputs

VOLATILE_SHARE = Fraction(99, 100)  # differs in at least 99% of the rows compared ...
VOLATILE_MIN_ROWS = 5  # ... over at least this many rows (2 of 2 rows is no evidence)


def learn(diff: DatasetDiff) -> DatasetFloor:
    """The floor of one dataset from its production-vs-baseline diff (baseline = candidate side).

    A dataset only one of the two wrote has no matched rows: its floor is empty, and rows only on
    one side are not learnt from it (a whole dataset appearing is not noise).
    """
    if diff.status != "compared":
        return DatasetFloor(diff.name)
    return DatasetFloor(
        name=diff.name,
        matched_rows=diff.matched_rows,
        rows_with_differences=diff.rows_with_differences,
        only_in_production=diff.only_in_production,
        only_in_baseline=diff.only_in_candidate,
        columns=tuple(_column(c) for c in diff.columns),
    )


def _column(c: ColumnDiff) -> ColumnFloor:
    return ColumnFloor(
        name=c.name,
        compared=c.compared,
        unequal=c.unequal,
        null_to_value=c.null_to_value,
        value_to_null=c.value_to_null,
        max_abs_diff=c.max_abs_diff if c.unequal else None,
        max_rel_diff=c.max_rel_diff if c.unequal else None,
        volatile=is_volatile(c.unequal, c.compared),
    )


def is_volatile(unequal: int, compared: int) -> bool:
    """Different in nearly every row: ``unequal >= 99% of compared``, over at least 5 rows."""
    return compared >= VOLATILE_MIN_ROWS and unequal >= VOLATILE_SHARE * compared


def is_empty(floor: DatasetFloor) -> bool:
    """Whether production and its baseline agreed completely (a deterministic pipeline)."""
    return not (
        floor.rows_with_differences
        or floor.only_in_production
        or floor.only_in_baseline
        or any(c.unequal or c.volatile for c in floor.columns)
    )


def pair_baseline(
    production: str,
    baseline: str,
    fmt: str | None = None,
    uris: bool = False,
    tables: Sequence[str] = (),
    schemas: Sequence[str] = (),
) -> list[Pair]:
    """``compare --baseline``: production paired with the baseline by THE pairing (the baseline
    plays the candidate side), only the datasets both have: a dataset the baseline lacks has no
    floor. Errors name the baseline, not "the candidate".
    """
    if is_uri(production) or is_uri(baseline):
        pairs = pair(production, baseline, fmt, uris, tables, schemas)
    else:
        if not os.path.exists(baseline):
            raise InputError(f"baseline path '{baseline}' does not exist; check the path")
        if os.path.exists(production) and is_single(production) != is_single(baseline):
            one, other = ("production", "the baseline") if is_single(production) else (
                "the baseline", "production")  # fmt: skip
            raise UsageError(
                f"{one} is a single dataset but {other} is a folder of datasets ('{baseline}'); "
                "pass a baseline of the same shape as production (production written again)"
            )
        pairs = pair_outputs(production, baseline, fmt=fmt)
        if tables or schemas:
            from . import dbfiles

            pairs = dbfiles.only(pairs, tables, schemas)
        if not any(b for _, _, b in pairs):
            raise InputError(f"baseline '{baseline}' holds no datasets; check the path")
    return [(n, p, b) for n, p, b in pairs if p is not None and b is not None]


# How the readers and the plan name the side they read: "candidate dataset 'x'", "the candidate
# version of dataset 'orders'", "candidate file", ... In the floor's diff that side is the baseline.
_CANDIDATE_SIDE = re.compile(
    r"\bcandidate(?= (?:dataset|file|path|database|version|folder|URI|side|input)\b)"
)


def as_baseline(exc: DataopsDiffError) -> None:
    """An error from the floor's diff, worded for the baseline, which played the candidate side
    there: the user passed no candidate in that diff, and a message naming one would mislead."""
    exc.parts = tuple(
        _CANDIDATE_SIDE.sub("baseline", p) if isinstance(p, str) else p for p in exc.parts
    )
    exc.args = (exc.message,)
