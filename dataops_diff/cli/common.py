"""What the commands share: flag parsing, the progress display, writing report files, exit codes."""

from __future__ import annotations

import importlib
import math
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from ..engines import ENGINES, EngineConfig, ProgressFn
from ..errors import EXIT_DIFFERENCES, EXIT_ERROR, EXIT_OK, UsageError
from ..model import Report

# Output formats: flag -> "module:function" rendering a Report to text. Imported on use.
RENDERERS: dict[str, str] = {
    "json": "dataops_diff.reports.json:render",
    "markdown": "dataops_diff.reports.markdown:render",
    "junit": "dataops_diff.reports.junit:render",
    "html": "dataops_diff.reports.html:render",
}

JsonOpt = Annotated[
    Path | None, typer.Option("--json", help="Write the full report as JSON (docs/json-report.md).")
]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="Only the verdict line; no progress display.")
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")]

# The diff engine's flags, shared by compare and run.
EngineOpt = Annotated[str, typer.Option("--engine", help=f"Diff engine: {', '.join(ENGINES)}.")]
MemoryLimitOpt = Annotated[
    str | None,
    typer.Option(
        "--memory-limit",
        help="Memory bound of the diff, e.g. 4GB, 4GiB or 60%; beyond it the engine spills to disk (default: half of the machine's memory or cgroup limit).",
    ),
]
TempDirOpt = Annotated[
    str | None,
    typer.Option(
        "--temp-dir",
        help="Folder in which the diff makes its private spill folder, removed afterwards (default: the system temp folder).",
    ),
]
SparkMasterOpt = Annotated[
    str | None,
    typer.Option(
        "--spark-master",
        help="With --engine spark: the Spark master URL (default: local[*], or the running session's under spark-submit).",
    ),
]
SparkConfOpt = Annotated[
    list[str],
    typer.Option(
        "--spark-conf", help="With --engine spark: a Spark configuration KEY=VALUE. Repeatable."
    ),
]


def engine_config(
    memory_limit: str | None,
    temp_dir: str | None,
    spark_master: str | None,
    spark_conf: list[str],
) -> EngineConfig:
    """The engine flags as an EngineConfig; ``--spark-conf`` splits at its first '='."""
    options: dict[str, str] = {}
    for value in spark_conf:
        name, sep, setting = value.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--spark-conf '{value}' is not of the form KEY=VALUE")
        options[name.strip()] = setting
    return EngineConfig(
        memory_limit=memory_limit, temp_dir=temp_dir, master=spark_master, options=options
    )


MarkdownOpt = Annotated[
    Path | None,
    typer.Option(
        "--markdown",
        help="Write a pull-request comment in Markdown (also appended to $GITHUB_STEP_SUMMARY "
        "when set).",
    ),
]
JunitOpt = Annotated[
    Path | None,
    typer.Option("--junit", help="Write JUnit XML: each dataset and each policy rule a test case."),
]
HtmlOpt = Annotated[
    Path | None,
    typer.Option("--html", help="Write the self-contained HTML report (docs/html-report.md)."),
]


def write_outputs(report: Report, outputs: dict[str, Path | None]) -> None:
    """Render each requested format and write it (atomically) to its path."""
    for fmt, path in outputs.items():
        if path is None:
            continue
        module, _, func = RENDERERS[fmt].partition(":")
        render: Callable[..., str] = getattr(importlib.import_module(module), func)
        # the HTML report links the run logs relative to the folder it is written to
        text = render(report, base_dir=str(path.parent)) if fmt == "html" else render(report)
        write_text(path, text, f"--{fmt}")
    append_step_summary(report)


def append_step_summary(report: Report) -> None:
    """In GitHub Actions, append the Markdown report to the job summary (as GitHub expects)."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if not summary:
        return
    from ..reports import markdown

    try:
        with open(summary, "a", encoding="utf-8") as fh:
            fh.write(markdown.render(report))
    except OSError as exc:
        raise UsageError(
            f"GITHUB_STEP_SUMMARY '{summary}': cannot append ({exc.strerror}); unset it or fix it"
        ) from exc


def write_text(path: Path, text: str, flag: str) -> None:
    """Write via a temporary file in the same folder, so a reader never sees half a report."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{flag} {path}: folder '{folder}' does not exist; create it first")
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # a report is an ordinary file, not mkstemp's private 0600
        os.replace(tmp, path)
    except OSError as exc:
        raise UsageError(
            f"{flag} {path}: cannot write ({exc.strerror}); pick a writable path"
        ) from exc


def exit_code(report: Report, fail_on_warn: bool = False) -> int:
    status = report.verdict.status
    if status == "ERROR":  # nothing could be compared (production failed)
        return EXIT_ERROR
    return EXIT_DIFFERENCES if status == "FAIL" or (status == "WARN" and fail_on_warn) else EXIT_OK


# ---------------------------------------------------------------------------------- parsing
def split_assignment(value: str, flag: str, example: str) -> tuple[str, str]:
    name, sep, rhs = value.rpartition("=")
    if not sep or not name or not rhs:
        raise UsageError(f"{flag} '{value}' is not of the form {example}")
    return name, rhs


def parse_keys(values: list[str]) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
    """``--key id,line`` for every dataset, ``--key orders=order_id`` for one dataset."""
    default: tuple[str, ...] = ()
    per_dataset: dict[str, tuple[str, ...]] = {}
    for value in values:
        dataset, sep, cols = value.partition("=")
        columns = tuple(c.strip() for c in (cols if sep else dataset).split(","))
        if not all(columns):
            raise UsageError(f"--key '{value}' has an empty column name; use COL[,COL...]")
        if sep:
            per_dataset[dataset.strip()] = columns
        else:
            default = columns
    return default, per_dataset


def parse_tolerances(values: list[str], flag: str) -> tuple[float, dict[str, float]]:
    """``--abs-tol 0.01`` for every numeric column, ``--abs-tol amount=0.01`` for one column."""
    default = 0.0
    per_column: dict[str, float] = {}
    for value in values:
        column, number = (
            split_assignment(value, flag, "N or COL=N") if "=" in value else ("", value)
        )
        try:
            tol = float(number)
        except ValueError:
            raise UsageError(
                f"{flag} '{value}': '{number}' is not a number; use N or COL=N"
            ) from None
        if not math.isfinite(tol) or tol < 0:
            raise UsageError(f"{flag} '{value}': a tolerance is a finite number >= 0")
        if column:
            per_column[column] = tol
        else:
            default = tol
    return default, per_column


def parse_renames(values: list[str]) -> dict[str, str]:
    renames: dict[str, str] = {}
    for value in values:
        old, new = split_assignment(value, "--rename", "OLD=NEW (production name=candidate name)")
        if old in renames:
            raise UsageError(f"--rename names production column '{old}' twice; keep one")
        renames[old] = new
    return renames


# --------------------------------------------------------------------------------- progress
@contextmanager
def progress_display(enabled: bool) -> Iterator[ProgressFn | None]:
    """A live display on stderr while datasets are read and compared (terminals only)."""
    console = Console(stderr=True)
    if not enabled or not console.is_terminal:
        yield None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def report(dataset: str, phase: str, fraction: float | None) -> None:
            if dataset not in tasks:
                tasks[dataset] = bar.add_task("", total=None)
            task = tasks[dataset]
            description = _plain(f"{dataset}: {phase}")
            if fraction is None:
                bar.update(task, description=description, total=None)
            else:
                bar.update(task, description=description, total=1.0, completed=fraction)

        yield report


def _plain(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def stdout_console() -> Console:
    """The summary console: the terminal's width, or 120 columns in CI logs and pipes."""
    console = Console(file=sys.stdout, highlight=False)
    if not console.is_terminal:
        console = Console(file=sys.stdout, highlight=False, width=120)
    return console
