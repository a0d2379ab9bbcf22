"""Hostile inputs for the read layer: file names that look like globs, empty, corrupt, truncated,
ragged and mis-encoded files, hive partition values holding `=`, Arrow IPC streams, and types that
DuckDB's reading collapses.

Errors: exit 2, one stderr line naming the side and the file (and line) and the fix, inputs
unchanged. Wrong-result classes: the right counts and verdict.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.feather as feather
import pyarrow.parquet as pq
import pytest
from hostile import assert_error, invoke, snapshot

from dataops_diff.errors import SpecError
from dataops_diff.spec import parse

Capsys = pytest.CaptureFixture[str]


def compare(
    capsys: Capsys, tmp_path: Path, production: Path, candidate: Path, *extra: str
) -> tuple[int, dict[str, Any]]:
    """Exit code and the one dataset of the JSON report; inputs unchanged."""
    report = tmp_path / "reports" / f"r{len(list(tmp_path.glob('reports/*')))}.json"
    report.parent.mkdir(exist_ok=True)
    before = snapshot(production, candidate)
    out = invoke(capsys, "compare", production, candidate, "--key", "id", "--quiet",
                 "--no-profiles", "--json", report, *extra)  # fmt: skip
    assert snapshot(production, candidate) == before
    assert out.stderr == "", out.stderr
    (dataset,) = json.loads(report.read_text())["datasets"]
    return out.code, dataset


def failing(capsys: Capsys, production: Path, candidate: Path, *fragments: str) -> str:
    """The one error line of a compare that cannot read an input; inputs unchanged."""
    before = snapshot(production, candidate)
    out = invoke(capsys, "compare", production, candidate, "--key", "id", "--no-profiles", "-q")
    line = assert_error(out, 2, *fragments)
    assert snapshot(production, candidate) == before
    return line


def parquet(path: Path, **columns: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(columns), path)
    return path


def text(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode()
    path.write_bytes(content)
    return path


# ------------------------------------------------------------------ paths are read literally
@pytest.mark.parametrize(
    ("name", "decoy"),
    [
        ("b*.parquet", "bx.parquet"),
        ("c[1].parquet", "c1.parquet"),
        ("q?.parquet", "qx.parquet"),
        ("d{a,b}.parquet", "da.parquet"),
        ("s**.parquet", "sxy.parquet"),
    ],
)
def test_glob_characters_in_a_file_name_are_literal(
    capsys: Capsys, tmp_path: Path, name: str, decoy: str
) -> None:
    production = parquet(tmp_path / "p" / name, id=[1], v=["a"])
    parquet(tmp_path / "p" / decoy, id=[2], v=["decoy"])
    candidate = parquet(tmp_path / "c" / "x.parquet", id=[1], v=["a"])
    code, found = compare(capsys, tmp_path, production, candidate)
    assert (code, found["production_rows"], found["matched_rows"]) == (0, 1, 1)


def test_glob_characters_in_folder_names_are_literal(capsys: Capsys, tmp_path: Path) -> None:
    production = tmp_path / "out[1]*"
    parquet(production / "part-0.parquet", id=[1, 2], v=["a", "b"])
    parquet(tmp_path / "out1x" / "part-0.parquet", id=[3], v=["decoy"])
    candidate = parquet(tmp_path / "c" / "orders.parquet", id=[1, 2], v=["a", "B"])
    code, found = compare(capsys, tmp_path, production, candidate)
    assert (code, found["production_rows"], found["rows_with_differences"]) == (1, 2, 1)


@pytest.mark.parametrize("name", ["a b.csv", "it's.csv", "ünï€ode.csv", "-dash.csv", "x,y.csv"])
def test_odd_file_names_are_read(capsys: Capsys, tmp_path: Path, name: str) -> None:
    production = text(tmp_path / "p" / name, "id,v\n1,a\n2,b\n")
    candidate = text(tmp_path / "c" / name, "id,v\n1,a\n2,c\n")
    code, found = compare(capsys, tmp_path, production, candidate)
    assert (code, found["matched_rows"], found["rows_with_differences"]) == (1, 2, 1)


def test_a_symlinked_file_is_read(capsys: Capsys, tmp_path: Path) -> None:
    real = parquet(tmp_path / "real" / "orders.parquet", id=[1, 2], v=["a", "b"])
    production = tmp_path / "p" / "orders.parquet"
    production.parent.mkdir()
    production.symlink_to(real)
    candidate = parquet(tmp_path / "c" / "orders.parquet", id=[1, 2], v=["a", "x"])
    code, found = compare(capsys, tmp_path, production, candidate)
    assert (code, found["production_rows"], found["rows_with_differences"]) == (1, 2, 1)


# ------------------------------------------------------------------------------- empty files
@pytest.mark.parametrize("ext", ["csv", "json", "jsonl", "parquet", "arrow", "arrows"])
def test_an_empty_file_is_named(capsys: Capsys, tmp_path: Path, ext: str) -> None:
    candidate = text(tmp_path / f"c.{ext}", b"")
    production = text(tmp_path / f"p.{ext}", b"")
    failing(capsys, production, candidate, f"production file '{production}' is empty")


VALID = {"o.csv": "id\n1\n", "o.jsonl": '{"id": 1}\n', "o.json": '[{"id": 1}]'}


@pytest.mark.parametrize(
    ("name", "body"), [("o.csv", "\n\n"), ("o.jsonl", " \n"), ("o.json", "[]")]
)
def test_a_blank_text_file_is_empty(capsys: Capsys, tmp_path: Path, name: str, body: str) -> None:
    production = text(tmp_path / "p" / name, body)
    candidate = text(tmp_path / "c" / name, VALID[name])
    failing(capsys, production, candidate, f"production file '{production}' is empty")


def test_an_empty_part_file_beside_others_is_skipped(capsys: Capsys, tmp_path: Path) -> None:
    production = tmp_path / "p" / "orders"
    text(production / "part-0.csv", "id,v\n1,a\n")
    text(production / "part-1.csv", b"")
    candidate = text(tmp_path / "c" / "orders.csv", "id,v\n1,a\n")
    code, found = compare(capsys, tmp_path, production, candidate)
    assert (code, found["production_rows"], found["matched_rows"]) == (0, 1, 1)


# ------------------------------------------------------------------------- header-only CSV
@pytest.mark.parametrize("swap", [False, True])
def test_a_header_only_csv_has_no_types(capsys: Capsys, tmp_path: Path, swap: bool) -> None:
    empty = text(tmp_path / "e" / "orders.csv", "id,amount,day\n")
    full = text(tmp_path / "f" / "orders.csv", "id,amount,day\n1,2.5,2024-01-01\n2,3,2024-01-02\n")
    production, candidate = (full, empty) if swap else (empty, full)
    code, found = compare(capsys, tmp_path, production, candidate)
    assert found["schema"]["type_changes"] == []
    lost, new = (2, 0) if swap else (0, 2)
    assert (code, found["only_in_production"], found["only_in_candidate"]) == (1, lost, new)


def test_an_all_empty_csv_column_has_no_type(capsys: Capsys, tmp_path: Path) -> None:
    production = text(tmp_path / "p" / "orders.csv", "id,note\n1,\n2,\n")
    candidate = text(tmp_path / "c" / "orders.csv", "id,note\n1,\n2,7\n")
    code, found = compare(capsys, tmp_path, production, candidate)
    assert found["schema"]["type_changes"] == []
    assert (code, found["rows_with_differences"]) == (1, 1)


# ------------------------------------------------------------------------------- ragged CSV
@pytest.mark.parametrize(
    ("body", "line", "fields"),
    [
        ("id,v\n1,a\n2,b,c\n3,d\n", 3, 3),
        ("id,v\n1,a\n2\n3,d\n", 3, 1),
        ("id,v\n1,a\n2,b\n3,d,e,f\n", 4, 4),
    ],
)
def test_a_ragged_row_is_named_with_file_and_line(
    capsys: Capsys, tmp_path: Path, body: str, line: int, fields: int
) -> None:
    production = text(tmp_path / "p.csv", "id,v\n1,a\n2,b\n3,d\n")
    candidate = text(tmp_path / "c.csv", body)
    error = failing(
        capsys, production, candidate,
        f"candidate file '{candidate}' line {line} has {fields} fields", "header has 2",
    )  # fmt: skip
    assert "--format" not in error


def test_a_ragged_row_far_down_is_named(capsys: Capsys, tmp_path: Path) -> None:
    rows = "".join(f"{i},{i}\n" for i in range(35_000))
    production = text(tmp_path / "p.csv", "id,v\n" + rows)
    candidate = text(tmp_path / "c.csv", "id,v\n" + rows + "35000,1,2\n")
    error = failing(capsys, production, candidate, "candidate file", "c.csv", "line 35002")
    assert "--format" not in error


def test_a_ragged_tsv_row_is_named(capsys: Capsys, tmp_path: Path) -> None:
    production = text(tmp_path / "p.tsv", "id\tv\n1\ta\n2\tb\n")
    candidate = text(tmp_path / "c.tsv", "id\tv\n1\ta\n2\tb\tc\n")
    failing(capsys, production, candidate, f"candidate file '{candidate}' line 3 has 3 fields")


# --------------------------------------------------------------------------------- encodings
def test_latin1_without_encoding_says_so(capsys: Capsys, tmp_path: Path) -> None:
    production = text(tmp_path / "p.csv", "id,v\n1,café\n".encode("latin-1"))
    candidate = text(tmp_path / "c.csv", "id,v\n1,café\n")
    failing(
        capsys, production, candidate,
        f"production file '{production}' is not UTF-8", "encoding", "--encoding latin-1",
    )  # fmt: skip


def test_late_bad_byte_is_named(capsys: Capsys, tmp_path: Path) -> None:
    rows = "".join(f"{i},v{i}\n" for i in range(30_000)).encode()
    production = text(tmp_path / "p.csv", b"id,v\n" + rows)
    candidate = text(tmp_path / "c.csv", b"id,v\n" + rows + "30000,caf\xe9\n".encode("latin-1"))
    failing(capsys, production, candidate, "candidate file", "c.csv", "not UTF-8", "--encoding")


def test_json_not_utf8_says_so(capsys: Capsys, tmp_path: Path) -> None:
    production = text(tmp_path / "p.jsonl", '{"id": 1, "v": "café"}\n'.encode("latin-1"))
    candidate = text(tmp_path / "c.jsonl", '{"id": 1, "v": "café"}\n')
    failing(capsys, production, candidate, f"production file '{production}'", "not UTF-8")


@pytest.mark.parametrize(
    ("encoding", "ext"), [("latin-1", "csv"), ("cp1252", "csv"), ("cp1252", "jsonl")]
)
def test_encoding_option_reads_the_file(
    capsys: Capsys, tmp_path: Path, encoding: str, ext: str
) -> None:
    body = "id,v\n1,café €\n2,naïve\n" if ext == "csv" else '{"id":1,"v":"café"}\n'
    if encoding == "latin-1":
        body = body.replace(" €", "")
    production = text(tmp_path / "p" / f"o.{ext}", body.encode(encoding))
    candidate = text(tmp_path / "c" / f"o.{ext}", body.encode(encoding))
    text(tmp_path / "u" / f"o.{ext}", body)
    code, found = compare(capsys, tmp_path, production, candidate, "--encoding", encoding)
    assert (code, found["identical"]) == (0, True)
    code, found = compare(
        capsys, tmp_path, production, tmp_path / "u" / f"o.{ext}", "--encoding", encoding
    )
    # the candidate is UTF-8, read as the other encoding too: its non-ASCII values differ
    assert code == 1
    assert found["rows_with_differences"] >= 1


def test_utf16_with_a_byte_order_mark_is_read(capsys: Capsys, tmp_path: Path) -> None:
    production = text(tmp_path / "p" / "o.csv", "id,v\n1,café\n".encode("utf-16"))
    candidate = text(tmp_path / "c" / "o.csv", "id,v\n1,café\n")
    code, found = compare(capsys, tmp_path, production, candidate)
    assert (code, found["matched_rows"], found["rows_with_differences"]) == (0, 1, 0)


def test_a_wrong_encoding_is_named(capsys: Capsys, tmp_path: Path) -> None:
    production = text(tmp_path / "p.csv", b"id,v\n1,a\n" + b"\xff\xfe\xfd")
    candidate = text(tmp_path / "c.csv", "id,v\n1,a\n")
    before = snapshot(production, candidate)
    out = invoke(capsys, "compare", production, candidate, "--key", "id", "--encoding", "utf-16")
    assert_error(out, 2, "production file", "is not utf-16 text")
    assert snapshot(production, candidate) == before


def test_an_unknown_encoding_is_refused(capsys: Capsys, tmp_path: Path) -> None:
    production = text(tmp_path / "p.csv", "id\n1\n")
    out = invoke(capsys, "compare", production, production, "--key", "id", "--encoding", "nope")
    assert_error(out, 2, "--encoding 'nope'", "latin-1")


def test_run_spec_encoding_key_is_checked() -> None:
    data = {"pipeline": {"command": ["true", "{output}"]}, "defaults": {"encoding": "klingon"}}
    with pytest.raises(SpecError, match=r"defaults\.encoding"):
        parse(data, "dataops-diff.toml")
    data["defaults"] = {"encoding": "latin-1", "key": ["id"]}
    assert parse(data, "dataops-diff.toml").defaults.encoding == "latin-1"


# ------------------------------------------------------------------- hive values holding '='
def test_a_partition_value_holding_equals_is_kept(capsys: Capsys, tmp_path: Path) -> None:
    production, candidate = tmp_path / "p" / "orders", tmp_path / "c" / "orders"
    parquet(production / "tag=c=d=e" / "part-0.parquet", id=[1, 2], v=[1, 2])
    parquet(production / "tag=c=d=f" / "part-0.parquet", id=[3], v=[3])
    parquet(candidate / "tag=c=d=e" / "part-0.parquet", id=[1], v=[1])
    parquet(candidate / "tag=c=d=f" / "part-0.parquet", id=[2, 3], v=[2, 3])  # 2 moved
    code, found = compare(capsys, tmp_path, production, candidate)
    assert (code, found["matched_rows"], found["rows_with_differences"]) == (1, 3, 1)
    (tag,) = [c for c in found["columns"] if c["name"] == "tag"]
    assert tag["unequal"] == 1


def test_url_encoded_partition_values_are_decoded(capsys: Capsys, tmp_path: Path) -> None:
    production, candidate = tmp_path / "p" / "orders", tmp_path / "c" / "orders"
    parquet(production / "tag=a%3Db" / "part-0.parquet", id=[1], v=[1])
    parquet(production / "tag=__HIVE_DEFAULT_PARTITION__" / "part-0.parquet", id=[2], v=[2])
    parquet(candidate / "tag=a=b" / "part-0.parquet", id=[1], v=[1])
    parquet(candidate / "tag=__HIVE_DEFAULT_PARTITION__" / "part-0.parquet", id=[2], v=[2])
    code, found = compare(capsys, tmp_path, production, candidate)
    assert (code, found["matched_rows"], found["rows_with_differences"]) == (0, 2, 0)


def test_typed_partition_values_keep_their_types(capsys: Capsys, tmp_path: Path) -> None:
    production, candidate = tmp_path / "p" / "orders", tmp_path / "c" / "orders"
    for side in (production, candidate):
        parquet(side / "day=2024-01-01" / "n=1" / "part-0.parquet", id=[1], v=[1])
        parquet(side / "day=2024-01-02" / "n=2" / "part-0.parquet", id=[2], v=[2])
    parquet(candidate / "day=2024-01-02" / "n=2" / "part-0.parquet", id=[2], v=[3])
    code, found = compare(capsys, tmp_path, production, candidate)
    types = {c["name"]: c["production_type"] for c in found["columns"]}
    assert (types["day"], types["n"]) == ("date32[day]", "int64")
    assert (code, found["rows_with_differences"]) == (1, 1)


# --------------------------------------------------------------------------- Arrow IPC streams
def stream(path: Path, table: pa.Table) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with pa.ipc.new_stream(path, table.schema) as writer:
        writer.write_table(table)
    return path


@pytest.mark.parametrize("name", ["o.arrows", "o.arrow", "o.feather"])
def test_an_arrow_stream_is_read_whatever_its_extension(
    capsys: Capsys, tmp_path: Path, name: str
) -> None:
    production = stream(tmp_path / "p" / name, pa.table({"id": [1, 2], "v": ["a", "b"]}))
    candidate = parquet(tmp_path / "c" / "o.parquet", id=[1, 2], v=["a", "c"])
    code, found = compare(capsys, tmp_path, production, candidate)
    assert (code, found["production_rows"], found["rows_with_differences"]) == (1, 2, 1)


def test_a_folder_of_stream_parts_keeps_its_partitions(capsys: Capsys, tmp_path: Path) -> None:
    production, candidate = tmp_path / "p" / "orders", tmp_path / "c" / "orders"
    for side, v in ((production, "a"), (candidate, "b")):
        stream(side / "day=1" / "part-0.arrows", pa.table({"id": [1], "v": [v]}))
        feather.write_feather(pa.table({"id": [2], "v": ["x"]}), str(side / "part-1.arrows"))
    code, found = compare(capsys, tmp_path, production, candidate)
    assert (code, found["production_rows"], found["rows_with_differences"]) == (1, 2, 1)
    assert "day" in {c["name"] for c in found["columns"]}


# ------------------------------------------------------------------ corrupt and truncated files
def truncated(path: Path, source: Path) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def test_a_truncated_parquet_file_is_named(capsys: Capsys, tmp_path: Path) -> None:
    good = parquet(tmp_path / "good.parquet", id=list(range(100)), v=list(range(100)))
    candidate = truncated(tmp_path / "c.parquet", good)
    failing(capsys, good, candidate, f"candidate dataset '{candidate}'", "as parquet")


def test_a_truncated_arrow_file_is_named(capsys: Capsys, tmp_path: Path) -> None:
    good = tmp_path / "good.arrow"
    feather.write_feather(pa.table({"id": list(range(100))}), str(good), compression="uncompressed")
    candidate = truncated(tmp_path / "c.arrow", good)
    failing(capsys, good, candidate, f"candidate dataset '{candidate}'", "as arrow")


def test_a_truncated_stream_is_named(capsys: Capsys, tmp_path: Path) -> None:
    good = stream(tmp_path / "good.arrows", pa.table({"id": list(range(100))}))
    candidate = truncated(tmp_path / "c.arrows", good)
    failing(capsys, good, candidate, f"candidate dataset '{candidate}'", "as arrow")


def test_a_truncated_json_file_is_named(capsys: Capsys, tmp_path: Path) -> None:
    production = text(tmp_path / "p.jsonl", '{"id": 1, "v": "a"}\n{"id": 2, "v": "b"}\n')
    candidate = text(tmp_path / "c.jsonl", '{"id": 1, "v": "a"}\n{"id": 2, "v": ')
    failing(capsys, production, candidate, f"candidate dataset '{candidate}'", "as json")


def test_a_parquet_file_that_is_text_is_named(capsys: Capsys, tmp_path: Path) -> None:
    production = text(tmp_path / "p.parquet", "id,v\n1,a\n")
    candidate = parquet(tmp_path / "c.parquet", id=[1], v=["a"])
    failing(capsys, production, candidate, f"production dataset '{production}'", "--format")


def test_a_binary_file_named_csv_is_named(capsys: Capsys, tmp_path: Path) -> None:
    source = parquet(tmp_path / "s.parquet", id=list(range(50)), v=list(range(50)))
    production = text(tmp_path / "p.csv", source.read_bytes())
    candidate = text(tmp_path / "c.csv", "id,v\n1,1\n")
    failing(capsys, production, candidate, f"production file '{production}'", "Parquet", "--format")


def test_a_huge_field_is_read(capsys: Capsys, tmp_path: Path) -> None:
    big = "x" * 5_000_000
    production = text(tmp_path / "p" / "o.csv", f"id,v\n1,{big}\n2,b\n")
    candidate = text(tmp_path / "c" / "o.csv", f"id,v\n1,{big}y\n2,b\n")
    code, found = compare(capsys, tmp_path, production, candidate)
    assert (code, found["matched_rows"], found["rows_with_differences"]) == (1, 2, 1)


# -------------------------------------------------------------- types DuckDB's reading collapses
@pytest.mark.parametrize(
    ("production_type", "candidate_type"),
    [
        (pa.time32("ms"), pa.time64("us")),
        (pa.timestamp("us", tz="UTC"), pa.timestamp("us", tz="America/New_York")),
        (pa.binary(4), pa.binary()),
        (pa.decimal256(50, 1), pa.decimal256(50, 2)),
    ],
)
def test_declared_type_changes_are_reported(
    capsys: Capsys, tmp_path: Path, production_type: pa.DataType, candidate_type: pa.DataType
) -> None:
    values = {
        "time": [1000],
        "timestamp": [0],
        "fixed_size_binary": [b"abcd"],
        "decimal256": [__import__("decimal").Decimal("1.5")],
    }
    kind = next(k for k in values if str(production_type).startswith(k))
    production = tmp_path / "p" / "o.parquet"
    candidate = tmp_path / "c" / "o.parquet"
    for path, t in ((production, production_type), (candidate, candidate_type)):
        path.parent.mkdir()
        pq.write_table(pa.table({"id": [1], "x": pa.array(values[kind], t)}), path)
    code, found = compare(capsys, tmp_path, production, candidate)
    (change,) = found["schema"]["type_changes"]
    assert (change["production_type"], change["candidate_type"]) == (
        str(production_type),
        str(candidate_type),
    )
    assert code == 1


# --------------------------------------------------------------- a column that turns to text
def test_a_column_that_turns_to_text_late_is_compared(capsys: Capsys, tmp_path: Path) -> None:
    rows = "".join(f"{i},{i}\n" for i in range(25_000))
    production = text(tmp_path / "p" / "o.csv", "id,v\n" + rows + "25000,x\n")
    candidate = text(tmp_path / "c" / "o.csv", "id,v\n" + rows + "25000,y\n")
    code, found = compare(capsys, tmp_path, production, candidate)
    assert (code, found["matched_rows"], found["rows_with_differences"]) == (1, 25_001, 1)


def test_a_json_field_that_turns_to_text_late_is_compared(capsys: Capsys, tmp_path: Path) -> None:
    rows = "".join(json.dumps({"id": i, "v": i}) + "\n" for i in range(25_000))
    production = text(tmp_path / "p" / "o.jsonl", rows + '{"id": 25000, "v": "x"}\n')
    candidate = text(tmp_path / "c" / "o.jsonl", rows + '{"id": 25000, "v": "y"}\n')
    code, found = compare(capsys, tmp_path, production, candidate)
    assert (code, found["matched_rows"], found["rows_with_differences"]) == (1, 25_001, 1)


def test_a_malformed_json_line_far_down_is_named(capsys: Capsys, tmp_path: Path) -> None:
    rows = "".join(json.dumps({"id": i, "v": i}) + "\n" for i in range(25_000))
    production = text(tmp_path / "p.jsonl", rows)
    candidate = text(tmp_path / "c.jsonl", rows + '{"id": 25000, "v": \n')
    failing(capsys, production, candidate, f"candidate dataset '{candidate}'", "as json")


# ------------------------------------------------------------------------ the Spark engine too
def spark(test: Any) -> Any:
    """Marked ``spark``; skipped where pyspark or Java is absent."""
    absent = importlib.util.find_spec("pyspark") is None or not (
        shutil.which("java") or os.environ.get("JAVA_HOME")
    )
    return pytest.mark.spark(pytest.mark.skipif(absent, reason="needs pyspark and Java")(test))


@spark
@pytest.mark.parametrize(("name", "decoy"), [("b*.csv", "bx.csv"), ("c[1].csv", "c1.csv")])
def test_spark_reads_glob_characters_literally(
    capsys: Capsys, tmp_path: Path, name: str, decoy: str
) -> None:
    production = text(tmp_path / "p" / name, "id,v\n1,a\n")
    text(tmp_path / "p" / decoy, "id,v\n2,decoy\n")
    candidate = text(tmp_path / "c" / "o.csv", "id,v\n1,a\n")
    code, found = compare(capsys, tmp_path, production, candidate, "--engine", "spark")
    assert (code, found["production_rows"], found["matched_rows"]) == (0, 1, 1)


@spark
def test_spark_keeps_partition_values_holding_equals(capsys: Capsys, tmp_path: Path) -> None:
    production, candidate = tmp_path / "p" / "orders", tmp_path / "c" / "orders"
    parquet(production / "tag=c=d=e" / "part-0.parquet", id=[1, 2], v=[1, 2])
    parquet(production / "tag=c=d=f" / "part-0.parquet", id=[3], v=[3])
    parquet(candidate / "tag=c=d=e" / "part-0.parquet", id=[1], v=[1])
    parquet(candidate / "tag=c=d=f" / "part-0.parquet", id=[2, 3], v=[2, 3])
    code, found = compare(capsys, tmp_path, production, candidate, "--engine", "spark")
    (tag,) = [c for c in found["columns"] if c["name"] == "tag"]
    assert (code, found["rows_with_differences"], tag["unequal"]) == (1, 1, 1)


@spark
def test_spark_text_checks(capsys: Capsys, tmp_path: Path) -> None:
    """Encodings, empty files and header-only CSV, as in the DuckDB engine."""
    latin = text(tmp_path / "l" / "o.csv", "id,v\n1,café\n".encode("latin-1"))
    other = text(tmp_path / "o" / "o.csv", "id,v\n1,café\n".encode("latin-1"))
    code, found = compare(capsys, tmp_path, latin, other, "--engine", "spark", "--encoding",
                          "latin-1")  # fmt: skip
    assert (code, found["identical"], found["matched_rows"]) == (0, True, 1)
    utf8 = text(tmp_path / "u" / "o.csv", "id,v\n1,café\n")
    for args in ((latin, utf8), (text(tmp_path / "e.csv", b""), utf8)):
        before = snapshot(*args)
        out = invoke(capsys, "compare", *args, "--key", "id", "--engine", "spark")
        assert_error(out, 2, f"production file '{args[0]}'")
        assert snapshot(*args) == before
    header = text(tmp_path / "h" / "o.csv", "id,v\n")
    code, found = compare(capsys, tmp_path, header, utf8, "--engine", "spark")
    assert found["schema"]["type_changes"] == []
    assert (code, found["only_in_candidate"]) == (1, 1)
    ragged = text(tmp_path / "r" / "o.csv", "id,v\n1,café\n2,b,c\n")
    out = invoke(capsys, "compare", utf8, ragged, "--key", "id", "--engine", "spark")
    assert_error(out, 2, f"candidate file '{ragged}' line 3 has 3 fields")


@pytest.mark.parametrize("name", ["r*.csv", "lat.csv"])
def test_a_ragged_row_far_down_an_odd_file_is_named(
    capsys: Capsys, tmp_path: Path, name: str
) -> None:
    """Glob characters in the name, or a file transcoded from latin-1: the user's file is named."""
    rows = "".join(f"{i},{i}\n" for i in range(35_000))
    production = text(tmp_path / "p.csv", "id,v\n" + rows)
    candidate = text(tmp_path / name, ("id,v\n" + rows + "35000,é,2\n").encode("latin-1"))
    before = snapshot(production, candidate)
    out = invoke(capsys, "compare", production, candidate, "--key", "id", "--encoding", "latin-1")
    assert_error(out, 2, f"candidate file '{candidate}' line 35002 has 3 fields")
    assert snapshot(production, candidate) == before


@spark
def test_spark_reports_declared_types(capsys: Capsys, tmp_path: Path) -> None:
    production, candidate = tmp_path / "p" / "o.parquet", tmp_path / "c" / "o.parquet"
    for path, tz in ((production, "UTC"), (candidate, "America/New_York")):
        path.parent.mkdir()
        pq.write_table(pa.table({"id": [1], "t": pa.array([0], pa.timestamp("us", tz=tz))}), path)
    code, found = compare(capsys, tmp_path, production, candidate, "--engine", "spark")
    (change,) = found["schema"]["type_changes"]
    assert (change["production_type"], change["candidate_type"]) == (
        "timestamp[us, tz=UTC]",
        "timestamp[us, tz=America/New_York]",
    )
    assert (code, found["rows_with_differences"]) == (1, 0)


def test_hive_values_with_glob_characters_and_spaces(capsys: Capsys, tmp_path: Path) -> None:
    production, candidate = tmp_path / "p" / "orders", tmp_path / "c" / "orders"
    for side in (production, candidate):
        text(side / "tag=a*b [x]" / "part-0.csv", "id,v\n1,1\n")
        text(side / "tag=a?b {y}" / "part-0.csv", "id,v\n2,2\n")
    text(candidate / "tag=a?b {y}" / "part-0.csv", "id,v\n2,3\n")
    code, found = compare(capsys, tmp_path, production, candidate)
    assert (code, found["production_rows"], found["rows_with_differences"]) == (1, 2, 1)
    assert "tag" in {c["name"] for c in found["columns"]}


@pytest.mark.parametrize("encoding", [None, "latin-1"])
@pytest.mark.parametrize("broken", ["truncated", "not gzip"])
def test_a_broken_gzip_file_is_named(
    capsys: Capsys, tmp_path: Path, broken: str, encoding: str | None
) -> None:
    body = ("id,v\n" + "".join(f"{i},{i}\n" for i in range(50_000))).encode()
    production = text(tmp_path / "p.csv.gz", gzip.compress(body))
    data = gzip.compress(body)
    candidate = text(
        tmp_path / "c.csv.gz", data[: len(data) // 2] if broken == "truncated" else body
    )
    before = snapshot(production, candidate)
    extra = ("--encoding", encoding) if encoding else ()
    out = invoke(capsys, "compare", production, candidate, "--key", "id", *extra)
    assert_error(out, 2, "candidate", f"'{candidate}'", "check the file")
    assert snapshot(production, candidate) == before
