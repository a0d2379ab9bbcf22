"""Hostile input for the Spark engine's start: master URLs, settings on a cluster, hints.

Checked before any JVM starts, so these run without Java; the ones that need a cluster or a
JVM are in tests/test_spark_cluster.py and tests/test_spark.py.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hostile import assert_error, invoke, snapshot

from dataops_diff.engines import (
    EngineConfig,
    spark_master,
    spark_session,
    spark_settings,
    spark_watch,
)
from dataops_diff.errors import DataopsDiffWarning, EngineError, UsageError


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    production, candidate = tmp_path / "production.parquet", tmp_path / "candidate.parquet"
    pq.write_table(pa.table({"id": [1, 2], "v": [1.0, 2.0]}), production)
    pq.write_table(pa.table({"id": [1, 2], "v": [1.0, 2.5]}), candidate)
    return production, candidate


@pytest.mark.parametrize(
    ("master", "fragments"),
    [
        ("127.0.0.1:7077", ["'127.0.0.1:7077'", "a standalone master is spark://127.0.0.1:7077"]),
        ("spark://host", ["'spark://host'", "spark://HOST:PORT"]),
        ("spark://host:port", ["'spark://host:port'"]),
        ("local[x]", ["'local[x]'", "local[N]"]),
        ("local[0]", ["'local[0]'"]),
        ("yarn-client", ["'yarn-client'", "yarn"]),
        ("http://master:7077", ["'http://master:7077'"]),
        ("", ["''"]),
    ],
)
def test_bad_master_url_is_one_line_naming_the_flag(
    master: str,
    fragments: list[str],
    pair: tuple[Path, Path],
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Item 21: not a stack frame from spark-submit, but the flag, the value and the forms."""
    before = snapshot(*pair)
    outcome = invoke(capsys, "compare", *pair, "--key", "id", "--engine", "spark",
                     "--spark-master", master, "--quiet")  # fmt: skip
    assert_error(outcome, 2, "--spark-master", "is not a Spark master URL", *fragments)
    assert snapshot(*pair) == before


@pytest.mark.parametrize(
    "master",
    ["local", "local[1]", "local[*]", "local[4,2]", "local-cluster[2,1,1024]", "yarn",
     "spark://h:7077", "spark://a:7077,b:7078", "spark://[::1]:7077", "k8s://https://k8s.example:6443",
     "mesos://zk.example:5050"],
)  # fmt: skip
def test_master_url_forms_spark_accepts(master: str) -> None:
    spark_master.check_master(master)


def test_unreachable_master_names_each_address() -> None:
    with pytest.raises(Exception, match="cannot reach the Spark master") as info:
        spark_master.check_reachable("spark://127.0.0.1:1,nohost.invalid:7077")
    assert "127.0.0.1:1: " in str(info.value)
    assert "nohost.invalid:7077: " in str(info.value)
    spark_master.check_reachable("yarn")  # only spark:// is checked


def test_memory_limit_on_a_cluster_is_the_driver_heap(tmp_path: Path) -> None:
    """Item 23: --memory-limit means the driver's heap on a cluster too; absent, Spark's own."""
    given = spark_settings.settings(
        EngineConfig(memory_limit="4GB"), "spark://h:7077", str(tmp_path), False
    )
    assert given["spark.driver.memory"].endswith("m")
    assert given["spark.local.dir"] == str(tmp_path)
    assert "spark.driver.host" not in given  # executors must reach the driver: not loopback
    default = spark_settings.settings(EngineConfig(), "spark://h:7077", str(tmp_path), False)
    assert "spark.driver.memory" not in default
    override = EngineConfig(memory_limit="4GB", options={"spark.driver.memory": "3g"})
    conf = spark_settings.settings(override, "spark://h:7077", str(tmp_path), False)
    assert conf["spark.driver.memory"] == "3g"  # --spark-conf wins


def test_memory_limit_too_small_for_the_driver(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"EngineConfig.memory_limit .* needs a heap of 512 MiB"):
        spark_settings.settings(EngineConfig(memory_limit="700MB"), "yarn", str(tmp_path), False)


def test_temp_dir_on_a_cluster_warns(tmp_path: Path) -> None:
    with pytest.warns(DataopsDiffWarning, match="--temp-dir sets the Spark driver's spill"):
        spark_settings.settings(EngineConfig(temp_dir=str(tmp_path)), "yarn", "f", False)


def test_java_hint_only_when_java_is_missing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Item 21: the install hint is for a missing Java, not appended to every failure."""
    monkeypatch.setenv("JAVA_HOME", str(tmp_path))
    assert spark_master.java_missing()
    java = tmp_path / "bin" / "java"
    java.parent.mkdir()
    java.write_text("#!/bin/sh\n")
    assert not spark_master.java_missing()


class _Java:
    """A stand-in for a py4j Java throwable: class name, message, cause."""

    def __init__(self, name: str, message: str, cause: _Java | None = None) -> None:
        self._name, self._message, self._cause = name, message, cause

    def getClass(self) -> _Java:
        return self

    def getName(self) -> str:
        return self._name

    def getMessage(self) -> str:
        return self._message

    def getCause(self) -> _Java | None:
        return self._cause

    def equals(self, other: object) -> bool:
        return other is self


def test_hidden_file_not_found_cause_is_named() -> None:
    """Item 21: "not in ORC or Parquet format" on top, FileNotFoundException below: the
    reason given is the missing file, and where paths must be."""
    error = RuntimeError("An error occurred while calling o1.schema.\n: not in ORC or Parquet")
    error.java_exception = _Java(  # type: ignore[attr-defined]
        "org.apache.spark.SparkException", "is not in ORC or Parquet format",
        _Java("java.io.FileNotFoundException", "File file:/data/p.parquet does not exist"),
    )  # fmt: skip
    assert [name for name, _ in spark_master.java_causes(error)] == [
        "org.apache.spark.SparkException",
        "java.io.FileNotFoundException",
    ]
    reason = spark_session.reason(error)
    assert reason.startswith("File file:/data/p.parquet does not exist where a Spark executor")
    assert "paths must be on storage every executor can read" in reason
    assert spark_master.not_visible(RuntimeError("plain")) is None


def test_start_failure_quotes_the_reason_spark_gave(tmp_path: Path) -> None:
    """A master that accepts connections but never answers: Spark kills the application with
    a reason, followed by stack frames and a stopped context; the reason is what is quoted."""
    log = tmp_path / "spark.log"
    log.write_text(
        "26/12/01 18:04:37 ERROR StandaloneSchedulerBackend: Application has been killed. "
        "Reason: All masters are unresponsive! Giving up.\n"
        "java.lang.IllegalStateException: Cannot call methods on a stopped SparkContext.\n"
        "\tat org.apache.spark.SparkContext.assertNotStopped(SparkContext.scala:1)\n"
    )
    assert spark_master.start_reason(str(log)) == "All masters are unresponsive! Giving up."
    log.write_text(
        "starting\nInvalid maximum heap size: -Xmxlots\n"
        "Error: Could not create the Java Virtual Machine.\n"
        "Error: A fatal exception has occurred. Program will exit.\n"
    )
    assert spark_master.start_reason(str(log)) == "Invalid maximum heap size: -Xmxlots"


class _Context:
    """A stand-in SparkContext whose executors can be lost: what the watchdog reads."""

    master = "spark://h:7077"

    def __init__(self, executors: list[int]) -> None:
        self.executors, self.cancelled = executors, threading.Event()
        self._jsc = self

    def sc(self) -> _Context:
        return self

    def statusTracker(self) -> _Context:
        return self

    def getExecutorInfos(self) -> list[str]:
        count = self.executors.pop(0) if len(self.executors) > 1 else self.executors[0]
        return ["driver"] + ["executor"] * count

    def getConf(self) -> dict[str, str]:
        return {"spark.executor.memory": "8g"}

    def cancelAllJobs(self) -> None:
        self.cancelled.set()


def test_lost_executors_warn_then_cancel_the_jobs() -> None:
    """Item 20: executors that were there and are lost: one warning, then the jobs are
    cancelled and the failure names the request and the flag."""
    context = _Context([1, 1, 0])
    watch = spark_watch.Watchdog(type("Spark", (), {"sparkContext": context})(), bound=2)
    warned = pytest.warns(DataopsDiffWarning, match="no Spark executor accepted after")
    with warned as caught, watch.job():
        assert context.cancelled.wait(60), "the watchdog never gave up"
    assert len(caught) == 1
    assert watch.failure is not None
    message = str(EngineError(*watch.failure))  # the library names the setting by its field
    for fragment in ("spark://h:7077", "8g memory", "lost its workers", "start_timeout"):
        assert fragment in message


def test_a_job_with_executors_is_left_alone() -> None:
    context = _Context([1])
    watch = spark_watch.Watchdog(type("Spark", (), {"sparkContext": context})(), bound=1)
    with watch.job():
        context.cancelled.wait(3)  # three polls with an executor each
    assert watch.failure is None
    assert not context.cancelled.is_set()
