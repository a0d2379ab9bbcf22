"""Before a Spark session starts, and when it fails: the master URL, the master's reachability,
and the real reason behind a Java error.

A master URL Spark cannot parse fails deep inside spark-submit, and its message is a stack
frame; a ``spark://`` master that is down makes Spark retry for about a minute and then report
a stopped context. Both are checked here first, in a second or two, with a message naming
``--spark-master``. A Java error's reason is usually in its cause chain (a FileNotFoundException
under "not in ORC or Parquet format"), which py4j's text shows only in part: ``java_causes``
walks it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
from typing import Any

from ..errors import ENGINE, SPARK_MASTER, EngineError, UsageError

REACH_TIMEOUT = 5.0  # seconds to open a TCP connection to a standalone master
_HOST_PORT = r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+):\d{1,5}"  # IPv6 in brackets
_MASTERS = (
    re.compile(rf"spark://{_HOST_PORT}(,{_HOST_PORT})*"),  # standalone, with standby masters
    re.compile(r"local(\[(\*|[1-9]\d*)(,\s*[1-9]\d*)?\])?"),  # local[N], local[*], local[N,F]
    re.compile(r"local-cluster\[[1-9]\d*,\s*[1-9]\d*,\s*[1-9]\d*\]"),
    re.compile(r"yarn"),
    re.compile(r"k8s://\S+"),
    re.compile(r"mesos://\S+"),
)
INSTALL = "pip install 'dataops-diff[spark]'"
JAVA_FIX = (
    "install Java 17 (scripts/install-java.sh, or apt-get install openjdk-17-jre-headless) "
    "or set JAVA_HOME"
)
FORMS = "spark://HOST:PORT, local, local[N], local[*], yarn, k8s://URL or mesos://HOST:PORT"


def check_master(master: str) -> None:
    """A UsageError naming ``--spark-master`` unless Spark accepts this form of master URL."""
    if not any(form.fullmatch(master) for form in _MASTERS):
        hint = ""
        if re.fullmatch(_HOST_PORT, master):
            hint = f" (a standalone master is spark://{master})"
        raise UsageError(
            SPARK_MASTER, f" '{master}' is not a Spark master URL{hint}; use one of: {FORMS}"
        )


def check_reachable(master: str) -> None:
    """A ``spark://`` master must accept a connection (any one of a standby list)."""
    if not master.startswith("spark://"):
        return
    reasons = []
    for address in master.removeprefix("spark://").split(","):
        host, _, port = address.rpartition(":")
        try:
            with socket.create_connection((host.strip("[]"), int(port)), REACH_TIMEOUT):
                return
        except OSError as exc:
            reasons.append(f"{address}: {exc.strerror or type(exc).__name__}")
    raise EngineError(
        SPARK_MASTER,
        f" {master}: cannot reach the Spark master ({'; '.join(reasons)}); "
        "check the host and port and that the master is running",
    )


def java_causes(exc: BaseException) -> list[tuple[str, str]]:
    """(Java class name, message) of a py4j error's Java exception and each of its causes,
    outermost first; empty for an error that did not come from the JVM."""
    throwable: Any = getattr(exc, "java_exception", None) or getattr(exc, "_origin", None)
    found: list[tuple[str, str]] = []
    with contextlib.suppress(Exception):  # the JVM may be gone: then only what py4j kept
        while throwable is not None and len(found) < 20:
            found.append((str(throwable.getClass().getName()), str(throwable.getMessage() or "")))
            cause = throwable.getCause()
            throwable = None if cause is None or cause.equals(throwable) else cause
    return found


def not_visible(exc: BaseException) -> str | None:
    """The file a read could not find, when the error (or one of its Java causes) says so: on a
    cluster, a path the driver sees that an executor does not."""
    text = str(exc)
    causes = [text for name, text in java_causes(exc) if name.endswith("FileNotFoundException")]
    if not causes and "java.io.FileNotFoundException" not in text:
        return None
    message = causes[0] if causes else text.split("java.io.FileNotFoundException:", 1)[1]
    first = message.strip().splitlines()[0] if message.strip() else "a file"
    return first[:200]


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


def java_missing() -> bool:
    """True when neither JAVA_HOME nor PATH gives a ``java``: only then is the install hint
    worth appending to a start failure."""
    home = os.environ.get("JAVA_HOME")
    java = os.path.join(home, "bin", "java") if home else shutil.which("java")
    return not java or not os.path.exists(java)


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


_NO_JVM = "Error: Could not create the Java Virtual Machine"
_GENERIC = ("Error: A fatal exception has occurred", _NO_JVM)


def start_reason(path: str) -> str:
    """The line of the JVM's log that says why the start failed: a reason Spark gave for
    killing the application (a master that never answered), else the last error line."""
    with contextlib.suppress(OSError):
        with open(path, encoding="utf-8", errors="replace") as fh:
            lines = [line.strip() for line in fh if line.strip() and not line.startswith("\t")]
        for line in reversed(lines):
            if "Application has been killed. Reason: " in line:
                return line.split("Reason: ", 1)[1][:300]
        for i, line in enumerate(lines):
            if line.startswith(_NO_JVM) and i:  # the line before says why
                return lines[i - 1][:300]
        for line in reversed(lines):
            if line.startswith(_GENERIC):  # the JVM's own last words say nothing
                continue
            if "Exception" in line or "Error" in line or "error" in line:
                return line[:300]
        if lines:
            return lines[-1][:300]
    return "no output"
