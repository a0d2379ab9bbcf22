"""The Spark session behind ``--engine spark``: join a running one, or start one; clear errors.

- A running session (Databricks, a notebook, tests) is joined as it is.
- Under ``spark-submit`` the master and configuration are spark-submit's; ``--spark-master`` and
  ``--spark-conf`` still apply.
- Otherwise a session is started on ``--spark-master`` (default ``local[*]``). In local mode the
  driver is the executor: ``--memory-limit`` (default: half of the machine's memory) becomes
  ``spark.driver.memory`` and Spark spills to a private folder under ``--temp-dir``, removed at
  exit. The JVM's own output goes to a log in that folder; a start failure quotes its last line.

A session this module starts is stopped when the process exits (``atexit``), so it is shared by
every engine in the process (tests start it once).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import shutil
import subprocess
import sys
import warnings
from collections.abc import Iterator
from typing import Any

from ..errors import (
    ENGINE,
    FORMAT,
    MEMORY_LIMIT,
    SPARK_CONF,
    SPARK_MASTER,
    TEMP_DIR,
    EngineError,
    InputError,
    Interrupted,
    UsageError,
)
from . import memory
from .base import EngineConfig

INSTALL = "pip install 'dataops-diff[spark]'"
JVM_SHARE = 0.7  # of a memory limit (less this process): the JVM heap, in local mode
MIN_HEAP = 512 * 2**20  # Spark refuses to start on less
JAVA_FIX = (
    "install Java 17 (scripts/install-java.sh, or apt-get install openjdk-17-jre-headless) "
    "or set JAVA_HOME"
)
_LOG4J = """rootLogger.level = error
rootLogger.appenderRef.stderr.ref = console
appender.console.type = Console
appender.console.name = console
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n
"""


class _Started:
    """The session this process started, and its spill folder; both released at exit."""

    session: Any = None
    folder: memory.SpillFolder | None = None


def pyspark_version() -> str:
    """The installed pyspark's version; EngineError with the install command when it is absent."""
    try:
        import pyspark
    except ImportError as exc:
        raise EngineError(
            ENGINE, f" spark needs pyspark, which is not installed; install it with: {INSTALL}"
        ) from exc
    return str(pyspark.__version__)


def java_major(java: str) -> int | None:
    """The major version of a ``java`` executable (8 for 1.8), or None when it cannot tell."""
    try:
        done = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    m = re.search(r'version "(\d+)(?:\.(\d+))?', done.stderr + done.stdout)
    if m is None:
        return None
    major = int(m.group(1))
    return int(m.group(2) or 0) if major == 1 else major


def check_java(pyspark: str) -> None:
    """Java must exist and be new enough for this pyspark (17 for Spark 4, 8 for Spark 3)."""
    home = os.environ.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home else shutil.which("java")
    if not java or not os.path.exists(java):
        where = f"JAVA_HOME={home} has no bin/java" if home else "no java on PATH"
        raise EngineError(ENGINE, f" spark needs Java ({where}); {JAVA_FIX}")
    need = 17 if int(pyspark.split(".")[0]) >= 4 else 8
    have = java_major(java)
    if have is not None and have < need:
        raise EngineError(
            ENGINE,
            f" spark with pyspark {pyspark} needs Java {need} or later, "
            f"'{java}' is Java {have}; {JAVA_FIX}",
        )


def _local(master: str) -> bool:
    return master.startswith("local")


def _settings(config: EngineConfig, master: str, folder: str, submitted: bool) -> dict[str, str]:
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
    if _local(master):
        limit = memory.memory_limit_bytes(config.memory_limit)
        if limit:  # the JVM's heap; its own overhead and this process take the rest
            heap = memory.pool_size(limit, share=JVM_SHARE)
            if heap < MIN_HEAP:
                raise UsageError(
                    MEMORY_LIMIT,
                    f" {memory.human(limit)}: Spark in local mode needs a heap of "
                    f"{memory.human(MIN_HEAP)}; give at least "
                    f"{memory.human(int(limit + (MIN_HEAP - heap) / JVM_SHARE))}",
                )
            settings["spark.driver.memory"] = f"{memory.mib(heap)}m"
        settings["spark.local.dir"] = folder
        settings["spark.driver.host"] = "127.0.0.1"
        settings["spark.driver.bindAddress"] = "127.0.0.1"
        settings["spark.sql.shuffle.partitions"] = str(max(8, 4 * (os.cpu_count() or 1)))
    return settings | config.options


@contextlib.contextmanager
def _jvm_output_to(path: str) -> Iterator[None]:
    """Point this process's stdout and stderr at ``path`` while the JVM is launched: the JVM
    inherits them, so Spark's own messages go to the log, not the user's terminal."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        yield
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for f in (fd, *saved):
            os.close(f)


def _last_line(path: str) -> str:
    with contextlib.suppress(OSError):
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = [line.strip() for line in fh if line.strip()]
        for line in reversed(lines):
            if "Exception" in line or "Error" in line or "error" in line:
                return line[:300]
        if lines:
            return lines[-1][:300]
    return "no output"


def session(config: EngineConfig) -> Any:
    """The SparkSession to compare in: the running one, or one started for this process."""
    version = pyspark_version()
    from pyspark.sql import SparkSession

    running = SparkSession.getActiveSession()
    if running is not None:
        _apply(running, config)
        return running
    submitted = "PYSPARK_GATEWAY_PORT" in os.environ  # the JVM is spark-submit's
    master = config.master or ("" if submitted else "local[*]")
    if not submitted:
        check_java(version)
    folder = memory.SpillFolder(config.temp_dir, prefix="dataops-diff-spark-")
    log = os.path.join(folder.path, "spark.log")
    with open(os.path.join(folder.path, "log4j2.properties"), "w", encoding="utf-8") as fh:
        fh.write(_LOG4J)
    builder = SparkSession.builder
    if master:
        builder = builder.master(master)
    for key, value in _settings(config, master, folder.path, submitted).items():
        builder = builder.config(key, value)
    if _Started.folder is None and _Started.session is None:
        atexit.register(_stop)
    _Started.folder = folder  # from here on, _stop cleans up whatever was started
    try:
        with warnings.catch_warnings(), _jvm_output_to(log):
            warnings.simplefilter("ignore")
            _Started.session = builder.getOrCreate()
    except KeyboardInterrupt as exc:
        _stop()
        raise Interrupted("interrupted") from exc
    except Exception as exc:
        reason = _last_line(log)
        _stop()
        raise EngineError(
            f"cannot start Spark on master '{master or 'spark-submit'}': {reason}; check ",
            SPARK_MASTER,
            " and ",
            SPARK_CONF,
            f", and Java ({JAVA_FIX})",
        ) from exc
    return _Started.session


def _apply(spark: Any, config: EngineConfig) -> None:
    """``--spark-conf`` on a running session: runtime settings only."""
    master = spark.sparkContext.master
    if config.master and config.master != master:
        raise UsageError(
            SPARK_MASTER,
            f" {config.master}: a Spark session on '{master}' is already running "
            "in this process; drop ",
            SPARK_MASTER,
        )
    for key, value in config.options.items():
        if spark.conf.get(key, None) == value:
            continue
        try:
            spark.conf.set(key, value)
        except Exception as exc:
            raise UsageError(
                SPARK_CONF,
                f" {key}: cannot be changed in a running Spark session; "
                "set it where the session is started (spark-submit --conf, cluster settings)",
            ) from exc


def _stop() -> None:
    """Stop the session (or the half-started context) this process started; remove its folder."""
    spark, folder = _Started.session, _Started.folder
    _Started.session = _Started.folder = None
    with contextlib.suppress(Exception):
        if spark is not None:
            spark.stop()
        else:
            from pyspark import SparkContext

            context = SparkContext._active_spark_context
            if context is not None:
                context.stop()
    if folder is not None:
        folder.remove()


# ------------------------------------------------------------------------------------ errors
_ERROR_CLASS = re.compile(r"\[[A-Z][A-Z0-9_.]+\][^\n]*")
_READ_ERRORS = (
    "PATH_NOT_FOUND",
    "FAILED_READ_FILE",
    "CANNOT_READ_FILE_FOOTER",
    "FileNotFoundException",
    "is not a Parquet file",
    "UNABLE_TO_INFER_SCHEMA",
    "MALFORMED_RECORD",
)


def reason(exc: BaseException) -> str:
    """One line from a Spark or py4j error: the innermost error class message, else the first
    line that is not py4j's preamble or a JVM stack frame."""
    text = str(exc)
    classes = _ERROR_CLASS.findall(text)
    if classes:
        line = str(classes[-1])
    else:
        lines = [
            s.strip(" :\t")
            for s in text.splitlines()
            if s.strip() and not s.strip().startswith("at ") and "error occurred while" not in s
        ]
        line = lines[0] if lines else type(exc).__name__
    line = line.replace(" SQLSTATE:", "; SQLSTATE:").split("; SQLSTATE:")[0].strip()
    return line if len(line) <= 300 else line[:299] + "…"


def query_error(production: Any, candidate: Any, exc: BaseException) -> Exception:
    """A Spark failure while comparing, as the error the user can act on."""
    from .spark_read import malformed  # a ragged CSV row: its file and line

    for side, ref in (("production", production), ("candidate", candidate)):
        if found := malformed(ref, side, exc):
            return found
    text, message = str(exc), reason(exc)
    where = f"dataset '{production.name}' ('{production.path}' vs '{candidate.path}')"
    if "No space left on device" in text:
        return EngineError(
            f"disk full while comparing {where}: {message}; free space in Spark's local dir (",
            TEMP_DIR,
            " in local mode, spark.local.dir on a cluster)",
        )
    if "OutOfMemoryError" in text or "Java heap space" in text or "GC overhead" in text:
        return EngineError(
            f"out of memory comparing {where}: {message}; raise ",
            MEMORY_LIMIT,
            " (local mode) or ",
            SPARK_CONF,
            " spark.executor.memory=...",
        )
    if any(marker in text for marker in _READ_ERRORS):
        return InputError(
            f"cannot read {where}: {message}; check the files, or pass ",
            FORMAT.of(production.name),
        )
    if type(exc).__module__.startswith("py4j") and "Connection" in text:
        return EngineError(f"the Spark driver stopped while comparing {where}: {message}")
    return EngineError(
        f"Spark failed comparing {where}: {message}; rerun with --debug and report it"
    )
