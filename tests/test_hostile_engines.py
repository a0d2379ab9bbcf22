"""Hostile inputs for the engines (issues 11 and 12): each defect class fixed at its root, several
variants each. Engine-level cases run on every registered engine through the conformance
machinery (Spark ones are marked ``spark``); CLI cases assert the exit code, the one stderr line
and that no input changed.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conformance import (
    ENGINES,
    Case,
    close_engines,
    engine_for,
    mismatches,
    run_case,
    spec,
    table,
)
from fake_engine import FakeEngine, register
from hostile import assert_error, invoke, snapshot

from dataops_diff.api import compare
from dataops_diff.datasets import open_dataset
from dataops_diff.engines import memory
from dataops_diff.engines.sql.dialect import DUCKDB, SPARK
from dataops_diff.errors import SchemaError, UsageError
from dataops_diff.spec import DatasetSpec

NULL_HASH = -2930909409056394622  # DuckDB: hash(NULL) == hash(this BIGINT)


@pytest.fixture(scope="module", autouse=True)
def _engines() -> Iterator[None]:
    yield
    close_engines()


def _i64(values: list[Any]) -> pa.Array:
    return pa.array(values, pa.int64())


ENGINE_CASES = [
    Case(
        "case_sensitive_columns",
        "Amount and amount are two columns; each compares with its own",
        table(id=[1, 2], Amount=[1.0, 2.0], amount=[10.0, 20.0]),
        table(id=[1, 2], Amount=[1.0, 2.5], amount=[10.0, 20.0]),
        spec("id"),
        {
            "columns": ("Amount", "amount"),
            "columns.Amount.unequal": 1,
            "columns.amount.unequal": 0,
            "rows_with_differences": 1,
        },
    ),
    Case(
        "case_sensitive_tolerance",
        "a tolerance named for amount applies to amount only, not Amount",
        table(id=[1, 2], Amount=[1.0, 2.0], amount=[10.0, 20.0]),
        table(id=[1, 2], Amount=[1.5, 2.0], amount=[10.5, 20.0]),
        spec("id", column_abs_tol={"amount": 1.0}),
        {"columns.Amount.unequal": 1, "columns.amount.unequal": 0},
    ),
    Case(
        "case_sensitive_ignore",
        "ignoring amount leaves Amount compared",
        table(id=[1], Amount=[1], amount=[2]),
        table(id=[1], Amount=[3], amount=[4]),
        spec("id", ignore_columns=("amount",)),
        {"columns": ("Amount",), "ignored_columns": ("amount",), "columns.Amount.unequal": 1},
    ),
    Case(
        "case_sensitive_three_spellings",
        "Amount, amount and AMOUNT are three columns",
        table(id=[1], Amount=[1], amount=[2], AMOUNT=[3]),
        table(id=[1], Amount=[1], amount=[2], AMOUNT=[4]),
        spec("id"),
        {
            "columns": ("Amount", "amount", "AMOUNT"),
            "columns.AMOUNT.unequal": 1,
            "columns.amount.unequal": 0,
        },
    ),
    Case(
        "suffixed_name_is_a_real_name",
        "a column really named amount_1 beside amount keeps its name",
        table(id=[1], amount=[1], amount_1=[2]),
        table(id=[1], amount=[1], amount_1=[5]),
        spec("id"),
        {"columns": ("amount", "amount_1"), "columns.amount_1.unequal": 1},
    ),
    Case(
        "null_to_the_null_hash",
        "a null that becomes the BIGINT DuckDB hashes like NULL is a change",
        table(id=[1, 2], v=_i64([None, 5]), w=["a", "b"]),
        table(id=[1, 2], v=_i64([NULL_HASH, 5]), w=["a", "b"]),
        spec("id"),
        {"rows_with_differences": 1, "columns.v.null_to_value": 1},
    ),
    Case(
        "null_hash_value_to_null",
        "the BIGINT that hashes like NULL becoming null is a change, beside other nulls",
        table(id=[1, 2, 3], v=_i64([NULL_HASH, None, 1]), w=_i64([None, 2, None])),
        table(id=[1, 2, 3], v=_i64([None, None, 1]), w=_i64([None, 2, None])),
        spec("id"),
        {"rows_with_differences": 1, "columns.v.value_to_null": 1, "columns.w.unequal": 0},
    ),
    Case(
        "duplicate_groups_sampled",
        "a differing duplicate-key group is sampled, and every row is counted once",
        table(id=[1, 1, 2, 3], v=[1, 2, 5, 7]),
        table(id=[1, 1, 2, 4], v=[1, 3, 5, 8]),
        spec("id"),
        {
            "matched_rows": 1,
            "only_in_production": 1,
            "only_in_candidate": 1,
            "duplicates.groups_differing": 1,
            "duplicates.production_group_rows": 2,
            "duplicates.candidate_group_rows": 2,
        },
    ),
]


def _param(engine: str, case: Case | None) -> object:
    marks = [pytest.mark.spark] if engine == "spark" else []
    if case is None:
        return pytest.param(engine, id=engine, marks=marks)
    return pytest.param(engine, case, id=f"{engine}-{case.name}", marks=marks)


@pytest.mark.parametrize(("engine", "case"), [_param(e, c) for e in ENGINES for c in ENGINE_CASES])
def test_engine_case(engine: str, case: Case, tmp_path: Path) -> None:
    diff = run_case(engine, case, tmp_path)
    assert mismatches(diff, case.expect) == [], case.rule
    if case.name == "duplicate_groups_sampled":
        (sample,) = diff.duplicates.samples
        assert sample.key == {"id": 1}
        assert sample.production == [{"id": 1, "v": 1}, {"id": 1, "v": 2}]
        assert sample.candidate == [{"id": 1, "v": 1}, {"id": 1, "v": 3}]


@pytest.mark.parametrize("engine", [_param(e, None) for e in ENGINES])
def test_describe_one_side(engine: str, tmp_path: Path) -> None:
    """A dataset one version lacks: its rows, schema and first rows by value, in every engine."""
    path = tmp_path / "alone.parquet"
    pq.write_table(table(id=[3, 1, 2], s=["c", None, "b"], t=[1.5, 2.5, None]), path)
    seen = engine_for(engine).describe(open_dataset(str(path), "production"), "production", 2)
    assert seen.rows == 3
    assert [(c.name, c.type) for c in seen.columns] == [("id", "int64"), ("s", "string"),
                                                        ("t", "double")]  # fmt: skip
    assert [r.values for r in seen.samples] == [
        {"id": 1, "s": None, "t": 2.5},
        {"id": 2, "s": "b", "t": None},
    ]


@pytest.mark.parametrize("engine", [e for e in ENGINES if e != "spark"])
def test_extreme_doubles_keep_profiles_finite(engine: str, tmp_path: Path) -> None:
    big = 1.7e308
    case = Case(
        "extreme_doubles",
        "doubles spanning more than the float range give finite edges and a finite PSI",
        table(id=[1, 2, 3, 4], x=[big, -big, math.inf, math.nan]),
        table(id=[1, 2, 3, 4], x=[big, -0.5 * big, math.inf, 1.0]),
        spec("id"),
    )
    shift = run_case(engine, case, tmp_path).columns[0].shift
    assert shift is not None
    assert shift.psi is not None
    assert math.isfinite(shift.psi)
    assert all(math.isfinite(e) for e in shift.bin_edges)
    assert len(shift.bin_edges) == 21
    assert sum(shift.production.histogram) == 2
    assert shift.production.nonfinite == 2


# ------------------------------------------------------------------------------ the CLI
def _pq(path: Path, **columns: Any) -> Path:
    pq.write_table(table(**columns), path)
    return path


def _json(path: Path) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(path.read_text())
    return report


@pytest.mark.parametrize("fmt", ["parquet", "csv", "json"])
def test_case_sensitive_columns_in_every_format(
    fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p, c = tmp_path / f"p.{fmt}", tmp_path / f"c.{fmt}"
    rows = {"p": [(1, 1, 10), (2, 2, 20)], "c": [(1, 1, 10), (2, 2, 21)]}
    for path, name in ((p, "p"), (c, "c")):
        if fmt == "parquet":
            ids, upper, lower = zip(*rows[name], strict=True)
            _pq(path, id=list(ids), Amount=list(upper), amount=list(lower))
        elif fmt == "csv":
            path.write_text(
                "id,Amount,amount\n" + "".join(f"{a},{b},{x}\n" for a, b, x in rows[name])
            )
        else:
            path.write_text("".join(
                json.dumps({"id": a, "Amount": b, "amount": x}) + "\n" for a, b, x in rows[name]
            ))  # fmt: skip
    before = snapshot(p, c)
    out = tmp_path / "r.json"
    outcome = invoke(capsys, "compare", p, c, "--key", "id", "--json", out, "--quiet")
    assert outcome.code == 1, outcome.stderr
    (d,) = _json(out)["datasets"]
    assert {col["name"]: col["unequal"] for col in d["columns"]} == {"Amount": 0, "amount": 1}
    ignored = invoke(capsys, "compare", p, c, "--key", "id", "--ignore-column", "amount")
    assert ignored.code == 0, ignored.stderr
    tolerated = invoke(capsys, "compare", p, c, "--key", "id", "--abs-tol", "amount=1")
    assert tolerated.code == 0, tolerated.stderr
    assert snapshot(p, c) == before


def test_refused_memory_limit_leaves_no_spill_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _pq(tmp_path / "p.parquet", id=[1], v=[1])
    spill = tmp_path / "spill"
    spill.mkdir()
    before = snapshot(p)
    for limit in ("50MB", "2MB", "plenty"):
        outcome = invoke(capsys, "compare", p, p, "--key", "id", "--memory-limit", limit,
                         "--temp-dir", spill)  # fmt: skip
        assert_error(outcome, 2, "--memory-limit")
        assert not [f for f in spill.iterdir() if f.name.startswith(memory.SPILL_PREFIX)]
    assert snapshot(p) == before


@pytest.mark.parametrize(
    ("flags", "fragments"),
    [
        (["--rename", "a=x", "--rename", "b=x"], ["'a'", "'b'", "'x'"]),
        (["--rename", "a=id"], ["--rename a=id", "key"]),
        (["--samples", "1000000"], ["samples", "10000"]),
    ],
)
def test_bad_settings_are_one_clear_line(
    flags: list[str], fragments: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    p = _pq(tmp_path / "p.parquet", id=[1, 2], a=[1, 2], b=[3, 4])
    c = _pq(tmp_path / "c.parquet", id=[1, 2], x=[1, 2], b=[3, 4])
    before = snapshot(p, c)
    assert_error(invoke(capsys, "compare", p, c, "--key", "id", *flags), 2, *fragments)
    assert snapshot(p, c) == before


@pytest.mark.parametrize("missing", ["candidate", "production"])
def test_one_sided_dataset_reports_rows_schema_and_samples(
    missing: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prod, cand = tmp_path / "production", tmp_path / "candidate"
    for folder in (prod, cand):
        folder.mkdir()
        _pq(folder / "orders.parquet", id=[1, 2], v=[1, 2])
    _pq(
        (prod if missing == "candidate" else cand) / "alone.parquet",
        id=[3, 1, 2],
        s=["c", "a", "b"],
    )
    before = snapshot(prod, cand)
    out = tmp_path / "r.json"
    invoke(capsys, "compare", prod, cand, "--key", "id", "--json", out, "--quiet")
    d = next(d for d in _json(out)["datasets"] if d["name"] == "alone")
    side = "production" if missing == "candidate" else "candidate"
    other = "candidate" if side == "production" else "production"
    assert (d[f"{side}_rows"], d[f"{other}_rows"]) == (3, None)
    assert (d[f"only_in_{side}"], d[f"only_in_{other}"]) == (3, 0)
    assert [c["name"] for c in d["schema"][f"only_in_{side}"]] == ["id", "s"]
    assert [s["values"]["id"] for s in d[f"only_in_{side}_samples"]] == [1, 2, 3]
    assert snapshot(prod, cand) == before


# ------------------------------------------------------------------------- the library
@pytest.mark.parametrize(
    ("settings", "fragment"),
    [
        ({"abs_tol": math.inf}, "abs_tol is inf"),
        ({"abs_tol": math.nan}, "abs_tol is nan"),
        ({"rel_tol": -1e-9}, "rel_tol is -1e-09"),
        ({"column_abs_tol": {"x": math.inf}}, "abs_tol of column 'x'"),
        ({"column_rel_tol": {"x": -1.0}}, "rel_tol of column 'x'"),
        ({"samples": -1}, "samples is -1"),
        ({"samples": 10**6}, "samples is 1000000"),
        ({"renames": {"a": "x", "b": "x"}}, "one candidate column"),
        ({"ignore_columns": ("id",)}, "key column 'id' is also ignored"),
    ],
)
def test_dataset_spec_is_validated(settings: dict[str, Any], fragment: str) -> None:
    with pytest.raises(UsageError) as info:
        DatasetSpec(key=("id",), **settings)
    assert fragment in str(info.value)


@pytest.mark.parametrize("value", [1e-06, 0.1, 1e308, 5e-324, math.inf, -math.inf, 0.0])
def test_double_literals_read_back_exactly(value: float) -> None:
    for dialect in (DUCKDB, SPARK):
        assert dialect.double(value).startswith("CAST('")
    row = duckdb.connect().execute(f"SELECT {DUCKDB.double(value)}").fetchone()
    assert row is not None
    assert row[0] == value


def test_rename_onto_the_key_is_a_schema_error(tmp_path: Path) -> None:
    p = _pq(tmp_path / "p.parquet", id=[1], a=[1])
    with pytest.raises(SchemaError, match="key column"):
        compare(str(p), str(p), DatasetSpec(key=("id",), renames={"a": "id"}))


def test_fake_engine_serves_the_layers_above(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A third engine is a module plus a registry entry: the API, policy and report run on it."""
    register(monkeypatch)
    p = _pq(tmp_path / "p.parquet", id=[1, 2, 3], v=[1.0, 2.0, 3.0])
    c = _pq(tmp_path / "c.parquet", id=[1, 2, 4], v=[1.0, 2.5, 4.0])
    report = compare(str(p), str(c), DatasetSpec(key=("id",)), engine="fake")
    (d,) = report.datasets
    assert (d.matched_rows, d.only_in_production, d.only_in_candidate) == (2, 1, 1)
    assert d.columns[0].unequal == 1
    assert d.columns[0].samples[0].key == {"id": 2}
    assert (report.verdict.status, report.engine) == ("FAIL", "fake")
    tolerant = compare(str(p), str(p), DatasetSpec(key=("id",), abs_tol=1.0), engine="fake")
    assert tolerant.verdict.status == "PASS"
    engine = FakeEngine()
    engine.close()
    assert engine.closed
