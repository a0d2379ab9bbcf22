"""Numbers compared exactly: two numeric types against each other, and tolerances on integers
and decimals in decimal arithmetic. Pure string building over a ``Dialect``.

Why: an engine compares ``int64`` with ``double`` by converting the integer to float64, so
``2**53 + 1`` equals ``2**53``; and ``1.10 - 1.00`` in float64 is ``0.10000000000000009``, so
a tolerance of ``0.1`` that holds for ``100.10 - 100.00`` fails there. docs/semantics.md,
"Tolerances" and "Types", states the rules written here.
"""

from __future__ import annotations

import math
from decimal import Decimal

from ..arrow_types import MAX_DECIMAL_DIGITS, decimal_digits, normalize_type
from ..plan import ColumnPair
from .dialect import Dialect

_EXACT = frozenset({"integer", "decimal"})


def _exact_type(d: Dialect, arrow_type: str, category: str) -> str | None:
    """The SQL type that holds a column's values exactly: integers as the dialect's exact
    integer, decimals at their declared precision and scale; None for floats and for
    decimals wider than the engines compute with (those are read as canonical text)."""
    if category == "integer":
        return d.exact_integer
    digits = decimal_digits(arrow_type)
    if digits is None or digits[0] > MAX_DECIMAL_DIGITS:
        return None
    return f"DECIMAL({digits[0]}, {digits[1]})"


def _float_type(arrow_type: str) -> str:
    return "FLOAT" if arrow_type.strip() == "float" else "DOUBLE"


def _wide(pair: ColumnPair) -> bool:
    return any(
        (dd := decimal_digits(t)) is not None and dd[0] > MAX_DECIMAL_DIGITS
        for t in (pair.production_type, pair.candidate_type)
    )


def canonical_text(d: Dialect, expr: str, category: str) -> str:
    """A number as canonical decimal text (no trailing zeros after the point, no bare point):
    how a decimal wider than 38 digits is read, so any exact number compares with it as text."""
    text = d.text(expr)
    if category in ("decimal", "float"):
        trimmed = d.rtrim(d.rtrim(text, "0"), ".")
        text = f"(CASE WHEN {text} LIKE '%.%' THEN {trimmed} ELSE {text} END)"
    return text


def same_value(d: Dialect, p: str, c: str, pair: ColumnPair) -> str:
    """``p`` equals ``c`` as numbers, exactly; never NULL. Both null is equal, one null is not.

    - two integer types: both as the exact integer type;
    - integers and decimals: the engines' own decimal comparison, which is exact;
    - an integer or decimal ``x`` against a float ``f``: equal when each is the other correctly
      rounded: ``f`` is the float nearest to ``x`` (read from ``x``'s decimal text) and ``x`` is
      ``f`` rounded to ``x``'s type. So ``2**53 + 1`` is not ``2.0**53``, and ``0.1`` (decimal)
      is ``0.1`` (double);
    - a decimal wider than 38 digits (read as canonical text): by canonical text.
    """
    if not pair.numeric or normalize_type(pair.production_type) == normalize_type(
        pair.candidate_type
    ):
        return d.same(p, c)
    pcat, ccat = pair.production_category, pair.candidate_category
    if _wide(pair):
        return d.same(canonical_text(d, p, pcat), canonical_text(d, c, ccat))
    if pcat == ccat == "integer":
        t = d.exact_integer
        return d.same(f"CAST({p} AS {t})", f"CAST({c} AS {t})")
    if (pcat in _EXACT) == (ccat in _EXACT):  # exact vs exact, or float vs float
        return d.same(p, c)
    x, f = (p, c) if pcat in _EXACT else (c, p)
    xtype, xcat = (pair.production_type, pcat) if pcat in _EXACT else (pair.candidate_type, ccat)
    ftype = pair.candidate_type if pcat in _EXACT else pair.production_type
    exact_type = _exact_type(d, xtype, xcat)
    nearest = f"CAST({d.text(x)} AS {_float_type(ftype)}) = {f}"
    rounded = f"TRY_CAST({f} AS {exact_type}) = {x}"
    both = f"coalesce({nearest} AND {rounded}, false)"
    return f"(({p} IS NULL AND {c} IS NULL) OR {both})"


def decimal_literal(value: float) -> str | None:
    """A tolerance as an exact decimal literal: the shortest decimal that reads back as the
    float given (``0.1`` is 0.1, not 0.1000000000000000055...); None when it has more digits
    than a decimal holds."""
    if not math.isfinite(value):
        return None
    text = format(Decimal(repr(float(value))), "f")
    whole, _, frac = text.lstrip("-").partition(".")
    frac = frac.rstrip("0")
    digits = len(whole.lstrip("0")) + len(frac)
    precision, scale = max(digits, len(frac), 1), len(frac)
    if precision > MAX_DECIMAL_DIGITS:
        return None
    number = whole + ("." + frac if frac else "")
    return f"CAST('{number}' AS DECIMAL({precision}, {scale}))"


def within_decimal(d: Dialect, p: str, c: str, pair: ColumnPair) -> str | None:
    """``|p - c| <= abs_tol + rel_tol * max(|p|, |c|)`` in decimal arithmetic when both sides
    are integers or decimals (so a difference exactly at the tolerance is within it); None when
    a side is a float (the tolerance then applies to the float values) or a tolerance does not
    fit a decimal."""
    types = []
    for arrow_type, cat in (
        (pair.production_type, pair.production_category),
        (pair.candidate_type, pair.candidate_category),
    ):
        if cat not in _EXACT:
            return None
        exact_type = _exact_type(d, arrow_type, cat)
        if exact_type is None:
            return None
        types.append("DECIMAL(20, 0)" if cat == "integer" else exact_type)
    abs_lit, rel_lit = decimal_literal(pair.abs_tol), decimal_literal(pair.rel_tol)
    if abs_lit is None or rel_lit is None:
        return None
    pe, ce = f"CAST({p} AS {types[0]})", f"CAST({c} AS {types[1]})"
    bound = abs_lit
    if pair.rel_tol:
        bound = f"{abs_lit} + {rel_lit} * greatest(abs({pe}), abs({ce}))"
    return f"abs({pe} - {ce}) <= {bound}"
