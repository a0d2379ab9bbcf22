"""No silent hangs on a cluster: a job that no executor runs is warned about, then stopped.

A Spark job waits forever for executors: when the cluster has no worker with the cores and
memory an executor asks for (``spark.executor.memory=64g`` on 1 GiB workers), or when every
executor is lost, Spark only logs "has not accepted any resources", which the engine's quiet log
level hides. While a job runs on a cluster master, a watchdog thread counts the executors
(``statusTracker().getExecutorInfos()``, which lists the driver too): after ``warn_after``
seconds without one it warns once (one line), after ``bound`` seconds it cancels the jobs, and
the engine fails with the cause (exit 2). ``--spark-start-timeout`` sets the bound.
"""

from __future__ import annotations

import contextlib
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

from ..errors import SPARK_START_TIMEOUT, DataopsDiffWarning, Part

DEFAULT_BOUND = 120.0  # seconds a job may wait for its first executor
WARN_AFTER = 15.0
POLL = 1.0


def _executors(context: Any) -> int:
    """Executors registered now; the status tracker lists the driver as well."""
    return max(0, len(context._jsc.sc().statusTracker().getExecutorInfos()) - 1)


def request(context: Any) -> str:
    """What one executor asks of a worker, in the settings' own words."""
    conf = context.getConf()
    cores = conf.get("spark.executor.cores", None) or "1"
    memory = conf.get("spark.executor.memory", None) or "1g"
    return f"{cores} core(s) / {memory} memory (spark.executor.cores / spark.executor.memory)"


class Watchdog:
    """Watches the executors of one session while jobs run (``with watchdog.job(): ...``)."""

    def __init__(self, spark: Any, bound: float | None) -> None:
        self._context = spark.sparkContext
        self.bound = DEFAULT_BOUND if bound is None else bound
        self.warn_after = min(WARN_AFTER, self.bound / 2)
        self.failure: tuple[Part, ...] | None = None  # why the jobs were cancelled, once they were
        self._warned = False

    @contextlib.contextmanager
    def job(self) -> Iterator[None]:
        """Watch while the block runs; the thread stops with it."""
        done = threading.Event()
        thread = threading.Thread(target=self._watch, args=(done,), daemon=True)
        thread.start()
        try:
            yield
        finally:
            done.set()
            thread.join(timeout=10)

    def _watch(self, done: threading.Event) -> None:
        since = time.monotonic()
        while not done.wait(POLL):
            try:
                if _executors(self._context):
                    since = time.monotonic()
                    continue
            except Exception:  # the session is stopping: nothing left to watch
                return
            waited = time.monotonic() - since
            if waited >= self.bound:
                self._give_up(waited)
                return
            if waited >= self.warn_after and not self._warned:
                self._warned = True
                warnings.warn(
                    f"no Spark executor accepted after {waited:.0f} s on "
                    f"{self._context.master}: the cluster has no worker with "
                    f"{request(self._context)} free, or lost its workers; "
                    f"giving up after {self.bound:.0f} s (--spark-start-timeout)",
                    DataopsDiffWarning,
                    stacklevel=1,
                )

    def _give_up(self, waited: float) -> None:
        self.failure = (
            f"no Spark executor accepted within {waited:.0f} s on {self._context.master}: "
            f"the cluster has no worker with {request(self._context)} free, or lost its "
            "workers; check spark.executor.memory / spark.executor.cores or the workers, or "
            "raise ",
            SPARK_START_TIMEOUT,
        )
        with contextlib.suppress(Exception):
            self._context.cancelAllJobs()
