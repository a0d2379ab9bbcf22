"""Gating above the noise floor (issue 15): which candidate differences are ``noise``.

With a baseline, production diffed against production again measured what differs when nothing
changed (``floor.py``). A candidate column whose differences stay within that column's
**envelope** is noise, not a regression:

- its changed-row share, its value->null and null->value shares, its largest absolute and
  relative differences are each at most ``noise_factor`` (default 2) times the floor's (a floor
  of 0 allows nothing: a column production reproduced exactly is judged as today);
- or the column is **volatile** (different in nearly every row of the baseline: a run timestamp,
  a UUID): reported as volatile whatever its changed-row share, as long as its value->null and
  null->value shares are within the floor's (a timestamp that went missing is a regression) and,
  for numbers, its largest differences are within the envelope (float noise in every row must
  not hide a real change of one row).

Rows only on one side are noise up to ``noise_factor`` times the baseline's own count on that side
(ties in a top-N). What a noise difference does is the ``noise`` setting: pass (a finding only),
or a reason of severity warn or fail (rule ``noise``). Everything beyond the envelope is left to
the policy's rules as if there were no floor. All comparisons are exact: integers and fractions.
"""

from __future__ import annotations

from fractions import Fraction

from ..model import ColumnDiff, ColumnFloor, DatasetFloor, Reason
from .config import Policy, exact, format_share
from .scope import Outcome, where

RULE = "noise"  # the rule a reason for noise names (with noise = "warn" or "fail")


def column_noise(c: ColumnDiff, f: ColumnFloor | None, policy: Policy) -> str | None:
    """Why the column's differences are noise ("volatile ...", "within the floor ..."), or None."""
    if f is None or not c.unequal:
        return None
    factor = exact(policy.noise_factor)
    nulls = ((c.value_to_null, f.value_to_null), (c.null_to_value, f.null_to_value))
    if any(not _within_share(n, c.compared, m, f.compared, factor) for n, m in nulls):
        return None  # a timestamp that went missing is not noise, volatile or not
    if not f.volatile and not _within_share(c.unequal, c.compared, f.unequal, f.compared, factor):
        return None
    # sizes bound a volatile column too: float noise in every row must not hide a real change
    for measured, floor in ((c.max_abs_diff, f.max_abs_diff), (c.max_rel_diff, f.max_rel_diff)):
        if measured and (floor is None or exact(measured) > factor * exact(floor)):
            return None
    if f.volatile:
        return (
            f"volatile (differed in {format_share(f.changed_share)} of rows between production "
            "and its baseline), not judged as a regression"
        )
    return (
        f"within the noise floor ({f.unequal:,} of {f.compared:,} rows differed between "
        "production and its baseline)"
    )


def rows_noise(count: int, floor_count: int, policy: Policy) -> bool:
    """Rows only on one side within ``noise_factor`` times the baseline's own count."""
    return count > 0 and count <= exact(policy.noise_factor) * floor_count


def _within_share(n: int, total: int, floor_n: int, floor_total: int, factor: Fraction) -> bool:
    """``n / total <= factor * floor_n / floor_total``, cross-multiplied (no division)."""
    if not n:
        return True
    if not total or not floor_total:
        return False
    return n * floor_total <= factor * floor_n * total


def noise(
    out: Outcome,
    policy: Policy,
    kind: str,
    message: str,
    dataset: str,
    column: str | None = None,
) -> None:
    """A difference within the floor: a ``noise`` finding; a reason too unless noise = pass."""
    out.classify(kind, "noise", message, dataset, column)
    if policy.noise != "pass":
        limit = f"noise = {policy.noise}"
        out.reasons.append(Reason(RULE, policy.noise, message, dataset, column, "noise", limit))


def no_floor(out: Outcome, dataset: str) -> None:
    """A dataset that differs but the baseline lacks: judged without a floor, and said so."""
    out.reasons.append(
        Reason(
            RULE,
            "warn",
            f"{where(dataset)}: no noise floor (the baseline has no dataset "
            f"'{dataset}'); its differences are judged by the policy alone",
            dataset,
            measured="no floor",
            limit="a floor",
        )
    )


def floor_of(floors: tuple[DatasetFloor, ...] | None, dataset: str) -> DatasetFloor | None:
    return None if floors is None else next((f for f in floors if f.name == dataset), None)
