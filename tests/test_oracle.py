"""Conformance with the reference counts in ../shared/oracle (datacompy 1.1.0 on the same files).

Every case and variant runs on the Parquet files and on the CSV files. We agree with the oracle
wherever the semantics are the same; where dataops-diff decides otherwise (docs/semantics.md),
``DEVIATIONS`` holds our answer for exactly the fields that differ, with the reason, and the test
asserts that answer. A deviation that no longer differs from the oracle fails too (stale entry).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conformance import summary

from dataops_diff import api
from dataops_diff.engines.arrow_types import NUMERIC, category
from dataops_diff.errors import SchemaError
from dataops_diff.model import DatasetDiff
from dataops_diff.spec import DatasetSpec

ORACLE = Path(__file__).resolve().parents[1].parent / "shared" / "oracle"
SAMPLES = 20  # keys listed by the oracle are compared with our samples up to this many
FORMATS = ("parquet", "csv")
_NUMPY = ("int", "uint", "float")  # pandas dtypes whose max_diff is a numeric difference


@dataclass(frozen=True)
class Deviation:
    decision: str  # the heading in docs/semantics.md
    reason: str
    ours: dict[str, Any] = field(default_factory=dict)  # oracle field -> our answer
    extra: dict[str, Any] = field(default_factory=dict)  # conformance.summary field -> ours
    error: str = ""  # we refuse to compare: the message contains this
    formats: tuple[str, ...] = FORMATS


_DUPS = "Duplicate keys"
DEVIATIONS: dict[tuple[str, int], Deviation] = {
    ("dupes_two_vals", 0): Deviation(
        _DUPS,
        "key 1 is duplicated in production: its rows form a multiset group, not pairs",
        {
            "rows_only_left": 0,
            "rows_matched_by_key": 0,
            "rows_all_compared_equal": 0,
            "rows_only_left_keys": [],
            "columns.*.compared": 0,
            "columns.*.max_diff": None,
        },
        {
            "duplicates.groups": 1,
            "duplicates.groups_differing": 1,
            "duplicates.production_rows_unmatched": 1,
            "duplicates.candidate_rows_unmatched": 0,
        },
    ),
    ("dupes_three_to_two", 0): Deviation(
        _DUPS,
        "3 production rows vs 2 candidate rows of key 1: one has no identical partner",
        {
            "rows_only_left": 0,
            "rows_matched_by_key": 0,
            "rows_all_compared_equal": 0,
            "rows_only_left_keys": [],
            "columns.*.compared": 0,
            "columns.*.max_diff": None,
        },
        {
            "duplicates.groups_differing": 1,
            "duplicates.production_rows_unmatched": 1,
            "duplicates.candidate_rows_unmatched": 0,
        },
    ),
    ("dupes_with_null_keys", 0): Deviation(
        _DUPS,
        "(2,null), (3,null), (5,null) are duplicated groups; (1,A), (4,null) match 1:1",
        {
            "rows_only_left": 0,
            "rows_matched_by_key": 2,
            "rows_all_compared_equal": 2,
            "rows_only_left_keys": [],
        },
        {
            "duplicates.groups": 3,
            "duplicates.groups_differing": 3,
            "duplicates.production_rows_unmatched": 3,
            "null_key_rows_production": 7,
            "null_key_rows_candidate": 4,
        },
    ),
    ("dupes_real_transactions", 0): Deviation(
        _DUPS,
        "keyed on acct_id alone every key has 10 rows: 2 equal multisets, nothing paired",
        {
            "rows_matched_by_key": 0,
            "rows_all_compared_equal": 0,
            "columns.*.compared": 0,
            "columns.*.max_diff": None,
        },
        {"duplicates.groups": 2, "duplicates.groups_differing": 0, "has_differences": False},
    ),
    ("probe_rel_tol_asymmetry", 0): Deviation(
        "Tolerance",
        "rel_tol scales with max(|p|,|c|): 20 <= 0.18*120 for both rows",
        {
            "columns.v.unequal": 0,
            "columns.v.unequal_keys": [],
            "rows_some_compared_unequal": 0,
            "rows_all_compared_equal": 2,
            "matches": True,
        },
    ),
    ("probe_key_case", 0): Deviation(
        "Case and spaces",
        "--ignore-case folds string keys too: 'a' matches 'A'",
        {
            "rows_only_left": 0,
            "rows_only_right": 0,
            "rows_matched_by_key": 2,
            "rows_only_left_keys": [],
            "rows_only_right_keys": [],
            "rows_all_compared_equal": 2,
            "columns.v.compared": 2,
            "matches": True,
        },
    ),
    ("probe_column_name_case", 0): Deviation(
        "Column names",
        "names are case-sensitive: production has 'ID', not the key 'id'",
        error="column 'id' is not in the production version",
    ),
    ("empty", 0): Deviation(
        "Empty datasets",
        "two empty datasets with the same schema are the same",
        {"matches": True},
    ),
    ("rows_10k_offset", 0): Deviation(
        "Types",
        "int64 -> float64 is a type change even when all values are within tolerance "
        "(in Parquet; CSV types are guessed from the values, so there it is no change)",
        {"matches": False},
        {"schema.type_changes": ("b",)},
        formats=("parquet",),
    ),
    ("infinity", 0): Deviation(
        "Values",
        "max_abs_diff is over pairs of finite numbers (inf - inf is undefined)",
        {"columns.v.max_diff": 1.0},
        formats=("parquet",),
    ),
}

# Where pandas' CSV inference changed the oracle's answer, DuckDB reads the CSV like the Parquet
# file: we assert the Parquet answer for the CSV files too.
CSV_AS_PARQUET = {
    "string_as_numeric": "DuckDB keeps the 34-digit strings as text (pandas made them floats)",
    "nullable_strings": "DuckDB reads the all-empty column as a null string column",
}


def _load() -> list[dict[str, Any]]:
    if not ORACLE.is_dir():
        return []
    cases: list[dict[str, Any]] = json.loads((ORACLE / "expected.json").read_text())["cases"]
    return cases


CASES = _load()
PARAMS = [
    pytest.param(case, i, fmt, id=f"{case['id']}-{i}-{fmt}")
    for case in CASES
    for i in range(len(case["variants"]))
    for fmt in FORMATS
]
pytestmark = pytest.mark.skipif(not ORACLE.is_dir(), reason=f"oracle not found at {ORACLE}")


def _tolerance(value: Any) -> tuple[float, dict[str, float]]:
    if isinstance(value, dict):
        columns = {k: float(v) for k, v in value.items() if k != "default"}
        return float(value.get("default", 0.0)), columns
    return float(value), {}


def dataset_spec(params: dict[str, Any]) -> DatasetSpec:
    abs_tol, abs_columns = _tolerance(params["abs_tol"])
    rel_tol, rel_columns = _tolerance(params["rel_tol"])
    return DatasetSpec(
        key=tuple(params["join_columns"]),
        abs_tol=abs_tol,
        rel_tol=rel_tol,
        column_abs_tol=abs_columns,
        column_rel_tol=rel_columns,
        ignore_spaces=params["ignore_spaces"],
        ignore_case=params["ignore_case"],
        samples=SAMPLES,
    )


def _sorted_keys(keys: list[Any]) -> list[Any]:
    return sorted((list(k) for k in keys), key=repr)


def observed(diff: DatasetDiff) -> dict[str, Any]:
    """Our result in the oracle's vocabulary."""
    key = diff.key
    out: dict[str, Any] = {
        "rows_left": diff.production_rows,
        "rows_right": diff.candidate_rows,
        "columns_only_left": sorted(c.name for c in diff.schema.only_in_production),
        "columns_only_right": sorted(c.name for c in diff.schema.only_in_candidate),
        "rows_only_left": diff.only_in_production,
        "rows_only_right": diff.only_in_candidate,
        "rows_matched_by_key": diff.matched_rows,
        "rows_some_compared_unequal": diff.rows_with_differences,
        "rows_all_compared_equal": diff.matched_rows - diff.rows_with_differences,
        "matches": not diff.has_differences,
        "rows_only_left_keys": _sorted_keys(
            [[r.values[k] for k in key] for r in diff.only_in_production_samples]
        ),
        "rows_only_right_keys": _sorted_keys(
            [[r.values[k] for k in key] for r in diff.only_in_candidate_samples]
        ),
    }
    for c in diff.columns:
        p = f"columns.{c.name}."
        out[p + "unequal"] = c.unequal
        out[p + "null_diff"] = c.null_to_value + c.value_to_null
        out[p + "compared"] = c.compared
        out[p + "unequal_keys"] = _sorted_keys([[s.key[k] for k in key] for s in c.samples])
        if {category(c.production_type), category(c.candidate_type)} <= NUMERIC:
            out[p + "max_diff"] = c.max_abs_diff
    return out


def expected(variant: dict[str, Any], join_columns: list[str]) -> dict[str, Any]:
    """The oracle's answer for the fields we compare, in ``observed`` vocabulary."""
    e = variant["expected"]
    out = {k: e[k] for k in ("rows_left", "rows_right", "rows_only_left", "rows_only_right",
                             "rows_matched_by_key", "rows_some_compared_unequal",
                             "rows_all_compared_equal", "matches")}  # fmt: skip
    out["columns_only_left"] = sorted(e["columns_only_left"])
    out["columns_only_right"] = sorted(e["columns_only_right"])
    for side in ("left", "right"):
        if e[f"rows_only_{side}"] <= SAMPLES:
            out[f"rows_only_{side}_keys"] = _sorted_keys(e[f"rows_only_{side}_keys"])
    for name, col in e["columns"].items():
        if name in join_columns:
            continue
        p = f"columns.{name}."
        out[p + "unequal"] = col["unequal"]
        out[p + "null_diff"] = col["null_diff"]
        out[p + "compared"] = col["unequal"] + col["equal"]
        if col["unequal"] <= SAMPLES:
            out[p + "unequal_keys"] = _sorted_keys(col["unequal_keys"])
        numeric = all(col[f"dtype_{s}"].lower().startswith(_NUMPY) for s in ("left", "right"))
        if numeric and isinstance(col["max_diff"], int | float):
            out[p + "max_diff"] = float(col["max_diff"])
    return out


def _apply(want: dict[str, Any], ours: dict[str, Any]) -> dict[str, Any]:
    """The oracle's answer with our deliberate answers in place (``columns.*.x`` expanded)."""
    want = dict(want)
    for name, value in ours.items():
        if name.startswith("columns.*."):
            suffix = name.removeprefix("columns.*")
            for k in [k for k in want if k.startswith("columns.") and k.endswith(suffix)]:
                want[k] = value
        else:
            want[name] = value
    return want


def _run(case: dict[str, Any], fmt: str, spec: DatasetSpec) -> DatasetDiff:
    suffix = "_csv" if fmt == "csv" else ""
    production = ORACLE / case["files"]["left" + suffix]
    candidate = ORACLE / case["files"]["right" + suffix]
    return api.compare(str(production), str(candidate), spec).datasets[0]


@pytest.mark.parametrize(("case", "index", "fmt"), PARAMS)
def test_oracle_case(case: dict[str, Any], index: int, fmt: str) -> None:
    variant = case["variants"][index]
    spec = dataset_spec(variant["params"])
    deviation = DEVIATIONS.get((case["id"], index))
    if deviation is not None and fmt not in deviation.formats:
        deviation = None
    if deviation is not None and deviation.error:
        with pytest.raises(SchemaError, match=deviation.error):
            _run(case, fmt, spec)
        return
    if fmt == "csv" and not variant["csv_equivalent"]:
        assert case["id"] in CSV_AS_PARQUET, "CSV reading differs: decide and document it"
    diff = _run(case, fmt, spec)
    got = observed(diff)
    oracle = expected(variant, variant["params"]["join_columns"])
    want = _apply(oracle, deviation.ours) if deviation else oracle
    wrong = {k: (got.get(k, "<absent>"), v) for k, v in want.items() if got.get(k, "<absent>") != v}
    assert wrong == {}, "field: (ours, expected)"
    if deviation is not None:
        stale = [
            k for k in deviation.ours if not k.startswith("columns.*") and oracle.get(k) == want[k]
        ]
        assert stale == [], f"deviation no longer differs from the oracle: {stale}"
        ours = summary(diff)
        assert {k: ours.get(k) for k in deviation.extra} == deviation.extra


def test_oracle_present_and_every_deviation_used() -> None:
    if not CASES:
        pytest.skip(f"oracle not found at {ORACLE}")
    variants = {(c["id"], i) for c in CASES for i in range(len(c["variants"]))}
    assert set(DEVIATIONS) <= variants
    assert set(CSV_AS_PARQUET) <= {c["id"] for c in CASES}
    assert len(PARAMS) == 2 * len(variants) == 90
