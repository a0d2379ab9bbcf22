"""What differs between the SQL of two engines, and nothing else: quoting, type names, literals,
null-safe equality, joins that keep or drop rows, structs. The passes (``compare``, ``profile``)
are written once over a ``Dialect``; an engine picks ``DUCKDB`` or ``SPARK``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# The whitespace characters themselves, not escapes: the meaning never depends on settings.
WHITESPACE = "' \t\n\r\x0b\x0c'"


@dataclass(frozen=True)
class Dialect:
    name: str
    quote_char: str  # identifiers: '"' (DuckDB) or '`' (Spark)
    text_type: str  # VARCHAR / STRING
    exact_integer: str  # a type holding the difference of two int64 exactly
    null_safe_equal: str  # IS NOT DISTINCT FROM / <=>
    anti_join: str  # the join keeping left rows without a match
    semi_join: str  # the join keeping left rows with a match
    trim_form: str  # ``{x}`` and ``{chars}`` filled in
    finite_form: str  # ``{x}`` filled in: NULL for NULL, false for NaN and ±inf
    struct_form: str  # ``{fields}`` filled in; each field through ``field_form``
    field_form: str  # ``{name}`` and ``{value}`` filled in
    zone_suffix: str  # appended to a zoned timestamp's text, so samples read alike everywhere
    rtrim_form: str = "rtrim({x}, '{chars}')"  # ``{x}`` and one character ``{chars}`` filled in

    def q(self, name: str) -> str:
        """An identifier quoted exactly once, whatever it contains."""
        c = self.quote_char
        return c + name.replace(c, c + c) + c

    def same(self, a: str, b: str) -> str:
        """``a`` equals ``b``, nulls included: never NULL itself."""
        return f"{a} {self.null_safe_equal} {b}"

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS {self.text_type})"

    def trim(self, expr: str) -> str:
        return self.trim_form.format(x=expr, chars=WHITESPACE)

    def rtrim(self, expr: str, char: str) -> str:
        """``expr`` without the trailing ``char`` (one plain character, never a quote)."""
        return self.rtrim_form.format(x=expr, chars=char)

    def finite(self, expr: str) -> str:
        return self.finite_form.format(x=expr)

    def double(self, value: float) -> str:
        """A DOUBLE literal that reads back as exactly ``value``: a quoted ``repr`` cast, so that
        no float (``inf``, ``nan``, ``1e-06``) can ever read as an identifier or an expression."""
        f = float(value)
        if math.isnan(f):
            text = "NaN"
        elif math.isinf(f):
            text = "Infinity" if f > 0 else "-Infinity"
        else:
            text = repr(f)
        return f"CAST('{text}' AS DOUBLE)"

    def count_if(self, condition: str) -> str:
        """The rows where ``condition`` holds, 0 over no rows (NULL counts as false).
        ``count_if`` rather than ``count(*) FILTER``: DuckDB slices every input for each filtered
        aggregate, which made the value pass twice as slow when most rows differ."""
        return f"coalesce(count_if({condition}), 0)"

    def struct(self, fields: dict[str, str]) -> str:
        inner = ", ".join(self.field_form.format(name=n, value=v) for n, v in fields.items())
        return self.struct_form.format(fields=inner)

    def exact_difference(self, p: str, c: str) -> str:
        """|p - c| of two integers as DOUBLE: subtracted exactly, rounded once (int64 values
        never compare through float64, so 2**53 + 1 and 2**53 differ by 1, not 0)."""
        t = self.exact_integer
        return f"CAST(abs(CAST({p} AS {t}) - CAST({c} AS {t})) AS DOUBLE)"


DUCKDB = Dialect(
    name="duckdb",
    quote_char='"',
    text_type="VARCHAR",
    exact_integer="HUGEINT",
    null_safe_equal="IS NOT DISTINCT FROM",
    anti_join="ANTI JOIN",
    semi_join="SEMI JOIN",
    trim_form="trim({x}, {chars})",
    finite_form="isfinite({x})",
    struct_form="struct_pack({fields})",
    field_form="{name} := {value}",
    zone_suffix="",  # DuckDB writes the zone itself
)

SPARK = Dialect(
    name="spark",
    quote_char="`",
    text_type="STRING",
    exact_integer="DECIMAL(20, 0)",
    null_safe_equal="<=>",
    anti_join="LEFT ANTI JOIN",
    semi_join="LEFT SEMI JOIN",
    trim_form="trim(BOTH {chars} FROM {x})",
    finite_form="(NOT isnan({x}) AND abs({x}) < CAST('Infinity' AS DOUBLE))",
    struct_form="named_struct({fields})",
    field_form="'{name}', {value}",
    zone_suffix="+00",  # the session time zone is UTC
    rtrim_form="trim(TRAILING '{chars}' FROM {x})",
)
