"""The run table every renderer shows: one column per version (production, candidate, and the
baseline when production ran twice), counters as the pipeline reported them (integers as integers).
"""

from __future__ import annotations

from ..humanize import size
from ..model import Report, RunRecord
from .summary import number, seconds


def records(report: Report) -> tuple[RunRecord, ...]:
    """production, candidate and (when run) the baseline: the run table's columns, in order."""
    if report.run is None:
        return ()
    run = report.run
    return (run.production, run.candidate, *((run.baseline,) if run.baseline else ()))


def commit(record: RunRecord) -> str:
    return (record.git_sha or "working tree")[:12]


def exit_code(record: RunRecord) -> str:
    return "-" if record.exit_code is None else str(record.exit_code)


def run_rows(report: Report) -> list[tuple[str, ...]]:
    """The rows of the run table, a label then one cell per record of ``records(report)``."""
    shown = records(report)
    rows: list[tuple[str, ...]] = [
        ("status", *(r.status.replace("_", " ") for r in shown)),
        ("exit code", *(exit_code(r) for r in shown)),
        ("commit", *(commit(r) for r in shown)),
        ("duration", *(seconds(r.duration_seconds) for r in shown)),
        ("peak memory", *(size(r.peak_memory_bytes) for r in shown)),
    ]
    names = sorted({name for r in shown for name in r.counters})
    rows += [(f"counter {n}", *(number(r.counters.get(n)) for r in shown)) for n in names]
    return rows


def not_succeeded(report: Report) -> tuple[RunRecord, ...]:
    """The versions whose run did not succeed: their log tails are shown."""
    return tuple(r for r in records(report) if r.status != "succeeded")
