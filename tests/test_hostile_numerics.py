"""Hostile inputs on numbers and written forms (issue 12, items 4, 5 and 6).

Each class was a wrong answer that passed: int64 against double compared through float64; a
decimal tolerance failing exactly at its bound; decimal256 read as double; and CSV values
written another way (date format, boolean spelling, timestamp separator, exponent, quoted
empty) read as the same values. Every case asserts the verdict (exit code), the counts, and
that no input changed. The Spark variants of the value rules are in tests/conformance.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hostile import assert_error, invoke, snapshot

BIG = 2**53
WIDE = pa.decimal256(50, 1)
DIGITS = "1234567890123456789012345678901234567890123456789"  # 49 digits: 50 with the scale


def _parquet(folder: Path, name: str, **columns: pa.Array) -> Path:
    path = folder / f"{name}.parquet"
    pq.write_table(pa.table(columns), path)
    return path


def _csv(folder: Path, name: str, text: str) -> Path:
    path = folder / f"{name}.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _compare(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, p: Path, c: Path, *flags: str
) -> tuple[int, dict[str, Any]]:
    """Run ``compare`` with a JSON report; the exit code and the one dataset's entry. The
    inputs' bytes are unchanged."""
    before = snapshot(p, c)
    report = tmp_path / f"report-{len(list(tmp_path.glob('report-*')))}.json"
    out = invoke(capsys, "compare", p, c, "--key", "id", "--json", report, *flags)
    assert out.stderr == "", out.stderr
    assert snapshot(p, c) == before
    (dataset,) = json.loads(report.read_text(encoding="utf-8"))["datasets"]
    return out.code, dataset


def _column(dataset: dict[str, Any], name: str = "v") -> dict[str, Any]:
    (col,) = [c for c in dataset["columns"] if c["name"] == name]
    return dict(col)


def _type_changes(dataset: dict[str, Any]) -> list[tuple[str, str]]:
    changes = dataset["schema"]["type_changes"]
    return [(t["production_type"], t["candidate_type"]) for t in changes]


def _dec(values: Sequence[str | None], t: pa.DataType | None = None) -> pa.Array:
    decimal = t if t is not None else pa.decimal128(10, 2)
    return pa.array([None if v is None else Decimal(v) for v in values], decimal)


# ---------------------------------------------------------------- mixed numeric types, exactly
@pytest.mark.parametrize(
    ("production", "candidate", "unequal"),
    [
        ([BIG + 1, BIG, 3], [float(BIG), float(BIG), 3.0], 1),  # 2**53 + 1 is not 2.0**53
        ([2**62 + 1, -(2**62) - 1, 0], [float(2**62), -float(2**62), -0.0], 2),
        ([5, 7, None], [5.5, 7.0, None], 1),  # a fraction is never an integer
        ([2**63 - 1, 1, 2], [float(2**63), 1.0, 2.0], 1),  # 2.0**63 is out of int64's range
    ],
)
def test_int64_against_double_compares_exactly(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    production: list[int | None],
    candidate: list[float | None],
    unequal: int,
) -> None:
    ids = pa.array(range(len(production)))
    p = _parquet(tmp_path, "p", id=ids, v=pa.array(production, pa.int64()))
    c = _parquet(tmp_path, "c", id=ids, v=pa.array(candidate, pa.float64()))
    code, dataset = _compare(capsys, tmp_path, p, c, "--allow-type-changes")
    assert _column(dataset)["unequal"] == unequal
    assert code == 1
    assert _type_changes(dataset) == [("int64", "double")]


def test_int64_against_double_in_csv_counts_both_changed_rows(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    p = _csv(tmp_path, "p", f"id,v\n1,{BIG + 1}\n2,{BIG + 3}\n3,7\n")
    c = _csv(tmp_path, "c", f"id,v\n1,{BIG}.0\n2,{BIG + 4}.0\n3,7.0\n")
    code, dataset = _compare(capsys, tmp_path, p, c)
    assert (code, _column(dataset)["unequal"]) == (1, 2)


@pytest.mark.parametrize(
    ("decimals", "floats", "unequal"),
    [
        (["0.10", "0.30", "1.00"], [0.1, 0.1 + 0.2, 1.0], 1),  # 0.1 + 0.2 is not 0.3
        (["2.50", "-2.50", None], [2.5, -2.5, None], 0),
        (["0.01", "99999999.99", "3.00"], [0.010000000000000002, 99999999.99, 3.0000001], 2),
    ],
)
def test_decimal_against_double_each_the_others_rounding(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    decimals: list[str],
    floats: list[float],
    unequal: int,
) -> None:
    ids = pa.array(range(len(decimals)))
    p = _parquet(tmp_path, "p", id=ids, v=_dec(decimals))
    c = _parquet(tmp_path, "c", id=ids, v=pa.array(floats, pa.float64()))
    code, dataset = _compare(capsys, tmp_path, p, c, "--allow-type-changes")
    assert _column(dataset)["unequal"] == unequal
    assert code == (1 if unequal else 0)


def test_decimal_scale_change_is_a_type_change_values_exact(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    p = _parquet(tmp_path, "p", id=pa.array([1, 2, 3]), v=_dec(["1.10", "2.00", "3.00"]))
    c = _parquet(
        tmp_path,
        "c",
        id=pa.array([1, 2, 3]),
        v=_dec(["1.100", "2.001", "3.000"], pa.decimal128(10, 3)),
    )
    code, dataset = _compare(capsys, tmp_path, p, c)
    assert code == 1
    assert _type_changes(dataset) == [("decimal128(10, 2)", "decimal128(10, 3)")]
    assert _column(dataset)["unequal"] == 1


# ------------------------------------------------------------------- tolerance at its bound
@pytest.mark.parametrize(
    ("production", "candidate", "tolerance", "unequal"),
    [
        (["1.10", "100.10", "0.00"], ["1.00", "100.00", "-0.10"], "0.1", 0),  # at the bound
        (["1.11", "100.11", "0.00"], ["1.00", "100.00", "-0.11"], "0.1", 3),  # 0.01 over
        (["0.30", "0.29", "0.31"], ["0.00", "0.00", "0.00"], "0.3", 1),
        (["1.01", "1.02", "5.00"], ["1.00", "1.00", "5.00"], "0.01", 1),
    ],
)
def test_decimal_tolerance_is_inclusive_exactly(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    production: list[str],
    candidate: list[str],
    tolerance: str,
    unequal: int,
) -> None:
    ids = pa.array(range(len(production)))
    p = _parquet(tmp_path, "p", id=ids, v=_dec(production))
    c = _parquet(tmp_path, "c", id=ids, v=_dec(candidate))
    code, dataset = _compare(capsys, tmp_path, p, c, "--abs-tol", tolerance)
    assert _column(dataset)["unequal"] == unequal
    assert code == (1 if unequal else 0)


def test_relative_tolerance_on_decimals_is_inclusive(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """|110 - 100| = 10 = 0.1 * 100 would be 10.000000000000002 in float64 on one side."""
    ids = pa.array([1, 2, 3])
    p = _parquet(tmp_path, "p", id=ids, v=_dec(["100.00", "110.00", "100.00"]))
    c = _parquet(tmp_path, "c", id=ids, v=_dec(["90.00", "99.00", "89.99"]))
    code, dataset = _compare(capsys, tmp_path, p, c, "--rel-tol", "0.1")
    assert (code, _column(dataset)["unequal"]) == (1, 1)


def test_integer_tolerance_at_the_bound_at_any_size(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ids = pa.array([1, 2, 3])
    p = _parquet(tmp_path, "p", id=ids, v=pa.array([BIG + 3, 10, 2**62 + 2], pa.int64()))
    c = _parquet(tmp_path, "c", id=ids, v=pa.array([BIG, 7, 2**62 - 2], pa.int64()))
    code, dataset = _compare(capsys, tmp_path, p, c, "--abs-tol", "3")
    assert (code, _column(dataset)["unequal"]) == (1, 1)  # only 2**62 + 2 vs 2**62 - 2 (4)


def test_integer_against_decimal_tolerance_exact(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ids = pa.array([1, 2])
    p = _parquet(tmp_path, "p", id=ids, v=pa.array([10, 10], pa.int64()))
    c = _parquet(tmp_path, "c", id=ids, v=_dec(["10.50", "10.51"]))
    code, dataset = _compare(capsys, tmp_path, p, c, "--abs-tol", "0.5", "--allow-type-changes")
    assert (code, _column(dataset)["unequal"]) == (1, 1)


def test_double_tolerance_applies_to_the_double_values(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Documented: 1.1 - 1.0 is 0.10000000000000009 in float64, over 0.1; 0.5 - 0.25 is exact."""
    ids = pa.array([1, 2])
    p = _parquet(tmp_path, "p", id=ids, v=pa.array([1.1, 0.5]))
    c = _parquet(tmp_path, "c", id=ids, v=pa.array([1.0, 0.25]))
    _, dataset = _compare(capsys, tmp_path, p, c, "--abs-tol", "0.25")
    assert _column(dataset)["unequal"] == 0
    _, dataset = _compare(capsys, tmp_path, p, c, "--abs-tol", "0.1")
    assert _column(dataset)["unequal"] == 2


# ---------------------------------------------------------------------------- decimal256
@pytest.mark.parametrize(
    ("production", "candidate", "unequal"),
    [
        ([DIGITS + ".5", "1.0", None], [DIGITS + ".6", "1.0", None], 1),
        (["-" + DIGITS + ".9", "0.0", "2.0"], ["-" + DIGITS + ".8", "0.0", None], 2),
        ([DIGITS + ".5", "7.0", "8.0"], [DIGITS + ".5", "7.0", "8.0"], 0),
    ],
)
def test_decimal256_compares_at_its_declared_precision(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    production: list[str],
    candidate: list[str],
    unequal: int,
) -> None:
    ids = pa.array(range(len(production)))
    p = _parquet(tmp_path, "p", id=ids, v=_dec(production, WIDE))
    c = _parquet(tmp_path, "c", id=ids, v=_dec(candidate, WIDE))
    code, dataset = _compare(capsys, tmp_path, p, c)
    assert _column(dataset)["unequal"] == unequal
    assert code == (1 if unequal else 0)
    assert _type_changes(dataset) == []
    if unequal:
        sample = _column(dataset)["samples"][0]
        assert sample["production"] == production[0]
        assert sample["candidate"] == candidate[0]


@pytest.mark.parametrize(
    ("other", "other_type", "unequal"),
    [
        (["1.50", "2.00", "3.01"], pa.decimal256(52, 2), 1),  # scale 2: a type change, 1.5 = 1.50
        (["1.5", "2.0", "3.0"], pa.decimal128(10, 1), 0),
    ],
)
def test_decimal256_against_other_decimals_by_value(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    other: list[str],
    other_type: pa.DataType,
    unequal: int,
) -> None:
    ids = pa.array([1, 2, 3])
    p = _parquet(tmp_path, "p", id=ids, v=_dec(["1.5", "2.0", "3.0"], WIDE))
    c = _parquet(tmp_path, "c", id=ids, v=_dec(other, other_type))
    code, dataset = _compare(capsys, tmp_path, p, c, "--allow-type-changes")
    assert _column(dataset)["unequal"] == unequal
    assert _type_changes(dataset) == [("decimal256(50, 1)", str(other_type))]
    assert code == (1 if unequal else 0)


def test_decimal256_against_int64(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    ids = pa.array([1, 2])
    p = _parquet(tmp_path, "p", id=ids, v=_dec(["5.0", "6.5"], WIDE))
    c = _parquet(tmp_path, "c", id=ids, v=pa.array([5, 6], pa.int64()))
    _, dataset = _compare(capsys, tmp_path, p, c, "--allow-type-changes")
    assert _column(dataset)["unequal"] == 1


def test_tolerance_on_decimal256_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ids = pa.array([1])
    p = _parquet(tmp_path, "p", id=ids, v=_dec(["5.0"], WIDE))
    c = _parquet(tmp_path, "c", id=ids, v=_dec(["5.1"], WIDE))
    before = snapshot(p, c)
    out = invoke(capsys, "compare", p, c, "--key", "id", "--abs-tol", "v=0.5")
    assert_error(out, 2, "--abs-tol v=0.5", "'v'", "wider than 38 digits", "drop the tolerance")
    assert snapshot(p, c) == before


def test_global_tolerance_leaves_decimal256_exact(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ids = pa.array([1, 2])
    p = _parquet(tmp_path, "p", id=ids, v=_dec(["5.0", "6.0"], WIDE), w=pa.array([1.0, 2.0]))
    c = _parquet(tmp_path, "c", id=ids, v=_dec(["5.1", "6.0"], WIDE), w=pa.array([1.1, 2.0]))
    code, dataset = _compare(capsys, tmp_path, p, c, "--abs-tol", "0.5")
    assert (code, _column(dataset)["unequal"], _column(dataset, "w")["unequal"]) == (1, 1, 0)


# ------------------------------------------------------------------ CSV: how values are written
WRITTEN = {
    "date_day_month_swapped": ("d\n13/01/2024\n25/12/2023", "d\n01/13/2024\n12/25/2023"),
    "date_to_iso": ("d\n13/01/2024\n25/12/2023", "d\n2024-01-13\n2023-12-25"),
    "date_from_iso": ("d\n2024-01-13\n2023-12-25", "d\n13/01/2024\n25/12/2023"),
    "bool_spelling": ("d\ntrue\nfalse", "d\nT\nF"),
    "bool_case": ("d\ntrue\nfalse", "d\nTRUE\nFALSE"),
    "timestamp_separator": (
        "d\n2024-01-01 10:00:00\n2024-01-02 11:30:00",
        "d\n2024-01-01T10:00:00\n2024-01-02T11:30:00",
    ),
    "number_exponent": ("d\n1000\n5", "d\n1e3\n5"),
    "number_leading_zero": ("d\n7\n12", "d\n007\n012"),
    "quoted_empty_to_empty": ('d\n""\nx', "d\n\nx"),
}


@pytest.mark.parametrize("case", sorted(WRITTEN))
def test_csv_written_form_change_never_passes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, case: str
) -> None:
    production, candidate = WRITTEN[case]

    def with_ids(text: str) -> str:
        header, *rows = text.split("\n")
        return "\n".join([f"id,{header}", *(f"{i},{r}" for i, r in enumerate(rows))]) + "\n"

    p = _csv(tmp_path, "p", with_ids(production))
    c = _csv(tmp_path, "c", with_ids(candidate))
    code, dataset = _compare(capsys, tmp_path, p, c)
    (change,) = _type_changes(dataset)
    assert change[0] != change[1]  # "(written ...)" in one, or "007" read as text
    assert code == 1
    code, _ = _compare(capsys, tmp_path, p, p)
    assert code == 0  # the same written form on both sides is no change


def test_csv_same_written_form_both_sides_compares_values(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    p = _csv(tmp_path, "p", "id,d,b\n1,13/01/2024,T\n2,25/12/2023,F\n")
    c = _csv(tmp_path, "c", "id,d,b\n1,14/01/2024,T\n2,25/12/2023,T\n")
    code, dataset = _compare(capsys, tmp_path, p, c)
    assert code == 1
    assert _type_changes(dataset) == []
    assert (_column(dataset, "d")["unequal"], _column(dataset, "b")["unequal"]) == (1, 1)


def test_hive_partition_value_written_another_way(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    for side, day in (("p", "day=2024-01-01"), ("c", "day=2024-1-1")):
        folder = tmp_path / side / "orders" / day
        folder.mkdir(parents=True)
        (folder / "part-0.csv").write_text("id,v\n1,2\n", encoding="utf-8")
    code, dataset = _compare(capsys, tmp_path, tmp_path / "p" / "orders", tmp_path / "c" / "orders")
    assert code == 1
    assert _type_changes(dataset) == [("date32[day]", "string")]


@pytest.mark.parametrize(
    ("production", "candidate"),
    [
        ('"2024-01-01 10:00:00"', '"2024-01-01T10:00:00"'),
        ('"2024-01-01 10:00:00"', '"2024-01-01 10:00:00Z"'),
        ('"2024-01-13"', '"13/01/2024"'),
    ],
)
def test_json_written_form_change_never_passes(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, production: str, candidate: str
) -> None:
    files = []
    for name, value in (("p", production), ("c", candidate)):
        path = tmp_path / f"{name}.json"
        path.write_text(f'{{"id": 1, "t": {value}}}\n{{"id": 2, "t": null}}\n', encoding="utf-8")
        files.append(path)
    code, dataset = _compare(capsys, tmp_path, files[0], files[1])
    (change,) = _type_changes(dataset)
    assert change[0] != change[1]
    assert code == 1


@pytest.mark.parametrize("stream", [False, True])
def test_arrow_decimal256_compares_at_its_declared_precision(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, stream: bool
) -> None:
    """DuckDB cannot scan an Arrow decimal256: it is read as its exact decimal text, like
    Parquet's (an IPC file or stream alike), so ...901.5 -> ...901.6 is a change."""
    import pyarrow.feather as feather

    paths = []
    for name, last in (("p", ".5"), ("c", ".6")):
        path = tmp_path / f"{name}.{'arrows' if stream else 'arrow'}"
        table = pa.table({"id": [1, 2, 3], "v": _dec([DIGITS + last, "7.0", None], WIDE)})
        if stream:
            with pa.ipc.new_stream(path, table.schema) as writer:
                writer.write_table(table)
        else:
            feather.write_feather(table, path, compression="uncompressed")
        paths.append(path)
    code, dataset = _compare(capsys, tmp_path, paths[0], paths[1])
    assert (code, _column(dataset)["unequal"], _type_changes(dataset)) == (1, 1, [])
    sample = _column(dataset)["samples"][0]
    assert (sample["production"], sample["candidate"]) == (DIGITS + ".5", DIGITS + ".6")
    code, dataset = _compare(capsys, tmp_path, paths[0], paths[0])
    assert (code, _column(dataset)["unequal"]) == (0, 0)


def test_arrow_decimal256_scale_change_is_a_type_change(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    import pyarrow.feather as feather

    paths = []
    for name, values, t in (
        ("p", ["1.5", "2.0"], WIDE),
        ("c", ["1.50", "2.01"], pa.decimal256(52, 2)),
    ):
        path = tmp_path / f"{name}.arrow"
        feather.write_feather(pa.table({"id": [1, 2], "v": _dec(values, t)}), path)
        paths.append(path)
    code, dataset = _compare(capsys, tmp_path, paths[0], paths[1], "--allow-type-changes")
    assert _type_changes(dataset) == [("decimal256(50, 1)", "decimal256(52, 2)")]
    assert (code, _column(dataset)["unequal"]) == (1, 1)


def test_decimal256_in_a_hive_folder(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """The rewritten copies keep their partition folders: the partition column stays."""
    for side, last in (("p", ".5"), ("c", ".6")):
        for day in (1, 2):
            folder = tmp_path / side / f"day={day}"
            folder.mkdir(parents=True)
            table = pa.table(
                {"id": [day], "v": _dec([DIGITS + (last if day == 1 else ".0")], WIDE)}
            )
            pq.write_table(table, folder / "part-0.parquet")
    code, dataset = _compare(capsys, tmp_path, tmp_path / "p", tmp_path / "c")
    assert (code, _column(dataset)["unequal"], _column(dataset, "day")["unequal"]) == (1, 1, 0)


@pytest.mark.spark
@pytest.mark.parametrize("hive", [False, True])
def test_spark_compares_decimal256_exactly(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, hive: bool
) -> None:
    """Spark's decimals hold 38 digits: a decimal(50, 1) is read as its exact decimal text, as
    the DuckDB engine reads it, and compares at its declared precision and scale."""
    ids = pa.array([1, 2, 3])
    sides = []
    for name, last in (("p", ".5"), ("c", ".6")):
        table = pa.table({"id": ids, "v": _dec([DIGITS + last, "5.0", None], WIDE)})
        if hive:
            (tmp_path / name / "day=1").mkdir(parents=True)
            pq.write_table(table, tmp_path / name / "day=1" / "part-0.parquet")
            sides.append(tmp_path / name)
        else:
            sides.append(
                _parquet(tmp_path, name, **{c: table[c].combine_chunks() for c in ("id", "v")})
            )
    code, dataset = _compare(capsys, tmp_path, sides[0], sides[1], "--engine", "spark")
    assert (code, _column(dataset)["unequal"], _type_changes(dataset)) == (1, 1, [])
    sample = _column(dataset)["samples"][0]
    assert (sample["production"], sample["candidate"]) == (DIGITS + ".5", DIGITS + ".6")


# ------------------------------------------------------ CSV decimals: floats, at the bound
@pytest.mark.parametrize(
    ("tolerance", "unequal"),
    [
        ("0.1", 1),  # 1.10 - 1.00 is 0.10000000000000009 in float64: over; 100.10 is under
        ("0.1000001", 0),  # a margin below the last written digit: both within
        ("0.09", 2),  # one unit of the last digit under the bound: both outside
    ],
)
@pytest.mark.parametrize("engine", ["duckdb", pytest.param("spark", marks=pytest.mark.spark)])
def test_csv_decimals_are_floats_at_the_tolerance_bound(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tolerance: str, unequal: int, engine: str
) -> None:
    """Documented in docs/semantics.md (Tolerances): CSV numbers with a decimal point are
    float64, so the float rule holds at the bound, in both engines, as in the oracle."""
    p = _csv(tmp_path, "p", "id,v\n1,1.10\n2,100.10\n3,5.00\n")
    c = _csv(tmp_path, "c", "id,v\n1,1.00\n2,100.00\n3,5.00\n")
    code, dataset = _compare(capsys, tmp_path, p, c, "--abs-tol", tolerance, "--engine", engine)
    assert (code, _column(dataset)["unequal"]) == (1 if unequal else 0, unequal)
    assert _type_changes(dataset) == []
