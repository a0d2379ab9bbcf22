"""The Spark engine on a real standalone cluster: a master and one worker (tests/spark_cluster.py).

Every comparison runs in a subprocess (the CLI, or the conformance helper in spark_cluster.py):
a process holds one SparkSession, and this test process may hold a local-mode one already.
Cluster time is scarce on a shared machine, so the conformance cases run here are a subset
that covers each pass (keys, values, duplicates, samples, profiles); tests/conformance.py runs
all of them in local mode.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import spark_cluster
from hostile import snapshot
from test_spark import HAS_JAVA, HAS_PYSPARK

ROOT = Path(__file__).resolve().parent.parent
TESTS = Path(__file__).resolve().parent
pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(not HAS_PYSPARK, reason="pyspark is not installed (.[spark] extra)"),
    pytest.mark.skipif(not HAS_JAVA, reason="no Java (scripts/install-java.sh)"),
]
CASES = [
    "clean",
    "null_nan_zero_inf",
    "tolerances",
    "null_keys",
    "duplicates_three_to_two",
    "samples_show_data",
]
BOUND = 600  # seconds for any one subprocess: a hang fails the test instead of the CI job


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[spark_cluster.Cluster]:
    with spark_cluster.cluster(tmp_path_factory.mktemp("spark-cluster-logs")) as running:
        yield running


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dataops_diff", *args], capture_output=True, text=True,
        timeout=BOUND, cwd=ROOT, env=spark_cluster.loopback_env(), check=False,
    )  # fmt: skip


@pytest.fixture(scope="module")
def conformance_results(
    cluster: spark_cluster.Cluster, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, list[str]]:
    """The cluster's mismatches per case, from one driver process (one session start)."""
    folder = tmp_path_factory.mktemp("cluster-cases")
    done = subprocess.run(
        [sys.executable, str(TESTS / "spark_cluster.py"), cluster.url, str(folder), *CASES],
        capture_output=True, text=True, timeout=BOUND, cwd=TESTS,
        env=spark_cluster.loopback_env(), check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"{done.stderr[-3000:]}\n{cluster.log_text()}"
    results: dict[str, list[str]] = json.loads(done.stdout.strip().splitlines()[-1])
    return results


@pytest.mark.parametrize("name", CASES)
def test_conformance_case_on_the_cluster(name: str, conformance_results: dict[str, Any]) -> None:
    assert conformance_results[name] == []


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    production, candidate = tmp_path / "production.parquet", tmp_path / "candidate.parquet"
    pq.write_table(pa.table({"id": [1, 2, 3], "v": [1.0, 2.0, 3.0]}), production)
    pq.write_table(pa.table({"id": [1, 2, 3], "v": [1.0, 2.5, 3.0]}), candidate)
    return production, candidate


def _apps_gone(cluster: spark_cluster.Cluster) -> bool:
    """The master lists no running application (bounded wait: it learns of exits late)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if not cluster.state().get("activeapps"):
            return True
        time.sleep(1)
    return False


def test_executor_larger_than_any_worker_fails_with_the_cause(
    cluster: spark_cluster.Cluster, pair: tuple[Path, Path]
) -> None:
    """Item 20: 64g executors on a 1 GiB worker wait forever in Spark; here: a warning, then
    exit 2 naming the request, and the application is gone from the master."""
    before = snapshot(*pair)
    done = _cli(
        "compare", *map(str, pair), "--key", "id", "--engine", "spark",
        "--spark-master", cluster.url, "--spark-conf", "spark.executor.memory=64g",
        "--spark-start-timeout", "10", "--quiet",
    )  # fmt: skip
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert len(lines) == 2, done.stderr
    assert lines[0].startswith("dataops-diff: warning: no Spark executor accepted after ")
    assert lines[1].startswith("dataops-diff: error: no Spark executor accepted within ")
    for fragment in ("64g memory", "spark.executor.memory", cluster.url, "--spark-start-timeout"):
        assert fragment in lines[1]
    assert snapshot(*pair) == before
    assert _apps_gone(cluster), cluster.state()


def test_unreachable_master_is_a_bounded_failure(pair: tuple[Path, Path]) -> None:
    """A master that is not there: one line within seconds, not Spark's minute of retries."""
    url = f"spark://127.0.0.1:{spark_cluster.free_port()}"
    done = _cli("compare", *map(str, pair), "--key", "id", "--engine", "spark",
                "--spark-master", url, "--quiet")  # fmt: skip
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert lines == [
        f"dataops-diff: error: --spark-master {url}: cannot reach the Spark master "
        f"({url.removeprefix('spark://')}: Connection refused); check the host and port and "
        "that the master is running"
    ]


def test_cli_diff_on_the_cluster(
    cluster: spark_cluster.Cluster, pair: tuple[Path, Path], tmp_path: Path
) -> None:
    """The CLI on the cluster: the report's counts; and (item 23) --temp-dir reaches the
    driver only, said in one line, while --memory-limit is the driver's heap."""
    temp, report = tmp_path / "spill", tmp_path / "report.json"
    temp.mkdir()
    done = _cli(
        "compare", *map(str, pair), "--key", "id", "--engine", "spark",
        "--spark-master", cluster.url, "--spark-conf", "spark.executor.memory=512m",
        "--temp-dir", str(temp), "--memory-limit", "2GB", "--quiet", "--json", str(report),
    )  # fmt: skip
    assert done.returncode == 1, f"{done.stderr}\n{cluster.log_text()}"
    (diff,) = json.loads(report.read_text())["datasets"]
    assert (diff["matched_rows"], diff["rows_with_differences"]) == (3, 1)
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("dataops-diff: warning: --temp-dir sets the Spark driver's spill")
    assert "SPARK_LOCAL_DIRS" in line
    assert os.listdir(temp) == []  # the driver's private folder is removed at exit
