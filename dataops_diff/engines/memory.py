"""Local resources of a diff: how much memory it may use, and the private folder it spills to.

The default memory limit is ``DEFAULT_SHARE`` of the memory this process may use: the machine's
physical memory, or the cgroup limit (containers, systemd slices) when that is lower. The rest is
left for the page cache that Parquet reads go through and everything else on the machine.

A limit bounds the whole process, not only the engine's pool: ``pool_size`` gives the engine
what is left after the memory the process already holds, less a margin for what the engine
allocates outside its pool.

A spill folder is private (``tempfile.mkdtemp``), held under an advisory lock (``flock``) while
in use, and removed by ``SpillFolder.remove``. A folder left behind by a killed process (SIGKILL,
the OOM killer) is unlocked, so the next diff that creates a spill folder in the same parent
removes it.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

from ..errors import MEMORY_LIMIT, TEMP_DIR, Setting, UsageError

DEFAULT_SHARE = 0.5  # of the memory this process may use
POOL_SHARE = 0.85  # of a limit less what the process holds: the engine's pool (see pool_size)
OUTSIDE_POOL = 96 * 2**20  # an engine's allocations outside its pool, besides POOL_SHARE
SMALL_POOL = 2 * 2**30  # below this pool, an engine reads column chunks page by page
SPILL_PREFIX = "dataops-diff-spill-"
STALE_SECONDS = 60  # an unlocked spill folder older than this belongs to a dead process
_UNITS = {
    "b": 1,
    "kb": 10**3,
    "mb": 10**6,
    "gb": 10**9,
    "tb": 10**12,
    "kib": 2**10,
    "mib": 2**20,
    "gib": 2**30,
    "tib": 2**40,
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$", re.IGNORECASE)
_CGROUP_FILES = ("memory.max", "memory.limit_in_bytes")  # cgroup v2, v1


# ------------------------------------------------------------------------------ memory limit
def physical_memory() -> int | None:
    """Bytes of physical memory: ``sysconf``, else ``MemTotal`` of /proc/meminfo."""
    with contextlib.suppress(ValueError, OSError, AttributeError):
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        if pages > 0 and size > 0:
            return pages * size
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    return None


def cgroup_limit(
    root: str = "/sys/fs/cgroup", proc_cgroup: str = "/proc/self/cgroup"
) -> int | None:
    """The tightest memory limit of this process's cgroup (v2 or v1), or None when unlimited."""
    folders = [Path(root), Path(root) / "memory"]
    with contextlib.suppress(OSError):
        for line in Path(proc_cgroup).read_text().splitlines():
            _, controllers, path = line.split(":", 2)
            if controllers in ("", "memory") or "memory" in controllers.split(","):
                base = Path(root) if controllers == "" else Path(root) / "memory"
                folders.insert(0, base / path.lstrip("/"))
    limits = []
    for folder in folders:
        for name in _CGROUP_FILES:
            with contextlib.suppress(OSError, ValueError):
                text = (folder / name).read_text().strip()
                if text != "max":
                    limits.append(int(text))
    # cgroup v1 writes "unlimited" as a huge number (a page-aligned 2**63 - 1)
    real = [n for n in limits if 0 < n < 2**60]
    return min(real) if real else None


def usable_memory() -> int | None:
    """The memory this process may use: physical memory, capped by a cgroup limit."""
    known = [n for n in (physical_memory(), cgroup_limit()) if n]
    return min(known) if known else None


def default_memory_limit() -> int | None:
    """``DEFAULT_SHARE`` of ``usable_memory()`` in bytes; None when it cannot be measured."""
    usable = usable_memory()
    return int(usable * DEFAULT_SHARE) if usable else None


def parse_size(text: str, flag: Setting = MEMORY_LIMIT) -> int:
    """``4GB`` (10^9), ``4GiB`` (2^30), ``512MB``, ``1.5GB``, or ``60%`` of usable memory."""
    value = text.strip()
    if value.endswith("%"):
        usable = usable_memory()
        try:
            share = float(value[:-1])
        except ValueError:
            share = -1.0
        if not 0 < share <= 100:
            raise UsageError(flag, f" '{text}': a share is a percentage in (0, 100], e.g. 60%")
        if usable is None:
            raise UsageError(flag, f" '{text}': cannot measure this machine's memory; give bytes")
        return int(usable * share / 100)
    m = _SIZE.match(value)
    unit = m.group(2).lower() if m else ""
    if m is None or unit not in _UNITS:
        raise UsageError(flag, f" '{text}' is not a size; use e.g. 4GB, 4GiB, 512MB or 60%")
    size = int(float(m.group(1)) * _UNITS[unit])
    if size < 2**20:
        raise UsageError(flag, f" '{text}' is below 1 MiB; give a larger size, e.g. 4GB")
    return size


def memory_limit_bytes(text: str | None, flag: Setting = MEMORY_LIMIT) -> int | None:
    """The limit a user gave, or the default; None when neither is known."""
    return parse_size(text, flag) if text else default_memory_limit()


def current_rss() -> int:
    """Bytes this process holds in memory now (Linux), else its peak so far."""
    with contextlib.suppress(OSError, ValueError, IndexError):
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def pool_size(limit: int, share: float = POOL_SHARE, flag: Setting = MEMORY_LIMIT) -> int:
    """What an engine's own memory pool may use so that the whole process stays under ``limit``:
    the limit less what the process already holds, less what the engine allocates outside its
    pool (``OUTSIDE_POOL``, then ``1 - share`` of the rest). Measured with DuckDB at 1M rows: the
    process peaked 180 MiB above DuckDB's pool (95 MiB of it held before the diff); on the
    realistic benchmark data (docs/benchmarks.md, "Round 2, part 4") the part outside the pool
    grew with the pool, about 100 MiB + 14% of it: a share of 0.9 let 20M rows under 1GB peak
    at 0.96 GiB (0.93 allowed), 0.85 at 0.92 GiB."""
    held = current_rss()
    pool = int((limit - held - OUTSIDE_POOL) * share)
    if pool < 32 * 2**20:
        raise UsageError(
            flag,
            f" {human(limit)} leaves nothing to compare with: this process already holds "
            f"{human(held)}; give at least {human(int(held + OUTSIDE_POOL + 64 * 2**20 / share))}",
        )
    return pool


def mib(size: int) -> int:
    return max(1, size // 2**20)


def human(size: int) -> str:
    """``12.0 GiB``: how the documentation and messages show a size."""
    return f"{size / 2**30:.1f} GiB" if size >= 2**30 else f"{size / 2**20:.0f} MiB"


# ------------------------------------------------------------------------------ spill folder
class SpillFolder:
    """A private folder under ``parent`` (default: the system temp folder), locked while in use."""

    def __init__(self, parent: str | None = None, prefix: str = SPILL_PREFIX) -> None:
        self._fd: int | None = None
        base = parent or tempfile.gettempdir()
        if not os.path.isdir(base):
            raise UsageError(TEMP_DIR, f" '{base}' is not a folder; create it or pick another")
        sweep_stale(base, prefix)
        try:
            self.path = tempfile.mkdtemp(prefix=prefix, dir=base)
        except OSError as exc:
            raise UsageError(
                TEMP_DIR,
                f" '{base}': cannot create a spill folder ({exc.strerror}); pick a writable folder",
            ) from exc
        self._fd = _lock(self.path)

    def remove(self) -> None:
        """Delete the folder and everything in it. Safe to call twice."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
        path = getattr(self, "path", None)
        if path:
            shutil.rmtree(path, ignore_errors=True)


def _lock(path: str) -> int | None:
    """An exclusive advisory lock on the folder itself, held until the descriptor is closed."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on POSIX: stale folders are not swept
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def sweep_stale(parent: str, prefix: str = SPILL_PREFIX) -> list[str]:
    """Remove spill folders under ``parent`` that no live process holds. Returns their paths."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    now = time.time()
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        with contextlib.suppress(OSError):
            if (
                not entry.is_dir(follow_symlinks=False)
                or now - entry.stat().st_mtime < STALE_SECONDS
            ):
                continue
            fd = _lock(entry.path)
            if fd is None:
                continue  # in use (or locks unsupported)
            try:
                shutil.rmtree(entry.path, ignore_errors=True)
                removed.append(entry.path)
            finally:
                os.close(fd)
    return removed
