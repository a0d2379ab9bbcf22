"""The HTML report: one self-contained file (inline CSS, inline SVG charts, no scripts).

jinja2 with ``autoescape=True`` and ``StrictUndefined``: every value from data is escaped, and a
template that names a missing field fails instead of printing nothing. The output depends on the
Report only (no timestamps, no absolute paths unless the report holds them), so it has golden files.

What is shown is computed by small view modules, one concept each: ``html_glance`` (the decision
at a glance), ``html_runs``, ``html_view`` (a dataset), ``html_explain`` (why a column changed),
``html_profile`` and ``html_charts`` (distributions), ``html_rows`` (cells and row samples).
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2
import markupsafe

from .. import humanize
from ..model import JSONValue, Report
from . import html_glance, html_runs, html_view, summary
from .html_format import count, num, pct, seconds, size
from .runs import records

__all__ = ["count", "num", "pct", "render", "seconds", "size"]

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
MAX_REASONS_OPEN = html_glance.MAX_LISTED  # items of one class and dataset before "N more"


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
    anchors = {v.d.name: v.anchor for v in datasets}
    return (
        _env()
        .get_template("report.html.j2")
        .render(
            report=report,
            glance=html_glance.glance(report, anchors),
            classes=html_glance.LABELS,
            datasets=datasets,
            runs=records(report),
            run_rows=html_runs.run_rows(report),
            logs=html_runs.logs(report, base_dir),
            max_reasons=MAX_REASONS_OPEN,
            max_columns=html_view.MAX_COLUMNS_OPEN,
            group_rows=summary.has_group_rows(report),
        )
    )
