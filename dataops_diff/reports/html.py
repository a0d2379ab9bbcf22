"""The HTML report: one self-contained file (inline CSS, inline SVG charts, no scripts).

jinja2 with ``autoescape=True`` and ``StrictUndefined``: every value from data is escaped, and a
template that names a missing field fails instead of printing nothing. The output depends on the
Report only (no timestamps, no absolute paths unless the report holds them), so it has golden files.
"""

from __future__ import annotations

import functools
import os
import shlex
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote

import jinja2
import markupsafe

from .. import humanize
from ..model import JSONValue, Report, RunRecord
from . import html_view, summary

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MAX_REASONS_OPEN = 15


@dataclass(frozen=True)
class RunRow:
    label: str
    production: str
    candidate: str
    differs: bool


@dataclass(frozen=True)
class Link:
    text: str
    href: str


@functools.cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_shown,  # every {{ value }}: invisible characters as escapes, then autoescape
    )
    env.filters.update(count=count, num=num, pct=pct, size=size, seconds=seconds, data=_data)
    return env


def _shown(value: object) -> object:
    """The one escaping step of the HTML report besides autoescape (``humanize.visible``)."""
    if isinstance(value, str) and not isinstance(value, markupsafe.Markup):
        return humanize.visible(value, lines=True)
    return value


def _data(value: JSONValue) -> str:
    return summary.value_text(value, None)


def render(report: Report, base_dir: str | None = None) -> str:
    """The report as one HTML document.

    ``base_dir``: the folder the file will be written to; links to run logs are made relative to
    it. Without it, links are the log paths as the report holds them.
    """
    datasets = tuple(html_view.dataset_view(report, i, d) for i, d in enumerate(report.datasets))
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            report=report,
            datasets=datasets,
            run_rows=_run_rows(report),
            logs=_logs(report, base_dir),
            max_reasons=MAX_REASONS_OPEN,
            max_columns=html_view.MAX_COLUMNS_OPEN,
            group_rows=summary.has_group_rows(report),
        )
    )


# ------------------------------------------------------------------------------------ filters
def count(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def num(x: float | None) -> str:
    if x is None:
        return "—"
    if isinstance(x, int):
        return f"{x:,}"
    return f"{x:.4g}"


def pct(x: float | None) -> str:
    """A share in [0, 1] as a percentage that never rounds a difference away."""
    if x is None:
        return "—"
    if 0 < abs(x) < 0.0001:
        return "<0.01%" if x > 0 else "-<0.01%"
    text = f"{x:.2%}"
    if text in ("100.00%", "-100.00%") and abs(x) != 1:
        return ">99.99%" if x > 0 else "-99.99%"
    return text


def size(n: int | None) -> str:
    return "—" if n is None else humanize.size(n)


def seconds(x: float | None) -> str:
    if x is None:
        return "—"
    if x < 60:
        return f"{x:.1f} s"
    minutes, secs = divmod(round(x), 60)
    return f"{minutes} min {secs:02d} s"


# --------------------------------------------------------------------------------------- runs
def _run_rows(report: Report) -> tuple[RunRow, ...]:
    if report.run is None:
        return ()
    p, c = report.run.production, report.run.candidate

    def row(label: str, pv: str, cv: str) -> RunRow:
        return RunRow(label, pv, cv, pv != cv)

    rows = [
        row("status", p.status, c.status),
        row("git ref", p.git_ref or "—", c.git_ref or "—"),
        row("commit", (p.git_sha or "working tree")[:12], (c.git_sha or "working tree")[:12]),
        row("command", shlex.join(p.command), shlex.join(c.command)),
        row("exit code", _opt(p.exit_code), _opt(c.exit_code)),
        row("duration", seconds(p.duration_seconds), seconds(c.duration_seconds)),
        row("peak memory", size(p.peak_memory_bytes), size(c.peak_memory_bytes)),
    ]
    for name in sorted(p.counters.keys() | c.counters.keys()):
        rows.append(row(f"counter {name}", _counter(p, name), _counter(c, name)))
    return tuple(rows)


def _opt(x: int | None) -> str:
    return "—" if x is None else str(x)


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


def _logs(report: Report, base_dir: str | None) -> tuple[tuple[Link, ...], tuple[Link, ...]]:
    if report.run is None:
        return (), ()
    out = []
    for record in (report.run.production, report.run.candidate):
        out.append(
            tuple(
                Link(label, _href(path, base_dir))
                for label, path in (("stdout", record.stdout_log), ("stderr", record.stderr_log))
                if path
            )
        )
    return out[0], out[1]
