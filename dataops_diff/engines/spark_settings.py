"""What a Spark session this process starts is configured with.

In local mode the driver is the executor: ``--memory-limit`` (default: half of the machine's
memory) becomes its heap (``spark.driver.memory``), and it spills to the private folder made in
``--temp-dir``. On a cluster master the same flags mean the driver only: ``--memory-limit``,
when given, is the driver's heap, and the private folder is the driver's ``spark.local.dir``;
executors spill to their workers' folders, so ``--temp-dir`` there is warned about (one line).
``--spark-conf`` wins over all of it.
"""

from __future__ import annotations

import os
import warnings

from ..errors import MEMORY_LIMIT, DataopsDiffWarning, UsageError
from . import memory
from .base import EngineConfig

JVM_SHARE = 0.7  # of a memory limit (less this process): the JVM heap, in local mode
MIN_HEAP = 512 * 2**20  # Spark refuses to start on less
LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


def _local(master: str) -> bool:
    return master.startswith("local")


def settings(config: EngineConfig, master: str, folder: str, submitted: bool) -> dict[str, str]:
    """What a session this module starts is configured with; ``--spark-conf`` wins."""
    settings = {"spark.sql.session.timeZone": "UTC", "spark.ui.showConsoleProgress": "false"}
    if submitted:  # spark-submit's own settings stand
        return settings | config.options
    log4j = f"-Dlog4j2.configurationFile=file:{folder}/log4j2.properties"
    settings |= {
        "spark.app.name": "dataops-diff",
        "spark.ui.enabled": "false",
        "spark.driver.extraJavaOptions": log4j,
    }
    settings["spark.local.dir"] = folder  # on a cluster: the driver's only
    if _local(master) or config.memory_limit:  # on a cluster, the driver's heap when asked
        heap = _heap(config.memory_limit)
        if heap:
            settings["spark.driver.memory"] = f"{memory.mib(heap)}m"
    if not _local(master) and config.temp_dir:
        warnings.warn(
            f"--temp-dir sets the Spark driver's spill folder only on {master}: executors spill "
            "to their workers' folders (SPARK_LOCAL_DIRS on each worker)",
            DataopsDiffWarning,
            stacklevel=2,
        )
    if _local(master):
        settings["spark.driver.host"] = "127.0.0.1"
        settings["spark.driver.bindAddress"] = "127.0.0.1"
        settings["spark.sql.shuffle.partitions"] = str(max(8, 4 * (os.cpu_count() or 1)))
    return settings | config.options


def _heap(memory_limit: str | None) -> int | None:
    """The driver JVM's heap for ``--memory-limit``: its share of the limit, at least 512 MiB."""
    limit = memory.memory_limit_bytes(memory_limit)
    if not limit:
        return None
    heap = memory.pool_size(limit, share=JVM_SHARE)  # its own overhead and this process: the rest
    if heap < MIN_HEAP:
        raise UsageError(
            MEMORY_LIMIT,
            f" {memory.human(limit)}: the Spark driver needs a heap of "
            f"{memory.human(MIN_HEAP)}; give at least "
            f"{memory.human(int(limit + (MIN_HEAP - heap) / JVM_SHARE))}",
        )
    return heap
