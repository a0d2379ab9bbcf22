"""The conformance cases of exact numbers (issue 12, item 6): numbers of two types compare
exactly, and a tolerance on integers and decimals holds exactly at its bound (one unit of the
last digit over fails). ``conformance.CASES`` includes them, so every engine runs them."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
from conformance import BIG, Case, spec, table


def _dec(*values: str, t: pa.DataType | None = None) -> pa.Array:
    return pa.array([Decimal(v) for v in values], t or pa.decimal128(10, 2))


def _ids(n: int) -> pa.Array:
    return pa.array(range(1, n + 1), pa.int64())


NUMERIC_CASES = [
    Case(
        "int64_vs_double_exact",
        "int64 vs double compare exactly: 2**53 + 1 is not 2.0**53, 5 is not 5.5",
        table(id=_ids(4), v=pa.array([BIG + 1, BIG, 5, -(2**62) - 1], pa.int64())),
        table(id=_ids(4), v=pa.array([float(BIG), float(BIG), 5.5, -float(2**62)])),
        spec("id"),
        {"columns.v.unequal": 3, "columns.v.sample_keys": ((1,), (3,), (4,))},
    ),
    Case(
        "decimal_vs_double_rounding",
        "decimal vs double: equal when each is the other correctly rounded",
        table(id=_ids(3), v=_dec("0.10", "0.30", "1.00")),
        table(id=_ids(3), v=pa.array([0.1, 0.1 + 0.2, 1.0])),
        spec("id"),
        {"columns.v.unequal": 1, "columns.v.sample_keys": ((2,),)},
    ),
    Case(
        "integer_widths_exact",
        "int32 vs int64 vs uint64 compare as exact integers",
        table(id=_ids(3), v=pa.array([BIG + 1, 3, 2**62 + 1], pa.uint64())),
        table(id=_ids(3), v=pa.array([BIG, 3, 2**62 + 1], pa.int64())),
        spec("id"),
        {"columns.v.unequal": 1, "columns.v.sample_keys": ((1,),)},
    ),
    Case(
        "decimal_scale_change",
        "decimals of two scales compare by value; the scale change is a type change",
        table(id=_ids(2), v=_dec("1.10", "2.00")),
        table(id=_ids(2), v=_dec("1.100", "2.001", t=pa.decimal128(10, 3))),
        spec("id"),
        {"columns.v.unequal": 1, "schema.type_changes": ("v",)},
    ),
    Case(
        "decimal_abs_tol_at_bound",
        "abs_tol on decimals is exact: 1.10 vs 1.00 within 0.1 like 100.10 vs 100.00",
        table(id=_ids(4), v=_dec("1.10", "100.10", "1.11", "-0.10")),
        table(id=_ids(4), v=_dec("1.00", "100.00", "1.00", "0.00")),
        spec("id", abs_tol=0.1),
        {"columns.v.unequal": 1, "columns.v.sample_keys": ((3,),)},
    ),
    Case(
        "decimal_rel_tol_at_bound",
        "rel_tol on decimals is exact: |110 - 99| = 0.1 * 110",
        table(id=_ids(3), v=_dec("100.00", "110.00", "100.00")),
        table(id=_ids(3), v=_dec("90.00", "99.00", "89.99")),
        spec("id", rel_tol=0.1),
        {"columns.v.unequal": 1, "columns.v.sample_keys": ((3,),)},
    ),
    Case(
        "integer_abs_tol_at_bound",
        "abs_tol on int64 is exact at any size",
        table(id=_ids(3), v=pa.array([BIG + 3, 10, 2**62 + 2], pa.int64())),
        table(id=_ids(3), v=pa.array([BIG, 7, 2**62 - 2], pa.int64())),
        spec("id", abs_tol=3.0),
        {"columns.v.unequal": 1, "columns.v.sample_keys": ((3,),)},
    ),
    Case(
        "integer_vs_decimal_tol_at_bound",
        "abs_tol between an integer and a decimal is exact",
        table(id=_ids(2), v=pa.array([10, 10], pa.int64())),
        table(id=_ids(2), v=_dec("10.50", "10.51")),
        spec("id", abs_tol=0.5),
        {"columns.v.unequal": 1, "columns.v.sample_keys": ((2,),)},
    ),
]

# Decimals wider than 38 digits (issue 12, item 4): both engines read them as their exact
# decimal text (``engines.wide_decimals``), so they compare at their declared precision and scale.
WIDE = pa.decimal256(50, 1)
DIGITS = "1234567890123456789012345678901234567890123456789"  # 49 digits: 50 with the scale

NUMERIC_CASES += [
    Case(
        "decimal256_exact",
        "decimal256 compares exactly: ...901.5 -> ...901.6 is a change, equal values are equal",
        table(id=_ids(4), v=_dec(DIGITS + ".5", "-" + DIGITS + ".9", "7.0", "1.0", t=WIDE)),
        table(id=_ids(4), v=_dec(DIGITS + ".6", "-" + DIGITS + ".9", "7.0", "1.1", t=WIDE)),
        spec("id"),
        {
            "columns.v.unequal": 2,
            "columns.v.sample_keys": ((1,), (4,)),
            "schema.type_changes": (),
            "rows_with_differences": 2,
        },
    ),
    Case(
        "decimal256_scale_change",
        "decimal256 of two scales: a type change; values compare by value (1.5 = 1.50)",
        table(id=_ids(3), v=_dec("1.5", "2.0", DIGITS + ".5", t=WIDE)),
        table(id=_ids(3), v=_dec("1.50", "2.01", DIGITS + ".50", t=pa.decimal256(52, 2))),
        spec("id"),
        {"columns.v.unequal": 1, "columns.v.sample_keys": ((2,),), "schema.type_changes": ("v",)},
    ),
    Case(
        "decimal256_global_tolerance_exact",
        "a global tolerance leaves decimal256 exact (a float column beside it is tolerant)",
        table(id=_ids(2), v=_dec("5.0", "6.0", t=WIDE), w=pa.array([1.0, 2.0])),
        table(id=_ids(2), v=_dec("5.1", "6.0", t=WIDE), w=pa.array([1.1, 2.0])),
        spec("id", abs_tol=0.5),
        {"columns.v.unequal": 1, "columns.w.unequal": 0},
    ),
]
