"""The Spark engine: same results as DuckDB, clear errors, and a CLI that stays quiet and clean.

Runs Spark in local mode on small data, one SparkSession for the whole test process (the engine
joins the running session). The engine-neutral cases are in tests/conformance.py; here: whole
DatasetDiffs against DuckDB's, reading formats and URIs, errors, and the CLI contract.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from dataops_diff import api
from dataops_diff.cli.common import engine_config
from dataops_diff.datasets import open_dataset
from dataops_diff.engines import EngineConfig, get_engine, spark_master, spark_read, spark_session
from dataops_diff.engines.spark import SparkEngine
from dataops_diff.errors import EngineError, InputError, UsageError
from dataops_diff.model import DatasetDiff, to_dict
from dataops_diff.spec import DatasetSpec

ROOT = Path(__file__).resolve().parent.parent
HAS_PYSPARK = importlib.util.find_spec("pyspark") is not None
HAS_JAVA = bool(shutil.which("java") or os.environ.get("JAVA_HOME"))
F = TypeVar("F", bound=Callable[..., None])


def needs_spark(test: F) -> F:
    """Marked ``spark``; skipped only where pyspark or Java is truly absent."""
    for mark in (
        pytest.mark.spark,
        pytest.mark.skipif(not HAS_PYSPARK, reason="pyspark is not installed (.[spark] extra)"),
        pytest.mark.skipif(not HAS_JAVA, reason="no Java (scripts/install-java.sh)"),
    ):
        test = mark(test)
    return test


APPROXIMATE = ("distinct", "quantiles")  # profile figures each engine estimates its own way


def _load_generator() -> Any:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("spark") / "data"
    _load_generator().generate(2_000, 3, out, chunk_rows=700)
    return out


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    engine = get_engine("spark")
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def duckdb() -> Iterator[Any]:
    engine = get_engine("duckdb")
    yield engine
    engine.close()


def _exact(diff: DatasetDiff) -> Any:
    """The diff as JSON, approximate profile figures left out."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in APPROXIMATE}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(to_dict(diff))


def _both(spark: Any, duckdb: Any, production: Path, candidate: Path, spec: DatasetSpec) -> Any:
    refs = open_dataset(str(production), "production"), open_dataset(str(candidate), "candidate")
    return spark.diff(*refs, spec), duckdb.diff(*refs, spec)


# ------------------------------------------------------------------------ same as DuckDB
SPECS = {
    "key": DatasetSpec(key=("id",)),
    "options": DatasetSpec(
        key=("id",),
        abs_tol=0.01,
        column_rel_tol={"amount": 0.05},
        ignore_columns=("email",),
        ignore_case=True,
        renames={"legacy_code": "channel"},
        samples=3,
    ),
}


@needs_spark
@pytest.mark.parametrize("name", SPECS)
def test_same_diff_as_duckdb(name: str, data: Path, spark: Any, duckdb: Any) -> None:
    spark_diff, duckdb_diff = _both(
        spark, duckdb, data / "production.parquet", data / "candidate.parquet", SPECS[name]
    )
    assert spark_diff.rows_with_differences > 0
    assert spark_diff.columns[0].shift is not None
    assert _exact(spark_diff) == _exact(duckdb_diff)
    profile = spark_diff.columns[0].shift.production
    assert profile.distinct is not None
    assert len(profile.quantiles) == 7


@needs_spark
def test_same_diff_of_hive_partitioned_folders(tmp_path: Path, spark: Any, duckdb: Any) -> None:
    for side, values in (("production", [1.0, 2.0, 3.0]), ("candidate", [1.0, 2.5, 3.0])):
        days = ["2024-01-01", "2024-01-02", "2024-01-02"]
        table = pa.table({"id": [1, 2, 3], "v": values, "day": days})
        pq.write_to_dataset(table, tmp_path / side, partition_cols=["day"])
    spark_diff, duckdb_diff = _both(
        spark, duckdb, tmp_path / "production", tmp_path / "candidate", DatasetSpec(key=("id",))
    )
    assert [c.name for c in spark_diff.columns] == ["v", "day"]
    assert _exact(spark_diff) == _exact(duckdb_diff)


@needs_spark
def test_same_diff_of_csv(tmp_path: Path, spark: Any, duckdb: Any) -> None:
    for side, values in (("production", [10, 20, 30]), ("candidate", [10, 21, 30])):
        table = pa.table({"id": [1, 2, 3], "n": values, "x": [0.5, 1.5, 2.5], "s": ["a", "b", "c"]})
        pacsv.write_csv(table, tmp_path / f"{side}.csv")
    spark_diff, duckdb_diff = _both(
        spark,
        duckdb,
        tmp_path / "production.csv",
        tmp_path / "candidate.csv",
        DatasetSpec(key=("id",)),
    )
    assert [c.production_type for c in spark_diff.columns] == ["int64", "double", "string"]
    assert spark_diff.columns[0].unequal == 1
    assert _exact(spark_diff) == _exact(duckdb_diff)


@needs_spark
def test_same_diff_of_json_lines(tmp_path: Path, spark: Any, duckdb: Any) -> None:
    rows = {"production": [(1, "a"), (2, "b")], "candidate": [(1, "a"), (2, "c"), (3, "d")]}
    for side, values in rows.items():
        lines = [json.dumps({"id": i, "s": s}) for i, s in values]
        (tmp_path / f"{side}.jsonl").write_text("\n".join(lines) + "\n")
    spark_diff, duckdb_diff = _both(
        spark, duckdb, tmp_path / "production.jsonl", tmp_path / "candidate.jsonl",
        DatasetSpec(key=("id",)),
    )  # fmt: skip
    assert spark_diff.only_in_candidate == 1
    assert _exact(spark_diff) == _exact(duckdb_diff)


# ---------------------------------------------------------------------------------- URIs
@needs_spark
def test_uri_is_one_dataset_read_by_spark(data: Path, spark: Any) -> None:
    del spark  # the session the engine joins
    production = (data / "production.parquet").as_uri()
    report = api.compare(
        production, str(data / "candidate.parquet"), DatasetSpec(key=("id",)), engine="spark"
    )
    (diff,) = report.datasets
    assert diff.production_path == production
    assert diff.name == "production"
    assert diff.matched_rows > 0
    assert report.engine == "spark"


def test_uri_without_spark_is_a_usage_error(data: Path) -> None:
    with pytest.raises(UsageError, match="only engine spark reads"):
        api.compare("s3a://bucket/orders.parquet", str(data), DatasetSpec(key=("id",)))


def test_uri_needs_a_format_when_it_has_no_extension(data: Path) -> None:
    with pytest.raises(InputError, match=r"pass DatasetSpec\.format"):
        api.compare(
            "s3a://bucket/orders", str(data / "candidate.parquet"), DatasetSpec(key=("id",)),
            engine="spark",
        )  # fmt: skip


# -------------------------------------------------------------------------------- errors
@needs_spark
def test_unreadable_file_is_an_input_error(tmp_path: Path, data: Path, spark: Any) -> None:
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputError, match=r"broken\.parquet") as info:
        spark.diff(
            open_dataset(str(data / "production.parquet"), "production"),
            open_dataset(str(broken), "candidate"),
            DatasetSpec(key=("id",)),
        )
    assert "\n" not in info.value.message


@needs_spark
def test_file_gone_before_an_executor_reads_it_is_named(tmp_path: Path, spark: Any) -> None:
    """A file the driver listed but an executor cannot find (on a cluster: a path not on
    shared storage) is named, with where paths must be, not hidden under a format error."""
    folder = tmp_path / "candidate"
    folder.mkdir()
    for i in range(2):
        pq.write_table(pa.table({"id": [i], "v": [1.0]}), folder / f"part-{i}.parquet")
    production = tmp_path / "production.parquet"
    pq.write_table(pa.table({"id": [0, 1], "v": [1.0, 1.0]}), production)
    refs = open_dataset(str(production), "production"), open_dataset(str(folder), "candidate")
    spark.schema(refs[1], "candidate")  # listed and read by the driver
    (folder / "part-1.parquet").unlink()
    with pytest.raises(InputError) as info:
        spark.diff(*refs, DatasetSpec(key=("id",)))
    message = info.value.message
    # The file types are read from the files' own footers before Spark runs (declared types),
    # so the driver may find the file gone first; either way the file is named in one line.
    # The executor-side mapping itself: test_hidden_file_not_found_cause_is_named.
    assert "part-1.parquet" in message
    assert (
        "does not exist where a Spark executor read it" in message
        or "No such file or directory" in message
    ), message
    assert "\n" not in message


@needs_spark
def test_arrow_ipc_is_refused_with_the_fix(tmp_path: Path, spark: Any) -> None:
    path = tmp_path / "t.arrow"
    with pa.ipc.new_file(path, pa.schema([("id", pa.int64())])) as writer:
        writer.write_table(pa.table({"id": [1]}))
    with pytest.raises(InputError, match="convert it to Parquet, or use engine duckdb"):
        spark.schema(open_dataset(str(path), "production"))


@needs_spark
def test_static_conf_on_a_running_session_is_a_usage_error(spark: Any) -> None:
    del spark
    with pytest.raises(UsageError, match=r"EngineConfig\.options spark\.driver\.memory"):
        get_engine("spark", EngineConfig(options={"spark.driver.memory": "123m"}))


@needs_spark
def test_runtime_conf_is_passed_through(spark: Any) -> None:
    engine = get_engine("spark", EngineConfig(options={"spark.sql.shuffle.partitions": "3"}))
    try:
        assert isinstance(engine, SparkEngine)
        assert engine._spark.conf.get("spark.sql.shuffle.partitions") == "3"
    finally:
        engine.close()
    del spark


@needs_spark
def test_other_master_while_one_runs_is_a_usage_error(spark: Any) -> None:
    del spark
    with pytest.raises(UsageError, match=r"EngineConfig\.master"):
        get_engine("spark", EngineConfig(master="spark://elsewhere:7077"))


@pytest.mark.skipif(not HAS_PYSPARK, reason="pyspark is not installed")
def test_spark_types_as_arrow_type_strings() -> None:
    from pyspark.sql import types as t

    array, mapping = t.ArrayType(t.IntegerType()), t.MapType(t.StringType(), t.DoubleType())
    nested = t.StructType([t.StructField("a", array), t.StructField("m", mapping)])
    expected = {
        t.LongType(): "int64",
        t.ShortType(): "int16",
        t.FloatType(): "float",
        t.DecimalType(10, 3): "decimal128(10, 3)",
        t.TimestampType(): "timestamp[us, tz=UTC]",
        t.TimestampNTZType(): "timestamp[us]",
        t.DateType(): "date32[day]",
        t.BinaryType(): "binary",
        nested: str(
            pa.struct([("a", pa.list_(pa.int32())), ("m", pa.map_(pa.string(), pa.float64()))])
        ),
        t.YearMonthIntervalType(): "interval year to month",  # no Arrow counterpart: "other"
    }
    assert {k: spark_read.arrow_type(k) for k in expected} == expected


def test_spark_errors_become_one_line() -> None:
    text = (
        "An error occurred while calling o51.collectToPython.\n"
        ": org.apache.spark.SparkException: Job aborted due to stage failure: Task 0 failed: "
        "[FAILED_READ_FILE.NO_HINT] Error while reading file file:/x/p.parquet. SQLSTATE: KD001\n"
        "\tat org.apache.spark.scheduler.DAGScheduler.failJobAndIndependentStages(x.scala:1)\n"
    )
    reason = spark_session.reason(RuntimeError(text))
    assert reason == "[FAILED_READ_FILE.NO_HINT] Error while reading file file:/x/p.parquet."
    assert spark_session.reason(RuntimeError("\n\tat x\n: plain failure\n")) == "plain failure"


def test_missing_pyspark_is_one_error_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pyspark", None)
    with pytest.raises(EngineError, match=r"pip install 'dataops-diff\[spark\]'"):
        spark_master.pyspark_version()


def test_missing_java_is_one_error_with_the_fix(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(EngineError, match=r"install-java\.sh") as info:
        spark_master.check_java("4.0.0")
    assert f"JAVA_HOME={tmp_path}" in info.value.message


def test_old_java_is_refused_for_spark_4(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    java = tmp_path / "bin" / "java"
    java.parent.mkdir()
    java.write_text("#!/bin/sh\necho 'openjdk version \"11.0.2\" 2019-01-15' >&2\n")
    java.chmod(0o755)
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    with pytest.raises(EngineError, match="needs Java 17 or later"):
        spark_master.check_java("4.0.0")
    spark_master.check_java("3.5.1")  # Spark 3 runs on Java 8 and later
    assert spark_master.java_major(str(java)) == 11


def test_spark_conf_flag_splits_at_the_first_equals_sign() -> None:
    config = engine_config(None, None, "local[2]", ["spark.driver.extraJavaOptions=-Da=b"])
    assert config.options == {"spark.driver.extraJavaOptions": "-Da=b"}
    assert config.master == "local[2]"
    with pytest.raises(UsageError, match="KEY=VALUE"):
        engine_config(None, None, None, ["spark.executor.memory"])


# --------------------------------------------------------------------------- CLI contract
def test_help_does_not_import_pyspark() -> None:
    code = (
        "import sys\nfrom dataops_diff.cli import main\n"
        "try:\n    main(['compare', '--help'])\nexcept SystemExit:\n    pass\n"
        "print('pyspark' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "--spark-master" in done.stdout
    assert done.stdout.strip().splitlines()[-1] == "False"


def _cli(data: Path, temp: Path, *extra: str) -> list[str]:
    files = [str(data / "production.parquet"), str(data / "candidate.parquet")]
    return [sys.executable, "-m", "dataops_diff", "compare", *files, "--key", "id",
            "--engine", "spark", "--temp-dir", str(temp), *extra]  # fmt: skip


@needs_spark
def test_cli_run_is_quiet_and_cleans_up(data: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    done = subprocess.run(
        _cli(data, tmp_path, "--quiet", "--json", str(report), "--spark-master", "local[2]"),
        capture_output=True, text=True, timeout=600, cwd=ROOT, check=False,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert done.stderr == ""  # no JVM or Spark log lines on the terminal
    planted = json.loads((data / "planted.json").read_text())
    (diff,) = json.loads(report.read_text())["datasets"]
    assert diff["matched_rows"] == planted["matched_rows"]
    assert diff["rows_with_differences"] == planted["rows_with_differences"]
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # the Spark folder is gone


@needs_spark
def test_cli_ctrl_c_exits_130_and_cleans_up(data: Path, tmp_path: Path) -> None:
    proc = subprocess.Popen(
        _cli(data, tmp_path, "--quiet"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT
    )
    deadline = time.monotonic() + 300
    while proc.poll() is None and time.monotonic() < deadline:
        if any(p.is_file() for p in tmp_path.glob("dataops-diff-spark-*/blockmgr-*/*/*")):
            break  # a comparing job has written shuffle files: mid-diff
        time.sleep(0.05)
    assert proc.poll() is None, "the diff ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err.decode()
    # one line: no py4j tracebacks or log lines from the way down (issue 12, item 22)
    assert err.decode().strip().splitlines() == ["dataops-diff: error: interrupted"]
    assert list(tmp_path.iterdir()) == []
