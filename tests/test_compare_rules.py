"""The rules of `dataops-diff compare` on planted fixtures (tests/fixtures_planted.py lists every
planted difference and its count), every input format, and the CLI contract."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fixtures_planted as planted
import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest
from conformance import mismatches

from dataops_diff import api
from dataops_diff.cli import main
from dataops_diff.engines.arrow_types import category, same_type
from dataops_diff.engines.plan import ColumnPair
from dataops_diff.engines.sql.duckdb_residue import hashed
from dataops_diff.errors import Interrupted
from dataops_diff.model import DatasetDiff, Report, to_dict
from dataops_diff.reports import json as json_report
from dataops_diff.spec import DatasetSpec

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return planted.write_outputs(tmp_path_factory.mktemp("planted"))


@pytest.fixture(scope="module")
def report(outputs: tuple[Path, Path]) -> Report:
    keys = {"orders": ("order_id",), "lines": ("order_id", "line"), "events": ("event_id",),
            "customers": ("customer_id",)}  # fmt: skip
    return api.compare(
        str(outputs[0]), str(outputs[1]), lambda n: DatasetSpec(key=keys.get(n, ("id",)))
    )


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)

    def run(*args: str | Path) -> tuple[int, str, str]:
        code = main(["compare", *map(str, args)])
        out, err = capsys.readouterr()
        return code, out, err

    return run


def _dataset(report: Report, name: str) -> DatasetDiff:
    return next(d for d in report.datasets if d.name == name)


def _orders_json(cli: Run, outputs: tuple[Path, Path], tmp_path: Path, *flags: str) -> Any:
    out = tmp_path / "r.json"
    code, _, err = cli(outputs[0] / "orders.parquet", outputs[1] / "orders.parquet",
                       "--key", "order_id", "--json", out, "--quiet", *flags)  # fmt: skip
    assert code == 1, err
    (d,) = json.loads(out.read_text())["datasets"]
    d["columns"] = {c["name"]: c for c in d["columns"]}
    return d


# ----------------------------------------------------------------------- the planted folders
def test_output_folders_pair_datasets_by_name(report: Report) -> None:
    assert tuple(d.name for d in report.datasets) == planted.DATASETS
    assert _dataset(report, "dropped").status == "only_in_production"
    assert _dataset(report, "added").status == "only_in_candidate"
    static = _dataset(report, "static")
    assert static.identical
    assert not static.has_differences
    assert report.verdict.status == "FAIL"


def test_orders_rows_schema_and_values(report: Report) -> None:
    d = _dataset(report, "orders")
    assert (d.production_rows, d.candidate_rows) == (planted.ORDERS_ROWS_P, planted.ORDERS_ROWS_C)
    assert mismatches(d, {
        "only_in_production": planted.ORDERS_ONLY_P, "only_in_candidate": planted.ORDERS_ONLY_C,
        "only_in_production_keys": tuple((i,) for i in planted.ORDERS_ONLY_P_IDS),
        "only_in_candidate_keys": tuple((i,) for i in planted.ORDERS_ONLY_C_IDS),
        "rows_with_differences": planted.ORDERS_CHANGED_ROWS,
        "columns.amount.unequal": 5, "columns.amount.max_abs_diff": 5.0,
        "columns.status.unequal": 2, "columns.customer.unequal": 2, "columns.note.unequal": 4,
        "columns.qty.unequal": 0, "columns.created.unequal": 0, "columns.region.unequal": 0,
        "schema.only_in_production": ("vendor", "legacy"),
        "schema.only_in_candidate": ("supplier", "channel"),
        "schema.type_changes": planted.TYPE_CHANGES,  # region (dictionary vs plain) is no change
    }) == []  # fmt: skip
    assert d.only_in_production_samples[0].values["customer"] == "c19"


def test_partitions_json_lines_csv_and_arrow_in_one_folder(report: Report) -> None:
    lines = _dataset(report, "lines")  # hive partitions, composite key
    expect = {"columns.price.unequal": 1, "columns.price.sample_keys": ((1, 2),),
              "only_in_candidate_keys": ((3, 1),), "matched_rows": 3}  # fmt: skip
    assert mismatches(lines, expect) == []
    assert lines.only_in_candidate_samples[0].values["day"] == 2  # the partition is a column
    assert mismatches(_dataset(report, "events"), {"columns.kind.unequal": 1}) == []
    assert mismatches(_dataset(report, "metrics"), {"columns.value.unequal": 1}) == []
    customers = _dataset(report, "customers")
    assert mismatches(customers, {
        "duplicates.candidate_keys": 1, "duplicates.candidate_rows": 2,
        "duplicates.groups_differing": 1, "duplicates.candidate_rows_unmatched": 1,
        "null_key_rows_production": 1, "null_key_rows_candidate": 1, "matched_rows": 3,
    }) == []  # fmt: skip


# ----------------------------------------------------------------------------------- options
@pytest.mark.parametrize(
    ("flags", "expect"),
    [
        (["--abs-tol", "0.01"], {"amount": 2, "rows": 10}),
        (["--abs-tol", "amount=0.01"], {"amount": 2, "rows": 10}),
        (["--rel-tol", "0.1"], {"amount": 0, "rows": 8}),
        (["--rel-tol", "amount=0.00001"], {"amount": 2, "rows": 10}),
        (["--ignore-case"], {"status": 0, "rows": 11}),
        (["--ignore-spaces"], {"customer": 0, "rows": 11}),
        (["--ignore-column", "note"], {"note": None, "rows": 9}),
        (["--rename", "vendor=supplier"], {"vendor": 1, "rows": 14}),
        (
            ["--abs-tol", "0.01", "--ignore-case", "--ignore-spaces", "--ignore-column", "note"],
            {"amount": 2, "status": 0, "customer": 0, "rows": 2},
        ),
    ],
)
def test_options(cli: Run, outputs: tuple[Path, Path], tmp_path: Path, flags: list[str],
                 expect: dict[str, int | None]) -> None:  # fmt: skip
    d = _orders_json(cli, outputs, tmp_path, *flags)
    assert d["rows_with_differences"] == expect.pop("rows")
    for column, unequal in expect.items():
        if unequal is None:
            assert column not in d["columns"]
        else:
            assert d["columns"][column]["unequal"] == unequal, column


def test_rename_and_ignore_are_reported(
    cli: Run, outputs: tuple[Path, Path], tmp_path: Path
) -> None:
    d = _orders_json(
        cli, outputs, tmp_path, "--rename", "vendor=supplier", "--ignore-column", "note"
    )
    assert d["columns"]["vendor"]["candidate_name"] == "supplier"
    assert d["schema"]["renamed"] == [{"production": "vendor", "candidate": "supplier"}]
    assert "supplier" not in [c["name"] for c in d["schema"]["only_in_candidate"]]
    assert d["ignored_columns"] == ["note"]


def test_samples_are_bounded_and_ordered_by_key(cli: Run, outputs: tuple[Path, Path],
                                                tmp_path: Path) -> None:  # fmt: skip
    d = _orders_json(cli, outputs, tmp_path, "--samples", "2")
    amount = d["columns"]["amount"]["samples"]
    assert [s["key"] for s in amount] == [{"order_id": 1}, {"order_id": 2}]
    assert (amount[0]["production"], amount[0]["candidate"]) == (101.0, 101.001)
    assert [r["values"]["order_id"] for r in d["only_in_candidate_samples"]] == [21, 22]
    none = _orders_json(cli, outputs, tmp_path, "--samples", "0")
    assert none["columns"]["amount"]["samples"] == []
    assert none["columns"]["amount"]["unequal"] == 5


# ----------------------------------------------------------------------------------- formats
@pytest.mark.parametrize(
    ("fmt", "ext"),
    [
        ("parquet", "parquet"),
        ("csv", "csv"),
        ("json", "jsonl"),
        ("arrow", "arrow"),
        ("arrow", "feather"),
    ],
)
def test_formats(tmp_path: Path, fmt: str, ext: str) -> None:
    p, c = tmp_path / f"p.{ext}", tmp_path / f"c.{ext}"
    planted.write_small(p, planted.SMALL_P, fmt)
    planted.write_small(c, planted.SMALL_C, fmt)
    (d,) = api.compare(str(p), str(c), DatasetSpec(key=("id",))).datasets
    assert mismatches(d, planted.SMALL_EXPECT) == []


def test_format_override(cli: Run, tmp_path: Path) -> None:
    p, c = tmp_path / "p.data", tmp_path / "c.data"
    planted.write_small(p, planted.SMALL_P, "parquet")
    planted.write_small(c, planted.SMALL_C, "parquet")
    code, _, err = cli(p, c, "--key", "id")
    assert code == 2
    assert "p.data" in err
    assert "--format" in err
    code, _, err = cli(p, c, "--key", "id", "--format", "parquet", "--quiet")
    assert (code, err) == (1, "")


def test_part_files_split_differently_compare_equal(tmp_path: Path) -> None:
    table = pa.table({"id": list(range(10)), "v": [float(i) for i in range(10)]})
    for side, cuts in (("production", (0, 3, 10)), ("candidate", (0, 7, 10))):
        (tmp_path / side).mkdir()
        for n, (a, b) in enumerate(itertools.pairwise(cuts)):
            pq.write_table(table.slice(a, b - a), tmp_path / side / f"part-{n}.parquet")
    report = api.compare(str(tmp_path / "production"), str(tmp_path / "candidate"),
                         DatasetSpec(key=("id",)))  # fmt: skip
    (d,) = report.datasets
    assert (d.matched_rows, d.identical, d.has_differences) == (10, False, False)


# ------------------------------------------------------------------------------------ schema
def test_encodings_are_not_type_changes_but_retyping_is() -> None:
    assert same_type("string", "large_string")
    assert same_type("dictionary<values=string, indices=int32, ordered=0>", "string")
    assert not same_type("int64", "double")
    assert not same_type("timestamp[us]", "timestamp[us, tz=UTC]")


@pytest.mark.parametrize(
    ("production", "candidate", "through_hash"),
    [
        ("string", "large_string", True),
        ("dictionary<values=string, indices=int32, ordered=0>", "string", True),
        ("int64", "string", True),  # compared as text: both sides hash VARCHAR
        ("timestamp[us, tz=UTC]", "timestamp[us, tz=UTC]", True),
        ("int32", "int64", False),  # retyped: compared as they are
        ("timestamp[us]", "timestamp[us, tz=UTC]", False),
        ("list<item: int64>", "list<item: int64>", False),  # null, [] and [null] hash alike
        ("struct<a: int64>", "struct<a: int64>", False),
    ],
)
def test_duckdb_hashes_only_same_scalar_types(
    production: str, candidate: str, through_hash: bool
) -> None:
    """Equal values must hash alike and a null must not hash like a value (docs/semantics.md)."""
    pair = ColumnPair(
        "v", "v", production, candidate, category(production), category(candidate), 0.0, 0.0
    )
    assert hashed(pair) is through_hash


def test_arrow_encodings_through_the_engine(tmp_path: Path) -> None:
    s = pa.array(["a", "b"])
    ts = pa.array([0, 3_600_000_000], pa.timestamp("us"))
    p = pa.table({"id": [1, 2], "s": s, "d": s, "t": ts})
    c = pa.table({"id": [1, 2], "s": s.cast(pa.large_string()), "d": s.dictionary_encode(),
                  "t": ts.cast(pa.timestamp("us", "UTC"))})  # fmt: skip
    feather.write_feather(p, str(tmp_path / "p.arrow"))
    feather.write_feather(c, str(tmp_path / "c.arrow"))
    (d,) = api.compare(str(tmp_path / "p.arrow"), str(tmp_path / "c.arrow"),
                       DatasetSpec(key=("id",))).datasets  # fmt: skip
    assert [t.column for t in d.schema.type_changes] == ["t"]
    assert d.rows_with_differences == 0


_SCALAR_TYPES = [
    "BOOLEAN", "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER",
    "UBIGINT", "FLOAT", "DOUBLE", "DECIMAL(4,1)", "DECIMAL(38,10)", "VARCHAR", "BLOB", "DATE",
    "TIME", "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMPTZ",
]  # fmt: skip
_OTHER_TYPES = ["HUGEINT", "INTERVAL", "INTEGER[]", "STRUCT(a INTEGER)"]


@pytest.mark.parametrize("types", [_SCALAR_TYPES, _SCALAR_TYPES + _OTHER_TYPES])
def test_duckdb_schema_names_the_types_pyarrow_would(tmp_path: Path, types: list[str]) -> None:
    """The DuckDB engine names scalar types itself, without importing pyarrow, exactly as DuckDB
    exports them to Arrow; a view with other types is named by pyarrow."""
    import duckdb

    from dataops_diff.datasets import open_dataset
    from dataops_diff.engines.duckdb import DuckDBEngine
    from dataops_diff.engines.duckdb_types import arrow_name as _arrow_name

    path = tmp_path / "types.parquet"
    columns = ", ".join(f"CAST(NULL AS {t}) AS c{i}" for i, t in enumerate(types))
    duckdb.sql(f"COPY (SELECT {columns}) TO '{path}' (FORMAT parquet)")
    engine = DuckDBEngine()
    try:
        named = engine.schema(open_dataset(str(path), "production", name="types"))
        relation = engine._con.sql(f"SELECT * FROM read_parquet('{path}')")
        exported = relation.to_arrow_table().schema
        by_engine = [_arrow_name(str(t)) for t in relation.types]
    finally:
        engine.close()
    declared = {"TIMESTAMP_MS": "timestamp[ms]"}  # the file says ms; DuckDB reads it back as us
    expected = [
        (f.name, declared.get(t, str(f.type))) for f, t in zip(exported, types, strict=True)
    ]
    assert [(c.name, c.type) for c in named] == expected
    assert len(named) == len(types)
    assert (None not in by_engine) is (types == _SCALAR_TYPES)


# ------------------------------------------------------------------------------ CLI contract
def test_exit_0_and_1(cli: Run, outputs: tuple[Path, Path]) -> None:
    static = (outputs[0] / "static.parquet", outputs[1] / "static.parquet")
    code, out, err = cli(*static, "--key", "id")
    assert (code, err) == (0, "")
    assert out.startswith("PASS")
    code, out, _ = cli(*outputs, *planted.KEY_ARGS, "--quiet")
    assert code == 1
    assert out.startswith("FAIL")


def test_json_report_round_trips(cli: Run, outputs: tuple[Path, Path], tmp_path: Path) -> None:
    path = tmp_path / "report.json"
    code, _, _ = cli(*outputs, *planted.KEY_ARGS, "--json", path, "--quiet")
    assert code == 1
    loaded = json_report.load(path.read_text(), str(path))
    assert loaded.schema_version == json.loads(path.read_text())["schema_version"]
    assert Report.from_dict(to_dict(loaded)) == loaded
    assert [d.name for d in loaded.datasets] == list(planted.DATASETS)


def _error_cases(tmp: Path, outputs: tuple[Path, Path]) -> list[tuple[list[str | Path], str]]:
    p, c = outputs[0] / "orders.parquet", outputs[1] / "orders.parquet"
    corrupt = tmp / "corrupt.parquet"
    corrupt.write_bytes(b"this is not parquet")
    return [
        ([p, c, "--key", "nope"], "'nope'"),
        ([p, c, "--key", "ID"], "'ID'"),
        ([tmp / "missing.parquet", c, "--key", "order_id"], "missing.parquet"),
        ([corrupt, c, "--key", "order_id"], "corrupt.parquet"),
        ([p, c, "--key", "order_id", "--abs-tol", "x"], "--abs-tol"),
        ([p, c, "--key", "order_id", "--rename", "nope=x"], "--rename"),
        ([p, c, "--key", "order_id", "--format", "xls"], "xls"),
        ([p, c], "--key"),
        ([p, c, "--key", "order_id", "--abs-tol", "status=1"], "status"),
    ]


def test_exit_2_one_line_naming_the_cause(cli: Run, outputs: tuple[Path, Path],
                                          tmp_path: Path) -> None:  # fmt: skip
    for args, named in _error_cases(tmp_path, outputs):
        code, out, err = cli(*args)
        assert code == 2, (args, err)
        lines = err.splitlines()
        assert len(lines) == 1, err
        assert lines[0].startswith("dataops-diff: error: "), err
        assert named in lines[0], (named, err)
        assert "Traceback" not in err + out


def test_debug_shows_the_traceback(cli: Run, outputs: tuple[Path, Path]) -> None:
    code, _, err = cli(outputs[0] / "orders.parquet", outputs[1] / "orders.parquet",
                       "--key", "nope", "--debug")  # fmt: skip
    assert code == 2
    assert "Traceback" in err
    assert err.splitlines()[-1].startswith("dataops-diff: error: ")


def test_hostile_names_and_values_render(cli: Run, tmp_path: Path) -> None:
    p = pa.table({"[/bold]": [1, 2], 'q"uote': ["[red]x", "ünï"], "[b]": ["'", "\\"]})
    c = pa.table({"[/bold]": [1, 2], 'q"uote': ["[/red]y", "ünï"], "[b]": ['"', "\\"]})
    pq.write_table(p, tmp_path / "p.parquet")
    pq.write_table(c, tmp_path / "c.parquet")
    code, out, err = cli(tmp_path / "p.parquet", tmp_path / "c.parquet", "--key", "[/bold]")
    assert (code, err) == (1, "")
    for shown in ("[red]x", "[/red]y", 'q"uote', "[/bold]"):
        assert shown in out


def test_console_script_exit_code(outputs: tuple[Path, Path]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dataops_diff", "compare", *map(str, outputs), *planted.KEY_ARGS,
         "--quiet"], capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("FAIL")


@pytest.mark.parametrize("raised", [KeyboardInterrupt(), Interrupted("interrupted")])
def test_interrupt_exits_130(
    cli: Run, outputs: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, raised: BaseException
) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> Report:
        raise raised

    monkeypatch.setattr(api, "compare", interrupted)
    code, _, err = cli(*outputs, *planted.KEY_ARGS)
    assert code == 130
    assert "Traceback" not in err
