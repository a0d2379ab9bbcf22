"""What is observed around a run: stderr tail, counters, output size, inputs, process groups."""

from __future__ import annotations

import json
import math
import os

from ..errors import InputError
from ..filetree import fingerprint
from ..model import InputFingerprint, RunSide

TAIL_LINES = 20
_SIDES: tuple[RunSide, ...] = ("production", "candidate", "baseline")
_TAIL_BYTES = 64 * 1024


def stderr_tail(path: str, lines: int = TAIL_LINES) -> tuple[str, ...]:
    """The last ``lines`` non-empty lines of a log file (decoded leniently)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            fh.seek(max(size - _TAIL_BYTES, 0))
            data = fh.read()
    except OSError:
        return ()
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")
    kept = [ln.rstrip() for ln in text.split("\n") if ln.strip()]
    if size > _TAIL_BYTES and kept:
        kept = kept[1:]  # the first line read is probably cut
    return tuple(kept[-lines:])


def log_tail(stderr_log: str, stdout_log: str, failed: bool) -> tuple[tuple[str, ...], str]:
    """The tail of stderr, or for a failed version of stdout when stderr is empty; which log.

    Many tools (dbt among them) print their errors on stdout, so an empty stderr says nothing.
    """
    tail = stderr_tail(stderr_log)
    if tail or not failed:
        return tail, stderr_log
    tail = stderr_tail(stdout_log)
    return tail, (stdout_log if tail else stderr_log)


def read_counters(path: str) -> tuple[dict[str, float], list[str]]:
    """The counters a version wrote to ``path`` (a JSON object of numbers), and warnings.

    A missing file means no counters. A bad file or value is a warning, never a crash.
    """
    if not os.path.exists(path):
        return {}, []
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, [f"counters file '{path}' is not valid JSON ({exc}); counters ignored"]
    if not isinstance(data, dict):
        return {}, [f"counters file '{path}' must hold a JSON object of numbers; counters ignored"]
    counters: dict[str, float] = {}
    warnings: list[str] = []
    for name, value in data.items():
        number = isinstance(value, int | float) and not isinstance(value, bool)
        if number and math.isfinite(value):
            counters[str(name)] = float(value)
        else:
            warnings.append(f"counter '{name}' in '{path}' is not a finite number; ignored")
    return counters, warnings


def output_bytes(path: str) -> int:
    """Bytes written so far under ``path`` (files that vanish while counting are skipped)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                continue
    return total


def group_has_live_members(pgid: int) -> bool:
    """Whether process group ``pgid`` has a member that is not a zombie (Linux: from /proc).

    Killed members whose parent is gone stay zombies until init reaps them, and some container
    inits never do; they hold no resources. Elsewhere the group counts as alive (the caller then
    falls back to SIGKILL after the grace period).
    """
    if not os.path.isdir("/proc/self"):
        return True
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] not in (b"Z", b"X"):
            return True
    return False


class WatchedInputs:
    """Input fingerprints, taken before the runs and whenever a version exits."""

    def __init__(self, inputs: dict[str, str]) -> None:
        self.paths = dict(inputs)
        self.before = self._snapshot(first=True)
        self.last = self.before
        self.changed_by: dict[str, set[RunSide]] = {name: set() for name in self.paths}

    def _snapshot(self, first: bool = False) -> dict[str, tuple[int, int, str]]:
        """Fingerprints; a link loop is refused before the runs, and is a change during them."""
        snap: dict[str, tuple[int, int, str]] = {}
        for name, path in self.paths.items():
            try:
                snap[name] = fingerprint(path)
            except OSError as exc:
                snap[name] = (0, 0, f"unreadable: {exc.strerror}")
            except InputError as exc:
                if first:
                    raise InputError(f"input '{name}': {exc.message}") from exc
                snap[name] = (0, 0, f"unreadable: {exc.message}")
        return snap

    def check(self, running_since_last: set[RunSide]) -> None:
        now = self._snapshot()
        for name, fp in now.items():
            if fp[2] != self.last[name][2]:
                self.changed_by[name] |= running_since_last
        self.last = now

    def result(self) -> tuple[InputFingerprint, ...]:
        out = []
        for name, (files, size, digest) in self.before.items():
            by = tuple(s for s in _SIDES if s in self.changed_by[name])
            out.append(InputFingerprint(self.paths[name], files, size, digest, by))
        return tuple(out)
