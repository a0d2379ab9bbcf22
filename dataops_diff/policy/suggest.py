"""``--suggest-policy``: the noise floor written as a commented TOML policy, for review.

Learn once, then gate: a team runs with a baseline once, reviews the suggested limits, commits
them, and later runs need no baseline. The file has two parts:

- a ``[policy]`` table that ``--policy FILE`` reads: ``max_changed_rows`` per column whose noise
  no tolerance can absorb (strings, nulls, ties: the floor's changed-row share times
  ``noise_factor``, rounded up so the data it was learnt from is within it; ``"100%"`` for a
  volatile column), and per dataset ``max_only_in_*``, the baseline's own count of rows only on
  one side times ``noise_factor``;
- ``[datasets.NAME]`` tables for a shadow-run spec (``--policy`` ignores them; with ``compare``
  they are the flags ``--abs-tol COL=N`` and ``--ignore-column COL``): ``abs_tol`` per numeric
  column from the floor's largest difference times ``noise_factor`` (``rel_tol`` as a commented
  alternative), and ``ignore_columns`` for volatile columns. Numeric noise gets a tolerance, never
  a share limit: a share limit would let a real change of as many rows pass unseen.

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
        "# Use it without a baseline: dataops-diff compare PROD CAND --policy THIS_FILE, with",
        "# the tolerances and ignores of the [datasets] tables at the end as flags:",
        f"#   {_flags(floors, factor)}",
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
            "# For a shadow-run spec (dataops-diff run): tolerances that make the numeric noise",
            "# equal; --policy reads only [policy] above. With compare, pass them as flags:",
            "# --abs-tol COL=N (or --rel-tol COL=N) and --ignore-column COL.",
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
        if not c.unequal or _tolerable(c):
            continue
        share = (
            Fraction(1)
            if c.volatile
            else min(Fraction(1), factor * Fraction(c.unequal, c.compared))
        )
        why = "volatile" if c.volatile else "changed"
        out += ["", f"[{table}.columns.{_key(c.name)}]",
                f'max_changed_rows = "{_percent(share)}"  # {why}: {c.unequal:,} of '
                f"{c.compared:,} rows differed between production and its baseline"]  # fmt: skip
    return out


def _flags(floors: tuple[DatasetFloor, ...], factor: Fraction) -> str:
    """The compare flags of the [datasets] tables (one tolerance per column name, the largest)."""
    tolerances: dict[str, float] = {}
    ignored: set[str] = set()
    for c in (c for f in floors for c in f.columns):
        if not _BARE.fullmatch(c.name):  # a name from data never goes into a comment
            return "(see the [datasets] tables: a column name there needs quoting)"
        if c.volatile:
            ignored.add(c.name)
        elif _tolerable(c) and c.max_abs_diff:
            value = float(factor * exact(c.max_abs_diff))
            tolerances[c.name] = max(value, tolerances.get(c.name, 0.0))
    flags = [f"--abs-tol {n}={v!r}" for n, v in sorted(tolerances.items())]
    flags += [f"--ignore-column {n}" for n in sorted(ignored)]
    return " ".join(flags) or "(none)"


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
