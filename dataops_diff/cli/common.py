"""What the commands share: flag parsing, the progress display, exit codes (report files: outputs)."""

from __future__ import annotations

import math
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
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
from ..humanize import visible
from ..model import Report
from ..spec.dataset import MAX_SAMPLES as MAX_SAMPLES  # the bound --samples is checked against
from .outputs import check_report_paths as check_report_paths  # re-exported for the commands
from .outputs import write_outputs as write_outputs

JsonOpt = Annotated[
    Path | None,
    typer.Option(
        "--json",
        metavar="FILE",
        rich_help_panel="Reports",
        help="Write the full report as JSON (docs/json-report.md).",
    ),
]
QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        metavar="",
        rich_help_panel="Reports",
        help="Only the verdict line; no progress display.",
    ),
]
DebugOpt = Annotated[
    bool,
    typer.Option(
        "--debug", metavar="", rich_help_panel="Reports", help="Show tracebacks of errors."
    ),
]

# The diff engine's flags, shared by compare and run.
EngineOpt = Annotated[
    str,
    typer.Option(
        "--engine",
        metavar="|".join(ENGINES),
        rich_help_panel="Engine",
        help=f"Diff engine: {', '.join(ENGINES)}.",
    ),
]
MemoryLimitOpt = Annotated[
    str | None,
    typer.Option(
        "--memory-limit",
        metavar="SIZE",
        rich_help_panel="Engine",
        help="Memory bound of the diff, e.g. 4GB, 4GiB or 60%; beyond it the engine spills to disk (default: half of the machine's memory or cgroup limit).",
    ),
]
TempDirOpt = Annotated[
    str | None,
    typer.Option(
        "--temp-dir",
        metavar="DIR",
        rich_help_panel="Engine",
        help="Folder in which the diff makes its private spill folder, removed afterwards (default: the system temp folder).",
    ),
]
SparkMasterOpt = Annotated[
    str | None,
    typer.Option(
        "--spark-master",
        metavar="URL",
        rich_help_panel="Engine",
        help="With --engine spark: the Spark master URL (default: local[*], or the running session's under spark-submit).",
    ),
]
SparkConfOpt = Annotated[
    list[str],
    typer.Option(
        "--spark-conf",
        metavar="KEY=VALUE",
        rich_help_panel="Engine",
        help="With --engine spark: a Spark configuration KEY=VALUE. Repeatable.",
    ),
]

SparkStartTimeoutOpt = Annotated[
    float | None,
    typer.Option(
        "--spark-start-timeout",
        min=1,
        metavar="SECONDS",
        rich_help_panel="Engine",
        help="With --engine spark on a cluster: seconds a job may wait for an executor before the diff fails (default: 120).",
    ),
]


def engine_config(
    memory_limit: str | None,
    temp_dir: str | None,
    spark_master: str | None,
    spark_conf: list[str],
    spark_start_timeout: float | None = None,
) -> EngineConfig:
    """The engine flags as an EngineConfig; ``--spark-conf`` splits at its first '='."""
    options: dict[str, str] = {}
    for value in spark_conf:
        name, sep, setting = value.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--spark-conf '{value}' is not of the form KEY=VALUE")
        options[name.strip()] = setting
    return EngineConfig(
        memory_limit=memory_limit, temp_dir=temp_dir, master=spark_master, options=options,
        start_timeout=spark_start_timeout,
    )  # fmt: skip


MarkdownOpt = Annotated[
    Path | None,
    typer.Option(
        "--markdown",
        metavar="FILE",
        rich_help_panel="Reports",
        help="Write a pull-request comment in Markdown (also appended to $GITHUB_STEP_SUMMARY "
        "when set).",
    ),
]
JunitOpt = Annotated[
    Path | None,
    typer.Option(
        "--junit",
        metavar="FILE",
        rich_help_panel="Reports",
        help="Write JUnit XML: each dataset, each changed column and each policy rule a test case.",
    ),
]
HtmlOpt = Annotated[
    Path | None,
    typer.Option(
        "--html",
        metavar="FILE",
        rich_help_panel="Reports",
        help="Write the self-contained HTML report (docs/html-report.md).",
    ),
]


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (CI cancellation, ``timeout``, ``docker stop``) unwinds like Ctrl-C: clean-up runs
    and the exit code is 130, the same for every command."""

    def handler(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


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
    """``--key id,line`` for every dataset, ``--key orders=order_id`` for one dataset.

    A second key for the same target is refused, not combined or dropped: ``--key id --key a``
    could mean a composite key or a typo, and guessing either way compares the wrong rows.
    """
    default: tuple[str, ...] = ()
    per_dataset: dict[str, tuple[str, ...]] = {}
    for value in values:
        dataset, sep, cols = value.partition("=")
        columns = tuple(c.strip() for c in (cols if sep else dataset).split(","))
        if not all(columns):
            raise UsageError(f"--key '{value}' has an empty column name; use COL[,COL...]")
        if sep and not dataset.strip():
            raise UsageError(f"--key '{value}' names no dataset; use DATASET=COL[,COL...] or COL")
        twice = sorted({c for c in columns if columns.count(c) > 1})
        if twice:
            raise UsageError(f"--key '{value}' names column '{twice[0]}' twice; name it once")
        target = dataset.strip() if sep else ""
        earlier = per_dataset.get(target) if sep else default
        if earlier == columns:
            raise UsageError(f"--key '{value}' is given twice; pass it once")
        if earlier:
            where = f"dataset '{target}'" if sep else "every dataset"
            prefix = f"{target}=" if sep else ""
            raise UsageError(
                f"--key given twice for {where} ('{','.join(earlier)}' and '{','.join(columns)}'); "
                f"for a composite key pass one --key {prefix}{','.join(earlier + columns)}"
            )
        if sep:
            per_dataset[target] = columns
        else:
            default = columns
    return default, per_dataset


def check_samples(samples: int) -> None:
    if not 0 <= samples <= MAX_SAMPLES:
        raise UsageError(
            f"--samples {samples}: keep between 0 and {MAX_SAMPLES:,} sample rows "
            "(a report holds bounded samples); pass a smaller number"
        )


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

    return escape(visible(text))


def stdout_console() -> Console:
    """The summary console: the terminal's width, or 120 columns in CI logs and pipes."""
    console = Console(file=sys.stdout, highlight=False)
    if not console.is_terminal:
        console = Console(file=sys.stdout, highlight=False, width=120)
    return console
