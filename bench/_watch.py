"""What bench/scale.py watches while a run lasts: a process tree's memory and a folder's size."""

from __future__ import annotations

import os
import threading
from pathlib import Path


class Watch:
    """Polls, while a run lasts, the peak memory of a process tree and the size of a folder."""

    def __init__(self, folder: Path | None) -> None:
        self.folder, self.tree_peak, self.spill_peak = folder, 0, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    def _poll(self) -> None:
        me = os.getpid()
        while not self._done.wait(0.1):
            self.tree_peak = max(self.tree_peak, _tree_rss(me) - _rss(me))
            if self.folder is not None:
                self.spill_peak = max(self.spill_peak, _folder_bytes(self.folder))


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _tree_rss(root: int) -> int:
    """RSS of ``root`` and all its descendants (Linux /proc; 0 elsewhere)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    tree, grew = {root}, True
    while grew:
        more = {pid for pid, parent in parents.items() if parent in tree} - tree
        tree |= more
        grew = bool(more)
    return sum(_rss(pid) for pid in tree)


def _folder_bytes(folder: Path) -> int:
    total = 0
    for path, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(path, name))
            except OSError:
                continue
    return total
