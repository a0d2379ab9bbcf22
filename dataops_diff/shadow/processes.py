"""The only place that starts processes: the versions of a shadow run (and git, see ``git``).

Production and candidate (and, with a baseline, production a second time) start at once, each in
its own process group (``start_new_session=True``) with stdin closed and stdout/stderr going to
log files. One loop in the calling thread polls them with ``os.wait4`` (which also yields the peak
memory), enforces the timeout, watches for Ctrl-C/SIGTERM and fingerprints the inputs whenever a
version exits. Stopping a version means SIGTERM to its whole process group, then SIGKILL after a
grace period; processes a version leaves behind in its group after it exits are stopped the same
way, so nothing outlives the run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from ..errors import Interrupted, RunError
from ..model import InputFingerprint, RunRecord, RunSide, RunStatus
from .observe import WatchedInputs, group_has_live_members, log_tail, output_bytes, read_counters

GRACE_SECONDS = 3.0  # between SIGTERM and SIGKILL
POLL_SECONDS = 0.05
SIZE_EVERY_SECONDS = 0.5  # how often the live display's output sizes are measured


def git(args: list[str], cwd: str, fix: str) -> str:
    """Run ``git ARGS`` in ``cwd``; its stdout, stripped. ``fix`` ends the error message."""
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=300
        )
    except FileNotFoundError:
        raise RunError("git is not installed or not on PATH; install git to run git refs") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RunError(f"git {' '.join(args)} failed in '{cwd}': {exc}; {fix}") from exc
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.strip().splitlines() if ln.strip()]
        why = lines[-1] if lines else f"exit code {done.returncode}"
        raise RunError(f"git {' '.join(args)} failed in '{cwd}': {why}; {fix}")
    return done.stdout.strip()


@dataclass(frozen=True)
class Launch:
    """Everything needed to start one version."""

    side: RunSide
    command: tuple[str, ...]  # the exact argv (a shell command is ("/bin/sh", "-c", COMMAND))
    cwd: str
    env: dict[str, str]  # the complete environment
    side_dir: str  # <run dir>/<side>: logs and the counters file
    output_dir: str
    git_ref: str | None = None
    git_sha: str | None = None

    @property
    def stdout_log(self) -> str:
        return os.path.join(self.side_dir, "stdout.log")

    @property
    def stderr_log(self) -> str:
        return os.path.join(self.side_dir, "stderr.log")

    @property
    def counters_file(self) -> str:
        return os.path.join(self.side_dir, "counters.json")


@dataclass(frozen=True)
class RunState:
    """What the live display shows about one version."""

    side: RunSide
    status: RunStatus | str  # "running" or "stopping" until it ends
    elapsed: float
    output_bytes: int


TickFn = Callable[[tuple[RunState, ...]], None]


class _Version:
    """One running version and its process group."""

    def __init__(self, launch: Launch) -> None:
        self.launch = launch
        self.pid = 0
        self.start = self.end = 0.0
        self.status: RunStatus | None = None  # final status once known
        self.exit_code: int | None = None
        self.maxrss: int | None = None
        self.stop_reason: RunStatus | None = None  # "timed_out" or "interrupted"
        self.term_at: float | None = None
        self.killed = False
        self.warnings: list[str] = []
        self.size = 0

    def spawn(self) -> None:
        self.start = time.monotonic()
        launch = self.launch
        with open(launch.stdout_log, "wb") as out, open(launch.stderr_log, "wb") as err:
            try:
                proc = subprocess.Popen(
                    launch.command, cwd=launch.cwd, env=launch.env, stdin=subprocess.DEVNULL,
                    stdout=out, stderr=err, start_new_session=True, close_fds=True,
                )  # fmt: skip
            except OSError as exc:
                err.write(f"dataops-diff: cannot start {launch.command[0]!r}: {exc}\n".encode())
                self.status, self.end = "not_started", time.monotonic()
                return
        self.pid = proc.pid
        proc.returncode = 0  # this loop reaps it with os.wait4; keep Popen from waiting again

    @property
    def exited(self) -> bool:
        return self.status is not None

    def _signal(self, sig: int) -> bool:
        try:
            os.killpg(self.pid, sig)
        except (ProcessLookupError, PermissionError):
            return False
        return True

    def _group_alive(self) -> bool:
        return self.pid > 0 and self._signal(0) and group_has_live_members(self.pid)

    def stop(self, reason: RunStatus, now: float, force: bool = False) -> None:
        if self.stop_reason is None and not self.exited:
            self.stop_reason = reason
        if self.term_at is None:
            self.term_at = now
            self._signal(signal.SIGTERM)
        if force and not self.killed:
            self.killed = True
            self._signal(signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL the whole group and reap the leader (the emergency exit)."""
        if self.pid and not self.killed:
            self.killed = True
            self._signal(signal.SIGKILL)
        if self.pid and not self.exited:
            os.wait4(self.pid, 0)
            self.status = self.stop_reason or "interrupted"

    def tick(self, now: float, grace: float) -> bool:
        """Advance; True once the version exited and nothing is left in its process group."""
        if not self.exited:
            pid, status, rusage = os.wait4(self.pid, os.WNOHANG)
            if pid:
                self.end = now
                self.maxrss = rusage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
                code = os.waitstatus_to_exitcode(status)
                if self.stop_reason is not None:
                    self.status = self.stop_reason
                else:
                    self.status, self.exit_code = ("succeeded" if code == 0 else "failed"), code
        if self.exited and self.term_at is None and self.pid and self._group_alive():
            self.warnings.append("processes left running in its process group were stopped")
            self.stop(self.status or "failed", now)
        if self.term_at is not None and not self.killed and now - self.term_at >= grace:
            self.killed = True
            self._signal(signal.SIGKILL)
        return self.exited and (self.killed or not self._group_alive())

    def record(self, counters_warnings: tuple[dict[str, float], list[str]]) -> RunRecord:
        launch = self.launch
        counters, warnings = counters_warnings
        assert self.status is not None
        tail, tail_log = log_tail(launch.stderr_log, launch.stdout_log, self.status != "succeeded")
        return RunRecord(
            side=launch.side,
            command=launch.command,
            cwd=launch.cwd,
            output_dir=launch.output_dir,
            status=self.status,
            exit_code=self.exit_code,
            duration_seconds=round(max(self.end - self.start, 0.0), 3),
            peak_memory_bytes=self.maxrss,
            stdout_log=launch.stdout_log,
            stderr_log=launch.stderr_log,
            stderr_tail=tail,
            tail_log=tail_log,
            git_ref=launch.git_ref,
            git_sha=launch.git_sha,
            counters=counters,
            warnings=(*self.warnings, *warnings),
        )


@contextmanager
def _trapped_signals(flag: list[int]) -> Iterator[None]:
    """Record SIGINT/SIGTERM in ``flag`` instead of dying (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, _frame: FrameType | None) -> None:
        flag.append(signum)

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_versions(
    launches: tuple[Launch, ...],
    inputs: dict[str, str],
    timeout: float | None = None,
    on_tick: TickFn | None = None,
    grace: float = GRACE_SECONDS,
) -> tuple[tuple[RunRecord, ...], tuple[InputFingerprint, ...]]:
    """Run every version concurrently; their records (in order) and the inputs' fingerprints.

    Raises ``Interrupted`` (after stopping every process group) on Ctrl-C or SIGTERM.
    """
    watched = WatchedInputs(inputs)
    versions = [_Version(launch) for launch in launches]
    signals: list[int] = []
    with _trapped_signals(signals):
        try:
            for v in versions:
                os.makedirs(v.launch.output_dir, exist_ok=True)
                v.spawn()
            _supervise(versions, watched, signals, timeout, on_tick, grace)
        except BaseException:
            for v in versions:
                v.kill()  # whatever went wrong here, nothing may outlive the run
            raise
    records = tuple(v.record(read_counters(v.launch.counters_file)) for v in versions)
    if signals:
        name = signal.Signals(signals[0]).name
        runs = "both runs were" if len(launches) == 2 else f"all {len(launches)} runs were"
        raise Interrupted(
            f"interrupted by {name}: {runs} stopped; logs are kept in "
            f"'{os.path.dirname(launches[0].side_dir)}'"
        )
    return records, watched.result()


def _supervise(
    versions: list[_Version],
    watched: WatchedInputs,
    signals: list[int],
    timeout: float | None,
    on_tick: TickFn | None,
    grace: float,
) -> None:
    pending = [v for v in versions if v.pid]
    running: set[RunSide] = {v.launch.side for v in pending}  # leaders not yet exited
    active: set[RunSide] = set(running)  # process groups not yet empty
    last_size = 0.0
    while pending:
        time.sleep(POLL_SECONDS)
        now = time.monotonic()
        for v in pending:
            if signals:
                v.stop("interrupted", now, force=len(signals) > 1)
            elif timeout is not None and not v.exited and now - v.start > timeout:
                v.stop("timed_out", now)
        finished = [v for v in pending if v.tick(now, grace)]
        for v in finished:
            pending.remove(v)
            v.size = output_bytes(v.launch.output_dir)  # its final size, whenever it ends
        if finished or any(v.exited and v.launch.side in running for v in versions):
            # again after every stop: a process left behind may write during its grace period;
            # a change is attributed to every version whose processes were alive meanwhile
            watched.check(active)
            running = {v.launch.side for v in versions if v.pid and not v.exited}
            active = {v.launch.side for v in pending}
        if on_tick is not None:
            if now - last_size >= SIZE_EVERY_SECONDS or not pending:
                last_size = now
                for v in versions:
                    v.size = output_bytes(v.launch.output_dir)
            on_tick(tuple(_state(v, now) for v in versions))


def _state(v: _Version, now: float) -> RunState:
    if v.status is not None:
        status: str = v.status
        elapsed = v.end - v.start
    else:
        status = "stopping" if v.term_at is not None else "running"
        elapsed = now - v.start
    return RunState(v.launch.side, status, elapsed, v.size)
