"""The runs of a shadow run for the HTML report: production, candidate and, when the noise floor
was learnt, the baseline (production run again) side by side; links to their logs.

Commands are often long (absolute paths, many flags): a cell shows their start and holds the full
text one click away (``<details>``), so the table never wraps a command over five lines.
"""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from ..model import Report, RunRecord
from .html_format import num, seconds, size
from .html_rows import cut
from .runs import records

SHORT = 48  # characters of a long value shown before its <details> opens


@dataclass(frozen=True)
class RunCell:
    text: str
    short: str  # "" when the text is short enough to show whole


@dataclass(frozen=True)
class RunRow:
    label: str
    cells: tuple[RunCell, ...]  # production, candidate[, baseline]
    differs: bool  # production and candidate differ


@dataclass(frozen=True)
class Link:
    text: str
    href: str


def _cell(text: str) -> RunCell:
    return RunCell(text, cut(text, SHORT) if len(text) > SHORT else "")


def run_rows(report: Report) -> tuple[RunRow, ...]:
    runs = records(report)
    if not runs:
        return ()

    def row(label: str, values: list[str]) -> RunRow:
        return RunRow(label, tuple(_cell(v) for v in values), values[0] != values[1])

    rows = [
        row("status", [r.status for r in runs]),
        row("git ref", [r.git_ref or "—" for r in runs]),
        row("commit", [(r.git_sha or "working tree")[:12] for r in runs]),
        row("command", [shlex.join(r.command) for r in runs]),
        row("exit code", ["—" if r.exit_code is None else str(r.exit_code) for r in runs]),
        row("duration", [seconds(r.duration_seconds) for r in runs]),
        row("peak memory", [size(r.peak_memory_bytes) for r in runs]),
    ]
    names = sorted({name for r in runs for name in r.counters})
    rows += [row(f"counter {name}", [_counter(r, name) for r in runs]) for name in names]
    return tuple(rows)


def _counter(record: RunRecord, name: str) -> str:
    v = record.counters.get(name)
    return "—" if v is None else num(int(v) if float(v).is_integer() else v)


def _href(path: str, base_dir: str | None) -> str:
    """A link to a local file: relative to ``base_dir`` when given, percent-encoded."""
    if base_dir is not None:
        path = os.path.relpath(os.path.abspath(path), os.path.abspath(base_dir))
    if os.path.isabs(path):
        return Path(path).as_uri()
    return quote(PurePosixPath(*Path(path).parts).as_posix())


def logs(report: Report, base_dir: str | None) -> tuple[tuple[Link, ...], ...]:
    """Each run's stdout and stderr logs, in the columns' order."""
    return tuple(
        tuple(
            Link(label, _href(path, base_dir))
            for label, path in (("stdout", record.stdout_log), ("stderr", record.stderr_log))
            if path
        )
        for record in records(report)
    )
