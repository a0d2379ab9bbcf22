"""The Spark session behind ``--engine spark``: join a running one, or start one; clear errors.

- A running session (Databricks, a notebook, tests) is joined as it is.
- Under ``spark-submit`` the master and configuration are spark-submit's; ``--spark-master`` and
  ``--spark-conf`` still apply.
- Otherwise a session is started on ``--spark-master`` (default ``local[*]``; the URL and a
  ``spark://`` master's reachability are checked first, ``spark_master``), configured by
  ``spark_settings``. The JVM's own output goes to a log in the private folder; a start failure
  quotes the line that says why.

A session this module starts is stopped when the process exits (``atexit``), so it is shared by
every engine in the process (tests start it once). On a cluster its jobs are watched for
executors (``spark_watch``). Ctrl-C is handled here without pyspark's handler (``_keep_ctrl_c``).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import signal
import sys
import warnings
from collections.abc import Iterator
from typing import Any

from ..errors import (
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
from .spark_master import (
    JAVA_FIX,
    check_java,
    check_master,
    check_reachable,
    java_missing,
    not_visible,
    pyspark_version,
    start_reason,
)
from .spark_settings import LOG4J, settings
from .spark_watch import Watchdog


class _Started:
    """The session this process started, and its spill folder; both released at exit."""

    session: Any = None
    folder: memory.SpillFolder | None = None
    interrupted = False  # by Ctrl-C: stopping is silent


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


def session(config: EngineConfig) -> Any:
    """The SparkSession to compare in: the running one, or one started for this process."""
    if config.master is not None:
        check_master(config.master)
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
        check_reachable(master)
    folder = memory.SpillFolder(config.temp_dir, prefix="dataops-diff-spark-")
    log = os.path.join(folder.path, "spark.log")
    with open(os.path.join(folder.path, "log4j2.properties"), "w", encoding="utf-8") as fh:
        fh.write(LOG4J)
    builder = SparkSession.builder
    if master:
        builder = builder.master(master)
    for key, value in settings(config, master, folder.path, submitted).items():
        builder = builder.config(key, value)
    if _Started.folder is None and _Started.session is None:
        atexit.register(_stop)
    _Started.folder = folder  # from here on, _stop cleans up whatever was started
    ctrl_c = signal.getsignal(signal.SIGINT)
    try:
        with warnings.catch_warnings(), _jvm_output_to(log):
            warnings.simplefilter("ignore")
            _Started.session = builder.getOrCreate()
    except KeyboardInterrupt as exc:
        quiet_stop()
        raise Interrupted("interrupted") from exc
    except Exception as exc:
        reason = start_reason(log)
        _stop()
        java = f", and Java ({JAVA_FIX})" if java_missing() else ""
        raise EngineError(
            f"cannot start Spark on master '{master or 'spark-submit'}': {reason}; check ",
            SPARK_MASTER,
            " and ",
            SPARK_CONF,
            java,
        ) from exc
    finally:
        _keep_ctrl_c(ctrl_c)
    return _Started.session


def _keep_ctrl_c(handler: Any) -> None:
    """Replace the Ctrl-C handler pyspark installs: its own cancels jobs from inside the signal
    handler, re-entering py4j mid-call, and py4j logs each broken call with its traceback
    (dozens of lines before "interrupted"). Ours silences logging, then does what the handler
    before pyspark's did (KeyboardInterrupt); the engine cancels the jobs when that reaches it."""
    if not callable(handler):
        return

    def interrupt(signum: int, frame: Any) -> None:
        silence()
        handler(signum, frame)

    with contextlib.suppress(ValueError):  # not the main thread: pyspark replaced nothing
        signal.signal(signal.SIGINT, interrupt)


def silence() -> None:
    """No more log lines from py4j or pyspark in this process: after Ctrl-C every call to the
    JVM on the way down may fail, and py4j logs each failure with a traceback (on the root
    logger, so all logging goes quiet)."""
    import logging

    _Started.interrupted = True
    logging.disable(logging.CRITICAL)
    sys.unraisablehook = _ignore  # py4j's finalizers fail on a closed connection too


def _ignore(unraisable: Any) -> None:
    del unraisable


def interrupted() -> bool:
    """Whether Ctrl-C reached this process while Spark ran."""
    return _Started.interrupted


def quiet_stop() -> None:
    """Stop after Ctrl-C without a word."""
    silence()
    _stop()


def watchdog(spark: Any, config: EngineConfig) -> Watchdog | None:
    """The executor watchdog for a session this process started on a cluster master; none in
    local mode (the driver is the executor) or for a joined session (its owner decides)."""
    if spark is not _Started.session or spark.sparkContext.master.startswith("local"):
        return None
    return Watchdog(spark, config.start_timeout)


def stop_started() -> None:
    """Stop the session this process started (after its jobs were given up on)."""
    _stop()


def stopped(spark: Any) -> bool:
    """Whether the session's context is gone (stopped here, or by Spark itself)."""
    try:
        return bool(spark.sparkContext._jsc.sc().isStopped())
    except Exception:
        return True


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
    if _Started.interrupted:
        silence()
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
    """One line from a Spark or py4j error: a file an executor could not find, else the
    innermost error class message, else the first line that is not py4j's preamble or a JVM
    stack frame."""
    missing = not_visible(exc)
    if missing is not None:
        return (
            f"{missing} where a Spark executor read it; paths must be on storage every executor "
            "can read (the same folder mounted on every node, or a URI such as s3a:// or "
            "hdfs://) and must not change while comparing"
        )
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
