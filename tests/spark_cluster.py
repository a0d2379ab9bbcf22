"""A real Spark standalone cluster for the tests: one master and one worker, loopback only.

Both are started with pyspark's own ``bin/spark-class`` (SPARK_HOME is the pyspark package
folder, so nothing beyond ``pip install pyspark`` and Java is needed), each in its own process
group, and stopped (SIGTERM, then SIGKILL, both bounded) when the test session ends. Their logs
go to a temp folder and are printed when the cluster fails to come up.

Tests that compare on it run the CLI or a helper in a subprocess: a test process already holds
a local-mode SparkSession (tests/test_spark.py), and a process can hold only one.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

START_BOUND = 120.0  # seconds for the master to answer and the worker to register
STOP_BOUND = 20.0  # seconds for a process group to go after SIGTERM


def spark_home() -> str:
    import pyspark

    return os.path.dirname(pyspark.__file__)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def loopback_env() -> dict[str, str]:
    """The environment for the cluster and for processes that talk to it: loopback only."""
    env = dict(os.environ)
    env |= {
        "SPARK_HOME": spark_home(),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_LOCAL_HOSTNAME": "127.0.0.1",
        "SPARK_MASTER_HOST": "127.0.0.1",
    }
    env.pop("PYSPARK_GATEWAY_PORT", None)
    return env


@dataclass
class Cluster:
    url: str  # spark://127.0.0.1:PORT
    webui: int
    logs: Path
    processes: list[subprocess.Popen[bytes]]

    def state(self) -> dict[str, object]:
        """The master's JSON status (workers, applications)."""
        with urllib.request.urlopen(f"http://127.0.0.1:{self.webui}/json", timeout=5) as resp:
            data: dict[str, object] = json.loads(resp.read())
        return data

    def alive_workers(self) -> int:
        with contextlib.suppress(OSError, ValueError):
            workers = self.state().get("workers", [])
            assert isinstance(workers, list)
            return sum(1 for w in workers if w.get("state") == "ALIVE")
        return 0

    def log_text(self) -> str:
        parts = []
        for path in sorted(self.logs.glob("*.log")):
            lines = path.read_text(errors="replace").splitlines()[-40:]
            parts.append(f"--- {path.name} (last {len(lines)} lines)\n" + "\n".join(lines))
        return "\n".join(parts)


def _die_with_parent() -> None:
    """In the child: SIGTERM when the test process dies, even by SIGKILL (Linux only)."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG; kept across exec


def _spawn(args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with open(log, "ab") as out:
        return subprocess.Popen(
            [os.path.join(spark_home(), "bin", "spark-class"), *args],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env,
            start_new_session=True, preexec_fn=_die_with_parent,
        )  # fmt: skip


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM each process group, wait (bounded), then SIGKILL what is left."""
    for proc in reversed(processes):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_BOUND
    for proc in reversed(processes):
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=STOP_BOUND)


@contextlib.contextmanager
def cluster(logs: Path) -> Iterator[Cluster]:
    """A master and one worker (1 core, 1 GiB) on loopback, until the block ends."""
    logs.mkdir(parents=True, exist_ok=True)
    env = loopback_env()
    port, webui, worker_ui = free_port(), free_port(), free_port()
    url = f"spark://127.0.0.1:{port}"
    master = "org.apache.spark.deploy.master.Master"
    worker = "org.apache.spark.deploy.worker.Worker"
    running = Cluster(url, webui, logs, [])
    try:
        running.processes.append(_spawn(
            [master, "--host", "127.0.0.1", "--port", str(port), "--webui-port", str(webui)],
            logs / "master.log", env,
        ))  # fmt: skip
        running.processes.append(_spawn(
            [worker, url, "--cores", "1", "--memory", "1g", "--host", "127.0.0.1",
             "--webui-port", str(worker_ui), "--work-dir", str(logs / "work")],
            logs / "worker.log", env,
        ))  # fmt: skip
        deadline = time.monotonic() + START_BOUND
        while running.alive_workers() < 1:
            dead = [p.args for p in running.processes if p.poll() is not None]
            if dead or time.monotonic() > deadline:
                why = f"exited: {dead}" if dead else f"no worker within {START_BOUND:.0f} s"
                raise RuntimeError(f"the test cluster did not start ({why})\n{running.log_text()}")
            time.sleep(0.5)
        yield running
    finally:
        stop(running.processes)


def run_conformance(master: str, folder: Path, names: list[str]) -> dict[str, list[str]]:
    """Run conformance cases on ``master`` in this process: each case's mismatches (or error)."""
    import conformance

    from dataops_diff.engines import EngineConfig, get_engine

    conformance._engines["spark"] = get_engine(
        "spark", EngineConfig(master=master, options=EXECUTOR, start_timeout=60)
    )
    results: dict[str, list[str]] = {}
    try:
        for name in names:
            case = conformance.CASES_BY_NAME[name]
            try:
                diff = conformance.run_case("spark", case, folder)
            except Exception as exc:
                ok = case.error is not None and isinstance(exc, case.error)
                ok = ok and case.error_text in str(exc)
                results[name] = [] if ok else [f"raised {type(exc).__name__}: {exc}"]
                continue
            results[name] = conformance.mismatches(diff, case.expect)
            if case.error is not None:
                results[name].append(f"expected {case.error.__name__}, got a diff")
    finally:
        conformance.close_engines()
    return results


# Small executors: the worker has 1 core and 1 GiB, shared by a 2-core machine.
EXECUTOR = {"spark.executor.memory": "512m", "spark.sql.shuffle.partitions": "2"}

if __name__ == "__main__":  # python spark_cluster.py MASTER FOLDER CASE...: JSON on stdout
    import sys

    found = run_conformance(sys.argv[1], Path(sys.argv[2]), sys.argv[3:])
    sys.stdout.write(json.dumps(found) + "\n")
