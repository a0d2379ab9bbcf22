"""``--suggest-policy``: the noise floor written as a commented TOML policy, for review.

Learn once, then gate: a team runs with a baseline once, reviews the suggested limits, commits
them, and later runs need no baseline. The file has two parts:

- a ``[policy]`` table that ``--policy FILE`` reads. Per column: ``max_abs_diff`` and
  ``max_rel_diff`` for numeric noise (the floor's largest differences times ``noise_factor``;
  never a share limit, which would let a real change of as many rows pass unseen);
  ``max_changed_rows = "100%"`` for a volatile column; for other noise (strings, nulls, ties) the
  floor's changed-row share times ``noise_factor``, rounded up so the data it was learnt from is
  within it. Per dataset ``max_only_in_*``: the baseline's own count times ``noise_factor``;
- ``[datasets.NAME]`` tables for a shadow-run spec (``--policy`` ignores them; with ``compare``
  they are ``--abs-tol COL=N`` and ``--ignore-column COL``): the same numeric bounds as
  ``abs_tol`` (``rel_tol`` commented) and ``ignore_columns`` for volatile columns, to make the
  noise equal rather than tolerated.

Names from data are always quoted keys, never comment text, so no name can inject TOML.
"""

from __future__ import annotations

import json
import math
import re
from fractions import Fraction

from ..model import ColumnFloor, DatasetFloor
from .config import Policy, exact

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def suggest(floors: tuple[DatasetFloor, ...], policy: Policy) -> str:
    """The suggested policy file's text; it loads with ``policy_from_dict`` (tests check it)."""
    factor = exact(policy.noise_factor)
    lines = [
        "# dataops-diff: a policy suggested from the noise floor (production against its",
        "# baseline: production again, same code, same inputs). Review it before committing it.",
        f"# Every limit is what production differed from itself, times noise_factor ({factor}).",
        "# Use it without a baseline: dataops-diff compare PROD CAND --policy THIS_FILE",
        "",
        "[policy]",
    ]
    spec: list[str] = []
    for floor in floors:
        lines += _dataset_policy(floor, factor)
        spec += _dataset_spec(floor, factor)
    if not any(line.startswith("[policy.") for line in lines):
        lines.append("# production and its baseline agreed exactly: nothing to tolerate")
    if spec:
        lines += [
            "",
            "# Or, in a shadow-run spec (dataops-diff run), make the noise equal instead of",
            "# tolerated: it then no longer shows in reports. --policy ignores these tables; with",
            "# compare they are --abs-tol COL=N (or --rel-tol COL=N) and --ignore-column COL.",
            *spec,
        ]
    return "\n".join(lines) + "\n"


def _dataset_policy(floor: DatasetFloor, factor: Fraction) -> list[str]:
    out: list[str] = []
    table = f"policy.datasets.{_key(floor.name)}"
    sides = (("max_only_in_production", floor.only_in_production),
             ("max_only_in_candidate", floor.only_in_baseline))  # fmt: skip
    rows = [(key, n) for key, n in sides if n]
    if rows:
        out += ["", f"[{table}]"]
        out += [f"{key} = {math.ceil(factor * n)}  # {n:,} between production and its baseline"
                for key, n in rows]  # fmt: skip
    for c in floor.columns:
        if c.unequal:
            out += ["", f"[{table}.columns.{_key(c.name)}]", *_column_policy(c, factor)]
    return out


def _column_policy(c: ColumnFloor, factor: Fraction) -> list[str]:
    """Numeric noise: bounds on its magnitude (a share limit would let a real change of as many
    rows pass); volatile: any share; other noise (strings, nulls, ties): the floor's share."""
    seen = f"{c.unequal:,} of {c.compared:,} rows differed between production and its baseline"
    if _tolerable(c):
        bounds = [(k, v) for k, v in (("max_abs_diff", c.max_abs_diff),
                                      ("max_rel_diff", c.max_rel_diff)) if v]  # fmt: skip
        lines = [f"{k} = {float(factor * exact(v))!r}  # largest: {v:.3g}" for k, v in bounds]
        return [*lines, f"# {seen}"]
    share = (
        Fraction(1) if c.volatile else min(Fraction(1), factor * Fraction(c.unequal, c.compared))
    )
    why = "volatile" if c.volatile else "changed"
    return [f'max_changed_rows = "{_percent(share)}"  # {why}: {seen}']


def _tolerable(c: ColumnFloor) -> bool:
    """Numeric noise without nulls appearing or vanishing: a tolerance makes it equal, and a
    share limit would also let a real change of as many rows pass, so none is suggested."""
    return not c.volatile and bool(c.max_abs_diff) and not (c.null_to_value or c.value_to_null)


def _dataset_spec(floor: DatasetFloor, factor: Fraction) -> list[str]:
    abs_tol = _tolerances(floor.columns, factor, "max_abs_diff")
    rel_tol = _tolerances(floor.columns, factor, "max_rel_diff")  # an alternative: commented
    ignored = [_string(c.name) for c in floor.columns if c.volatile]
    if not (abs_tol or rel_tol or ignored):
        return []
    out = ["", f"[datasets.{_key(floor.name)}]"]
    if abs_tol:
        out.append(f"abs_tol = {{ {abs_tol} }}")
    if rel_tol:
        out.append(f"# rel_tol = {{ {rel_tol} }}  # or relative: either one covers the noise")
    if ignored:
        out.append(f"ignore_columns = [{', '.join(ignored)}]  # volatile")
    return out


def _tolerances(columns: tuple[ColumnFloor, ...], factor: Fraction, field: str) -> str:
    values = []
    for c in columns:
        value = getattr(c, field)
        if not _tolerable(c) or not value:
            continue
        values.append(f"{_key(c.name)} = {float(factor * exact(value))!r}")
    return ", ".join(values)


def _percent(share: Fraction) -> str:
    """A share as a percentage string rounded up to 4 decimals: the learnt data stays within."""
    pct = Fraction(math.ceil(share * 100 * 10**4), 10**4)
    text = f"{float(pct):.4f}".rstrip("0").rstrip(".")
    assert Fraction(text) >= share * 100
    return f"{text}%"


def _key(name: str) -> str:
    return name if _BARE.fullmatch(name) else _string(name)


def _string(text: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's (quotes, backslashes, control characters)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
