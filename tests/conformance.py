"""One engine-neutral table of comparison cases that every registered engine must pass.

Each case is a pair of small tables, a ``DatasetSpec`` and the expected result as flat
``summary`` fields (``"matched_rows"``, ``"columns.v.unequal"``, ``"duplicates.groups"``, ...).
``run_case(engine_name, case, tmp_path)`` writes both tables as Parquet and runs one engine;
``mismatches(diff, case.expect)`` lists every field that disagrees. The rules each case pins are
written down in docs/semantics.md.

``ENGINES`` holds every engine registered in ``dataops_diff.engines.ENGINES`` (in registry
order) whose runtime is present here: a new engine is a registry entry, and this table runs
against it without a change here. Spark needs pyspark and Java.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
import os
import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from dataops_diff.datasets import open_dataset
from dataops_diff.engines import ENGINES as REGISTERED
from dataops_diff.engines import Engine, get_engine
from dataops_diff.errors import SchemaError
from dataops_diff.model import DatasetDiff, Duplicates
from dataops_diff.spec import DatasetSpec


def _spark_available() -> bool:
    java = shutil.which("java") or os.environ.get("JAVA_HOME")
    return bool(java) and importlib.util.find_spec("pyspark") is not None


# What an engine needs beyond the package's own dependencies; absent: nothing.
RUNTIMES = {"spark": _spark_available}
ENGINES: list[str] = [name for name in REGISTERED if RUNTIMES.get(name, lambda: True)()]

NAN, INF = float("nan"), float("inf")
BIG = 2**53  # the first integer float64 cannot tell from its successor


@dataclass(frozen=True)
class Case:
    name: str
    rule: str  # the rule this case pins, in words
    production: pa.Table
    candidate: pa.Table
    spec: DatasetSpec
    expect: dict[str, Any] = field(default_factory=dict)
    error: type[Exception] | None = None  # the comparison must raise this (message: error_text)
    error_text: str = ""
    identical_files: bool = False  # write both sides byte for byte the same
    known_bug: str | None = None  # an engine bug reported to the lead: the case is xfail(strict)


def table(**columns: Any) -> pa.Table:
    """A table from columns given as ``pa.Array`` or plain lists (types inferred)."""
    return pa.table({n: c if isinstance(c, pa.Array) else pa.array(c) for n, c in columns.items()})


def spec(*key: str, **kwargs: Any) -> DatasetSpec:
    return DatasetSpec(key=key, **kwargs)


# ------------------------------------------------------------------------------------ running
_engines: dict[str, Engine] = {}


def engine_for(name: str) -> Engine:
    """One engine instance per name, reused across cases (a Spark session is slow to start)."""
    if name not in _engines:
        _engines[name] = get_engine(name)
    return _engines[name]


def close_engines() -> None:
    while _engines:
        _engines.popitem()[1].close()


def write_case(case: Case, folder: Path) -> tuple[Path, Path]:
    """Both sides as Parquet; the candidate with other settings so the bytes differ."""
    folder.mkdir(parents=True, exist_ok=True)
    production, candidate = folder / "production.parquet", folder / "candidate.parquet"
    pq.write_table(case.production, production)
    if case.identical_files:
        shutil.copyfile(production, candidate)
    else:
        pq.write_table(case.candidate, candidate, compression="zstd", row_group_size=2)
    return production, candidate


def run_case(engine_name: str, case: Case, tmp_path: Path) -> DatasetDiff:
    production, candidate = write_case(case, tmp_path / case.name)
    engine = engine_for(engine_name)
    return engine.diff(
        open_dataset(str(production), "production", name="data"),
        open_dataset(str(candidate), "candidate", name="data"),
        case.spec,
    )


# ------------------------------------------------------------------------------------ checking
def _keys(rows: Any, names: tuple[str, ...]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(r.values[n] for n in names) for r in rows)


def summary(diff: DatasetDiff) -> dict[str, Any]:
    """Every field a case can expect, flattened to ``a.b.c`` names."""
    renamed = {r.production: r.candidate for r in diff.schema.renamed}
    cand_key = tuple(renamed.get(k, k) for k in diff.key)
    out: dict[str, Any] = {
        f.name: getattr(diff, f.name)
        for f in dataclasses.fields(diff)
        if isinstance(getattr(diff, f.name), bool | int | type(None))
    }
    out["has_differences"] = diff.has_differences
    out["ignored_columns"] = diff.ignored_columns
    out |= {f"duplicates.{f.name}": getattr(diff.duplicates, f.name) for f in
            dataclasses.fields(Duplicates)}  # fmt: skip
    out["schema.only_in_production"] = tuple(c.name for c in diff.schema.only_in_production)
    out["schema.only_in_candidate"] = tuple(c.name for c in diff.schema.only_in_candidate)
    out["schema.type_changes"] = tuple(t.column for t in diff.schema.type_changes)
    out["columns"] = tuple(c.name for c in diff.columns)
    out["only_in_production_keys"] = _keys(diff.only_in_production_samples, diff.key)
    out["only_in_candidate_keys"] = _keys(diff.only_in_candidate_samples, cand_key)
    for c in diff.columns:
        p = f"columns.{c.name}."
        for name in ("candidate_name", "compared", "unequal", "null_to_value", "value_to_null",
                     "max_abs_diff", "max_rel_diff"):  # fmt: skip
            out[p + name] = getattr(c, name)
        out[p + "sample_keys"] = tuple(tuple(s.key[k] for k in diff.key) for s in c.samples)
        out[p + "samples"] = tuple(
            (tuple(s.key[k] for k in diff.key), s.production, s.candidate) for s in c.samples
        )
    return out


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(a, tuple | list) and isinstance(b, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return bool(a == b)


def mismatches(diff: DatasetDiff, expect: dict[str, Any]) -> list[str]:
    got = summary(diff)
    return [
        f"{name}: got {got.get(name, '<absent>')!r}, expected {want!r}"
        for name, want in expect.items()
        if name not in got or not _same(got[name], want)
    ]


# --------------------------------------------------------------------------------------- cases
def _f64(values: list[Any]) -> pa.Array:
    return pa.array(values, pa.float64())


def _i64(values: list[Any]) -> pa.Array:
    return pa.array(values, pa.int64())


_IDS8 = list(range(1, 9))
CLEAN = {"has_differences": False, "rows_with_differences": 0}

CASES: list[Case] = [
    Case(
        "clean",
        "a dataset compared with an equal copy has no differences",
        table(id=[1, 2, 3], n=[1, None, 3], x=[0.5, NAN, None], s=["a", "", None]),
        table(id=[3, 1, 2], n=[3, 1, None], x=[None, 0.5, NAN], s=[None, "a", ""]),
        spec("id"),
        {
            **CLEAN,
            "matched_rows": 3,
            "production_rows": 3,
            "candidate_rows": 3,
            "identical": False,
            "columns": ("n", "x", "s"),
            "columns.x.unequal": 0,
        },
    ),
    Case(
        "byte_identical",
        "byte-identical files are recognised without a join",
        table(id=[1, 2], v=[1.0, 2.0]),
        table(id=[1, 2], v=[1.0, 2.0]),
        spec("id"),
        {**CLEAN, "identical": True, "matched_rows": 2, "columns.v.compared": 2},
        identical_files=True,
    ),
    Case(
        "null_nan_zero_inf",
        "null == null, NaN == NaN, NaN != null, -0.0 == 0.0, inf == inf, -inf != inf",
        table(id=_IDS8, v=_f64([None, NAN, NAN, None, -0.0, 1.5, INF, -INF])),
        table(id=_IDS8, v=_f64([None, NAN, None, NAN, 0.0, 1.5, INF, INF])),
        spec("id"),
        {
            "columns.v.unequal": 3,
            "columns.v.value_to_null": 1,
            "columns.v.null_to_value": 1,
            "columns.v.max_abs_diff": 0.0,
            "rows_with_differences": 3,
            "columns.v.samples": (((3,), "NaN", None), ((4,), None, "NaN"), ((8,), "-inf", "inf")),
        },
    ),
    Case(
        "infinity_needs_exact_match",
        "tolerances apply to finite numbers; inf matches only inf",
        table(id=[1, 2, 3, 4], v=_f64([INF, INF, 1e308, 1.0])),
        table(id=[1, 2, 3, 4], v=_f64([INF, -INF, INF, 1.25])),
        spec("id", abs_tol=1e300, rel_tol=0.5),
        {
            "columns.v.unequal": 2,
            "columns.v.sample_keys": ((2,), (3,)),
            "columns.v.max_abs_diff": 0.25,
            "columns.v.max_rel_diff": 0.2,
        },
    ),
    Case(
        "tolerances",
        "|p-c| <= abs_tol + rel_tol*max(|p|,|c|), inclusive, symmetric; per column over global",
        table(
            id=[1, 2],
            a=[1.0, 1.0],
            r=[3.0, 4.0],
            s=[100.0, 120.0],
            b=[4.0, 4.0],
            g=[1.0, 1.0],
            plain=[1.0, 2.0],
            i=_i64([10, 10]),
        ),
        table(
            id=[1, 2],
            a=[1.5, 1.75],
            r=[4.0, 3.0],
            s=[120.0, 100.0],
            b=[5.75, 6.5],
            g=[1.0625, 1.25],
            plain=[1.0, 2.0625],
            i=_i64([11, 12]),
        ),
        spec(
            "id",
            abs_tol=0.125,
            column_abs_tol={"a": 0.5, "b": 0.5, "r": 0.0, "s": 0.0, "plain": 0.0, "i": 1.0},
            column_rel_tol={"r": 0.25, "s": 0.18, "b": 0.25},
        ),
        {
            "columns.a.unequal": 1,
            "columns.a.sample_keys": ((2,),),
            "columns.a.max_abs_diff": 0.75,
            "columns.r.unequal": 0,
            "columns.r.max_rel_diff": 0.25,
            "columns.s.unequal": 0,  # datacompy's rel_tol*|candidate| fails id 2 (20 > 18)
            "columns.b.unequal": 1,
            "columns.b.sample_keys": ((2,),),
            "columns.g.unequal": 1,
            "columns.g.sample_keys": ((2,),),
            "columns.plain.unequal": 1,
            "columns.i.unequal": 1,
            "columns.i.max_abs_diff": 2.0,
        },
    ),
    Case(
        "tolerance_only_for_numbers",
        "a global tolerance leaves strings and booleans exact",
        table(id=[1, 2], s=["1", "1.0"], f=[True, True]),
        table(id=[1, 2], s=["2", "1"], f=[True, False]),
        spec("id", abs_tol=10.0, rel_tol=0.5),
        {"columns.s.unequal": 2, "columns.f.unequal": 1},
    ),
    Case(
        "int64_exact",
        "int64 values compare exactly, never through float64",
        table(id=[1, 2, 3], v=_i64([BIG + 1, 2**62 + 1, -(2**63)])),
        table(id=[1, 2, 3], v=_i64([BIG, 2**62, -(2**63)])),
        spec("id"),
        {"columns.v.unequal": 2, "columns.v.sample_keys": ((1,), (2,))},
    ),
    Case(
        "int64_exact_with_tolerance",
        "an int64 difference of 1 exceeds abs_tol 0.5 at any size",
        table(id=[1, 2], v=_i64([BIG + 1, 5])),
        table(id=[1, 2], v=_i64([BIG, 5])),
        spec("id", abs_tol=0.5),
        {"columns.v.unequal": 1, "columns.v.max_abs_diff": 1.0},
    ),
    Case(
        "null_keys",
        "null keys match each other (IS NOT DISTINCT FROM) and are counted",
        table(id=_i64([None, 1, 2]), v=[10, 20, 30]),
        table(id=_i64([3, 1, None]), v=[40, 21, 10]),
        spec("id"),
        {
            "matched_rows": 2,
            "only_in_production": 1,
            "only_in_candidate": 1,
            "null_key_rows_production": 1,
            "null_key_rows_candidate": 1,
            "columns.v.unequal": 1,
            "columns.v.sample_keys": ((1,),),
            "only_in_production_keys": ((2,),),
        },
    ),
    Case(
        "null_in_composite_key",
        "a null part of a composite key matches a null",
        table(a=[1, 1], b=[None, "x"], v=[1, 2]),
        table(a=[1, 1], b=[None, "y"], v=[1, 2]),
        spec("a", "b"),
        {
            "matched_rows": 1,
            "only_in_production": 1,
            "only_in_candidate": 1,
            "null_key_rows_production": 1,
            "null_key_rows_candidate": 1,
            "only_in_production_keys": ((1, "x"),),
            "only_in_candidate_keys": ((1, "y"),),
        },
    ),
    Case(
        "duplicates_one_side",
        "a key duplicated on one side is compared as a multiset, not paired",
        table(a=[1, 1], b=[2, 0]),
        table(a=[1, 2], b=[2, 0]),
        spec("a"),
        {
            "matched_rows": 0,
            "only_in_production": 0,
            "only_in_candidate": 1,
            "duplicates.production_keys": 1,
            "duplicates.production_rows": 2,
            "duplicates.candidate_keys": 0,
            "duplicates.groups": 1,
            "duplicates.groups_differing": 1,
            "duplicates.production_rows_unmatched": 1,
            "duplicates.candidate_rows_unmatched": 0,
            "columns.b.compared": 0,
            "has_differences": True,
        },
    ),
    Case(
        "duplicates_three_to_two",
        "duplicate groups count the rows with no identical partner",
        table(a=[1, 1, 1], b=[2, 0, 0]),
        table(a=[1, 1], b=[2, 0]),
        spec("a"),
        {
            "duplicates.production_keys": 1,
            "duplicates.production_rows": 3,
            "duplicates.candidate_keys": 1,
            "duplicates.candidate_rows": 2,
            "duplicates.groups": 1,
            "duplicates.groups_differing": 1,
            "duplicates.production_rows_unmatched": 1,
            "duplicates.candidate_rows_unmatched": 0,
        },
    ),
    Case(
        "duplicates_any_order",
        "equal multisets are equal whatever the row order",
        table(a=[1, 1, 2, 1], b=[5, 6, 7, 5]),
        table(a=[2, 1, 1, 1], b=[7, 5, 6, 5]),
        spec("a"),
        {
            "matched_rows": 1,
            "duplicates.groups": 1,
            "duplicates.groups_differing": 0,
            "duplicates.production_rows": 3,
            "has_differences": False,
        },
    ),
    Case(
        "duplicates_values_swapped",
        "values swapped between rows of a group are a difference",
        table(a=[1, 1], s=["x", "y"], v=[10, 20]),
        table(a=[1, 1], s=["x", "y"], v=[20, 10]),
        spec("a"),
        {
            "duplicates.groups_differing": 1,
            "duplicates.production_rows_unmatched": 2,
            "duplicates.candidate_rows_unmatched": 2,
        },
    ),
    Case(
        "duplicates_exact_values",
        "duplicate groups compare exact values: no tolerance",
        table(a=[1, 1], v=[1.0, 2.0]),
        table(a=[1, 1], v=[1.0, 2.0625]),
        spec("a", abs_tol=0.5),
        {"duplicates.groups_differing": 1, "duplicates.production_rows_unmatched": 1},
    ),
    Case(
        "duplicates_only_one_side",
        "a key on one side only counts its every row as only_in_*",
        table(a=[1, 1, 2], v=[1, 1, 2]),
        table(a=[2], v=[2]),
        spec("a"),
        {
            "only_in_production": 2,
            "matched_rows": 1,
            "duplicates.production_keys": 1,
            "duplicates.production_rows": 2,
            "duplicates.groups": 0,
            "has_differences": True,
        },
    ),
    Case(
        "duplicate_null_keys",
        "null keys form one group like any other key",
        table(a=_i64([None, None, 1]), v=[1, 2, 3]),
        table(a=_i64([None, 1]), v=[1, 3]),
        spec("a"),
        {
            "matched_rows": 1,
            "null_key_rows_production": 2,
            "duplicates.groups": 1,
            "duplicates.groups_differing": 1,
            "duplicates.production_rows_unmatched": 1,
        },
    ),
    Case(
        "duplicates_balanced_counts",
        "duplicates on both sides with equal row counts are still found",
        table(a=[1, 1, 2], v=[1, 1, 2]),
        table(a=[1, 2, 2], v=[1, 2, 2]),
        spec("a"),
        {
            "matched_rows": 0,
            "duplicates.production_keys": 1,
            "duplicates.candidate_keys": 1,
            "duplicates.groups": 2,
            "duplicates.groups_differing": 2,
            "duplicates.production_rows_unmatched": 1,
            "duplicates.candidate_rows_unmatched": 1,
        },
    ),
    Case(
        "duplicates_only_in_candidate",
        "a null key repeated on one side only is a duplicate there, and its rows are samples",
        table(a=_i64([1, 2]), v=[1, 2]),
        table(a=_i64([None, 2, None]), v=[3, 2, 4]),
        spec("a"),
        {
            "matched_rows": 1,
            "only_in_production": 1,
            "only_in_candidate": 2,
            "null_key_rows_candidate": 2,
            "duplicates.candidate_keys": 1,
            "duplicates.candidate_rows": 2,
            "duplicates.production_keys": 0,
            "duplicates.groups": 0,
            "only_in_candidate_keys": ((None,), (None,)),
        },
    ),
    Case(
        "byte_identical_with_duplicates",
        "byte-identical files with a duplicated key: one group, no difference in it",
        table(id=[1, 1, 2], v=[1.0, 2.0, 3.0]),
        table(id=[1, 1, 2], v=[1.0, 2.0, 3.0]),
        spec("id"),
        {
            "identical": True,
            "matched_rows": 1,
            "duplicates.production_keys": 1,
            "duplicates.candidate_keys": 1,
            "duplicates.groups": 1,
            "duplicates.groups_differing": 0,
        },
        identical_files=True,
    ),
    Case(
        "case_and_spaces_exact",
        "without options, case and surrounding spaces matter",
        table(k=["a", "b"], s=["Hello", " x"]),
        table(k=["a", "b"], s=["hello", "x"]),
        spec("k"),
        {"columns.s.unequal": 2},
    ),
    Case(
        "ignore_case",
        "--ignore-case folds string values and string keys",
        table(k=["a", "B", "c"], s=["Hello", "x", "Éa"]),
        table(k=["A", "b", "C"], s=["HELLO", "X", "éA"]),
        spec("k", ignore_case=True),
        {**CLEAN, "matched_rows": 3},
    ),
    Case(
        "ignore_spaces",
        "--ignore-spaces trims values and string keys, never inner spaces",
        table(k=["a ", " b", "c"], s=[" x", "y\t", "a b"]),
        table(k=["a", "b", "c"], s=["x", "y", "ab"]),
        spec("k", ignore_spaces=True),
        {"matched_rows": 3, "columns.s.unequal": 1, "columns.s.sample_keys": (("c",),)},
    ),
    Case(
        "unicode_not_normalised",
        "no unicode normalisation: résumé != resume",
        table(k=[1, 2], s=["résumé", "ß"]),
        table(k=[1, 2], s=["resume", "ß"]),
        spec("k", ignore_case=True, ignore_spaces=True),
        {"columns.s.unequal": 1, "columns.s.samples": (((1,), "résumé", "resume"),)},
    ),
    Case(
        "samples_show_data",
        "samples show the values as stored, not as folded for comparing",
        table(k=["A"], s=["Hello "]),
        table(k=["a"], s=["World"]),
        spec("k", ignore_case=True, ignore_spaces=True),
        {"matched_rows": 1, "columns.s.samples": ((("A",), "Hello ", "World"),)},
    ),
    Case(
        "column_names_case_sensitive",
        "'Amount' and 'amount' are two columns",
        table(id=[1, 2], Amount=[1.0, 2.0]),
        table(id=[1, 2], amount=[1.0, 2.5]),
        spec("id"),
        {
            "schema.only_in_production": ("Amount",),
            "schema.only_in_candidate": ("amount",),
            "columns": (),
            "matched_rows": 2,
            "rows_with_differences": 0,
            "has_differences": True,
        },
    ),
    Case(
        "key_name_case_sensitive",
        "a key named in the wrong case is missing, not matched",
        table(ID=[1]),
        table(id=[1]),
        spec("id"),
        error=SchemaError,
        error_text="column 'id' is not in the production version",
    ),
    Case(
        "empty_same_schema",
        "two empty datasets with the same schema are the same",
        table(id=_i64([]), v=_f64([])),
        table(id=_i64([]), v=_f64([])),
        spec("id"),
        {
            **CLEAN,
            "production_rows": 0,
            "candidate_rows": 0,
            "matched_rows": 0,
            "columns.v.max_abs_diff": None,
        },
    ),
    Case(
        "empty_vs_rows",
        "an empty side makes every row of the other one-sided",
        table(id=_i64([]), v=_f64([])),
        table(id=_i64([1, 2]), v=_f64([1.0, 2.0])),
        spec("id"),
        {"only_in_candidate": 2, "only_in_candidate_keys": ((1,), (2,)), "matched_rows": 0},
    ),
    Case(
        "int_vs_float",
        "int vs float compare by value; the type change is still reported",
        table(id=[1, 2, 3], v=_i64([1, 2, None])),
        table(id=[1, 2, 3], v=_f64([1.0, 2.5, None])),
        spec("id"),
        {
            "columns.v.unequal": 1,
            "columns.v.max_abs_diff": 0.5,
            "schema.type_changes": ("v",),
            "has_differences": True,
        },
    ),
    Case(
        "int64_to_float64_equal_values",
        "a retyped column is a change even when values are equal",
        table(id=[1, 2], v=_i64([1, 2])),
        table(id=[1, 2], v=_f64([1.0, 2.0])),
        spec("id"),
        {
            "columns.v.unequal": 0,
            "rows_with_differences": 0,
            "schema.type_changes": ("v",),
            "has_differences": True,
        },
    ),
    Case(
        "decimal_vs_float",
        "decimal vs float compare by value",
        table(id=[1, 2], v=pa.array([Decimal("1.250"), Decimal("2.000")], pa.decimal128(10, 3))),
        table(id=[1, 2], v=_f64([1.25, 2.5])),
        spec("id"),
        {
            "columns.v.unequal": 1,
            "columns.v.sample_keys": ((2,),),
            "columns.v.max_abs_diff": 0.5,
            "schema.type_changes": ("v",),
        },
    ),
    Case(
        "number_vs_string",
        "unrelated type families compare as text",
        table(id=[1, 2], v=_i64([1, 2])),
        table(id=[1, 2], v=["1", "02"]),
        spec("id"),
        {"columns.v.unequal": 1, "columns.v.sample_keys": ((2,),), "schema.type_changes": ("v",)},
    ),
    Case(
        "bool_vs_int",
        "bool vs int compare as text: true != 1",
        table(id=[1, 2], v=[True, False]),
        table(id=[1, 2], v=_i64([1, 0])),
        spec("id"),
        {"columns.v.unequal": 2, "schema.type_changes": ("v",)},
    ),
    Case(
        "timestamp_gains_time_zone",
        "a timestamp gaining a time zone is a type change; naive times are read as UTC",
        table(id=[1, 2], t=pa.array([0, 3_600_000_000], pa.timestamp("us"))),
        table(id=[1, 2], t=pa.array([0, 7_200_000_000], pa.timestamp("us", "UTC"))),
        spec("id"),
        {"schema.type_changes": ("t",), "columns.t.unequal": 1, "columns.t.sample_keys": ((2,),)},
    ),
    Case(
        "encodings_are_not_changes",
        "large_string and dictionary encoding hold the same values",
        table(id=[1, 2], s=pa.array(["a", "b"]), d=pa.array(["x", "y"]).dictionary_encode()),
        table(id=[1, 2], s=pa.array(["a", "b"], pa.large_string()), d=pa.array(["x", "y"])),
        spec("id"),
        {**CLEAN, "schema.type_changes": (), "columns": ("s", "d")},
    ),
    Case(
        "rename",
        "--rename pairs a column the candidate renamed",
        table(id=[1, 2], amount=[1, 2]),
        table(id=[1, 2], amt=[1, 3]),
        spec("id", renames={"amount": "amt"}),
        {
            "columns": ("amount",),
            "columns.amount.candidate_name": "amt",
            "columns.amount.unequal": 1,
            "schema.only_in_candidate": (),
        },
    ),
    Case(
        "ignore_columns",
        "--ignore-column drops a column on either side from everything",
        table(id=[1], v=[1], noise=[0.5]),
        table(id=[1], v=[1], noise=[0.7], extra=[1]),
        spec("id", ignore_columns=("noise", "extra")),
        {
            **CLEAN,
            "columns": ("v",),
            "ignored_columns": ("noise", "extra"),
            "schema.only_in_candidate": (),
        },
    ),
    Case(
        "all_columns_are_keys",
        "when every column is a key only row presence is compared",
        table(a=[1, 1], b=[2, 3]),
        table(a=[1, 1], b=[2, 5]),
        spec("a", "b"),
        {
            "columns": (),
            "matched_rows": 1,
            "only_in_production_keys": ((1, 3),),
            "only_in_candidate_keys": ((1, 5),),
        },
    ),
    Case(
        "composite_key",
        "rows match on every key column",
        table(k1=[1, 1, 2], k2=["a", "b", "a"], v=[1, 2, 3]),
        table(k1=[2, 1, 1], k2=["b", "b", "a"], v=[3, 9, 1]),
        spec("k1", "k2"),
        {
            "matched_rows": 2,
            "only_in_production_keys": ((2, "a"),),
            "only_in_candidate_keys": ((2, "b"),),
            "columns.v.sample_keys": ((1, "b"),),
        },
    ),
    Case(
        "samples_bounded_in_key_order",
        "at most N samples, the first by key order",
        table(id=[6, 2, 5, 1, 4, 3, 10, 11, 12], v=[0, 0, 0, 0, 0, 0, 0, 0, 0]),
        table(id=[3, 9, 4, 8, 5, 6, 7, 2, 1], v=[1, 0, 1, 0, 1, 1, 0, 1, 1]),
        spec("id", samples=2),
        {
            "columns.v.unequal": 6,
            "columns.v.sample_keys": ((1,), (2,)),
            "only_in_production": 3,
            "only_in_production_keys": ((10,), (11,)),
            "only_in_candidate": 3,
            "only_in_candidate_keys": ((7,), (8,)),
        },
    ),
    Case(
        "no_samples",
        "--samples 0 keeps counts and drops samples",
        table(id=[1, 2], v=[1, 2]),
        table(id=[1, 3], v=[5, 3]),
        spec("id", samples=0),
        {
            "columns.v.unequal": 1,
            "columns.v.samples": (),
            "only_in_production": 1,
            "only_in_production_keys": (),
        },
    ),
    Case(
        "hostile_names",
        "odd column names and markup-like values are plain data",
        table(**{"i d": [1, 2], "[/bold]": ["[red]x", 'a"b'], 'q"uote': [1, 2], "ünï": [1, 2]}),
        table(**{"i d": [1, 2], "[/bold]": ["[red]y", 'a"b'], 'q"uote': [1, 3], "ünï": [1, 2]}),
        spec("i d"),
        {
            "columns.[/bold].unequal": 1,
            'columns.q"uote.unequal': 1,
            "columns.ünï.unequal": 0,
            "columns.[/bold].samples": (((1,), "[red]x", "[red]y"),),
        },
    ),
    Case(
        "engine_names_are_plain_columns",
        "columns named like an engine's own aliases are plain data",
        table(**{"__kc0": [1, 2, 3], "__r0": [1, 2, 3], "__ph": ["a", "b", "c"], "__k0": [1] * 3}),
        table(**{"__kc0": [1, 2, 4], "__r0": [1, 9, 4], "__ph": ["a", "b", "d"], "__k0": [1] * 3}),
        spec("__kc0"),
        {
            "matched_rows": 2,
            "only_in_production": 1,
            "only_in_candidate": 1,
            "rows_with_differences": 1,
            "columns.__r0.samples": (((2,), 2, 9),),
            "columns.__ph.unequal": 0,
            "columns.__k0.unequal": 0,
        },
    ),
    Case(
        "values_swapped_between_columns",
        "values swapped between two columns of a row change both columns",
        table(id=[1, 2, 3], a=[1, 5, 7], b=[2, 5, 8], s=["x", "y", "z"], t=["y", "x", "z"]),
        table(id=[1, 2, 3], a=[2, 5, 7], b=[1, 5, 8], s=["x", "x", "z"], t=["y", "y", "z"]),
        spec("id"),
        {
            "rows_with_differences": 2,
            "columns.a.sample_keys": ((1,),),
            "columns.b.sample_keys": ((1,),),
            "columns.s.sample_keys": ((2,),),
            "columns.t.sample_keys": ((2,),),
        },
    ),
    Case(
        "nested_values_exact",
        "a null list, [] and [null] differ, as do a null struct and a struct of nulls",
        table(
            id=[1, 2, 3, 4, 5],
            l=pa.array([None, [], [1], [None], [1, 2]], pa.list_(pa.int64())),
            st=pa.array([None, {"a": None}, {"a": 1}, {"a": 1}, {"a": None}]),
        ),
        table(
            id=[1, 2, 3, 4, 5],
            l=pa.array([[], [None], [1], None, [2, 1]], pa.list_(pa.int64())),
            st=pa.array([{"a": None}, None, {"a": 1}, {"a": 2}, {"a": None}]),
        ),
        spec("id"),
        {
            "rows_with_differences": 4,
            "columns.l.sample_keys": ((1,), (2,), (4,), (5,)),
            "columns.l.null_to_value": 1,
            "columns.l.value_to_null": 1,
            "columns.st.sample_keys": ((1,), (2,), (4,)),
            "columns.st.null_to_value": 1,
            "columns.st.value_to_null": 1,
        },
    ),
    Case(
        "one_side_columns_do_not_change_rows",
        "a column on one side only is a schema change only",
        table(id=[1, 2], v=[1, 2], old=[1, 2]),
        table(id=[1, 2], v=[1, 2], new=[3, 4]),
        spec("id"),
        {
            "rows_with_differences": 0,
            "schema.only_in_production": ("old",),
            "schema.only_in_candidate": ("new",),
            "has_differences": True,
        },
    ),
]

# Exact numbers and tolerance bounds (issue 12), kept in their own module; it imports the
# helpers above, so it is imported here, once they exist.
from conformance_numerics import NUMERIC_CASES  # noqa: E402

CASES += NUMERIC_CASES
CASES_BY_NAME = {c.name: c for c in CASES}
assert len(CASES_BY_NAME) == len(CASES), "case names must be unique"
