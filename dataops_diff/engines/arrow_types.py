"""The type vocabulary every engine reports its schema in: Arrow type strings
(``str(pyarrow.DataType)``), what they mean for comparing (``category``, ``same_type``), the
encodings that hold the same values (``normalize_type``), and how a text file wrote them
(``written``). ``plan`` decides from these what gets compared and how.
"""

from __future__ import annotations

import re
from typing import Literal

Category = Literal["integer", "float", "decimal", "string", "bool", "temporal", "binary", "other"]
NUMERIC: frozenset[Category] = frozenset({"integer", "float", "decimal"})
# The widest decimal the engines compute with (DuckDB and Spark: 38 digits). Wider ones
# (Parquet's decimal256) are read as canonical decimal text and compare exactly as text.
MAX_DECIMAL_DIGITS = 38
_DECIMAL = re.compile(r"^decimal(?:128|256)?\((\d+),\s*(-?\d+)\)$")

_DICTIONARY = re.compile(r"^dictionary<values=(.+), indices=\w+, ordered=\d>$")
_SAME_VALUES = [
    (re.compile(r"\blarge_(string|binary|list)\b"), r"\1"),
    (re.compile(r"\b(string|binary)_view\b"), r"\1"),
    (re.compile(r"\butf8\b"), "string"),
    (re.compile(r"\blist_view\b"), "list"),
]


def normalize_type(arrow_type: str) -> str:
    """The logical type: encodings that hold the same values (large_, _view, dictionary) dropped."""
    t = arrow_type.strip()
    m = _DICTIONARY.match(t)
    if m:
        t = m.group(1)
    for pattern, repl in _SAME_VALUES:
        t = pattern.sub(repl, t)
    return t


_WRITTEN = " (written "


def written(arrow_type: str, form: str) -> str:
    """A text-format column's type with how its values are written, where that is not the
    plain form (``engines.written_forms``): ``bool (written T | F)``."""
    return f"{arrow_type}{_WRITTEN}{form})"


def split_written(arrow_type: str) -> tuple[str, str]:
    """``bool (written T | F)`` -> (``bool``, ``T | F``); a plain type -> (type, "")."""
    t, mark, form = arrow_type.partition(_WRITTEN)
    return (t, form[:-1]) if mark else (arrow_type, "")


def category(arrow_type: str) -> Category:
    t = normalize_type(split_written(arrow_type)[0])
    if re.match(r"^u?int\d+$", t):
        return "integer"
    if t in ("float", "double", "halffloat") or re.match(r"^float\d+$", t):
        return "float"
    if t.startswith("decimal"):
        return "decimal"
    if t == "string":
        return "string"
    if t == "bool":
        return "bool"
    if t.startswith(("timestamp", "date", "time", "duration")):
        return "temporal"
    if t.startswith(("binary", "fixed_size_binary")):
        return "binary"
    return "other"


def decimal_digits(arrow_type: str) -> tuple[int, int] | None:
    """A decimal type's precision and scale (``decimal256(50, 1)`` -> (50, 1)), else None."""
    m = _DECIMAL.match(normalize_type(arrow_type))
    return (int(m[1]), int(m[2])) if m else None


def wide_decimal(arrow_type: str) -> bool:
    """A decimal wider than the engines compute with: compared exactly, without tolerance."""
    digits = decimal_digits(arrow_type)
    return digits is not None and digits[0] > MAX_DECIMAL_DIGITS


def base_type(arrow_type: str) -> str:
    """``timestamp[us, tz=UTC]`` -> ``timestamp``; ``list<item: int64>`` -> ``list``."""
    return re.split(r"[\[<(]", normalize_type(split_written(arrow_type)[0]), maxsplit=1)[0]


def same_type(production: str, candidate: str, inferred: bool = False) -> bool:
    """Whether two types hold the same logical values.

    ``inferred``: a side was read from a text format (CSV, JSON) whose types are guessed per file
    from the values, so a column of whole numbers on one side and decimals on the other is not a
    schema change (the values still compare by value), and an all-null column has no type.
    """
    (p, p_form), (c, c_form) = split_written(production), split_written(candidate)
    if p_form != c_form:  # the same values, written another way: a change for a consumer
        return False
    p, c = normalize_type(p), normalize_type(c)
    if p == c:
        return True
    if inferred:
        return "null" in (p, c) or (category(p) in NUMERIC and category(c) in NUMERIC)
    return False
