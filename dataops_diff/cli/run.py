"""``dataops-diff run`` (a shadow run from dataops-diff.toml) and ``dataops-diff init``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .. import api
from .. import spec as specs
from ..errors import UsageError
from ..policy import Policy, policy_from_dict
from ..reports import terminal
from ..spec.text_columns import with_flags
from .app import app, error
from .common import (
    DebugOpt,
    EngineOpt,
    HtmlOpt,
    JsonOpt,
    JunitOpt,
    MarkdownOpt,
    MemoryLimitOpt,
    QuietOpt,
    SparkConfOpt,
    SparkMasterOpt,
    SparkStartTimeoutOpt,
    TempDirOpt,
    check_report_paths,
    engine_config,
    exit_code,
    sigterm_as_interrupt,
    stdout_console,
    write_outputs,
)
from .live import run_display
from .noise_options import SuggestPolicyOpt, check_suggest_path, write_suggestion
from .outputs import run_protected
from .policy_options import NO_POLICY_OPTIONS, PolicyOptions, with_policy_options
from .text_options import AllTextOpt, TextColumnOpt, text_columns_of

SpecOpt = Annotated[
    Path,
    typer.Option(
        "--spec",
        metavar="FILE.toml",
        rich_help_panel="Run",
        help="The shadow-run spec (docs/shadow-runs.md).",
    ),
]


@app.command()
@with_policy_options
def run(
    spec_path: SpecOpt = Path(specs.DEFAULT_SPEC),
    production_ref: Annotated[
        str | None,
        typer.Option(
            "--production-ref",
            metavar="REF",
            rich_help_panel="Run",
            help="Git ref to run as production (overrides production.ref; '' = working tree).",
        ),
    ] = None,
    candidate_ref: Annotated[
        str | None,
        typer.Option(
            "--candidate-ref",
            metavar="REF",
            rich_help_panel="Run",
            help="Git ref to run as candidate (overrides candidate.ref; '' = working tree).",
        ),
    ] = None,
    run_dir: Annotated[
        Path | None,
        typer.Option(
            "--run-dir",
            metavar="DIR",
            rich_help_panel="Run",
            help="This run's folder; must not exist "
            "(default: .dataops-diff/runs/<run-id> beside the spec).",
        ),
    ] = None,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            metavar="SECONDS",
            rich_help_panel="Run",
            help="Seconds each version may run (overrides pipeline.timeout).",
        ),
    ] = None,
    baseline: Annotated[
        bool,
        typer.Option(
            "--baseline",
            metavar="",
            help="Also run production a second time, at the same time, to learn what differs "
            "without any change (the noise floor; pipeline.baseline = true in the spec).",
            rich_help_panel="Run",
        ),
    ] = False,
    text_column: TextColumnOpt = [],  # noqa: B006
    all_text: AllTextOpt = False,
    engine: EngineOpt = "duckdb",
    memory_limit: MemoryLimitOpt = None,
    temp_dir: TempDirOpt = None,
    spark_master: SparkMasterOpt = None,
    spark_conf: SparkConfOpt = [],  # noqa: B006
    spark_start_timeout: SparkStartTimeoutOpt = None,
    json_path: JsonOpt = None,
    markdown_path: MarkdownOpt = None,
    junit_path: JunitOpt = None,
    html_path: HtmlOpt = None,
    suggest_policy: SuggestPolicyOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
    policy_options: PolicyOptions = NO_POLICY_OPTIONS,
) -> None:
    """Run production and candidate side by side, then compare every output dataset.

    Exit code: 0 no differences, 1 differences or a failed candidate, 2 error, 130 interrupted.
    """
    del debug  # read by main() before parsing
    spec = specs.with_overrides(
        specs.load_spec(str(spec_path)), production_ref, candidate_ref, timeout, baseline or None
    )
    spec = with_flags(spec, text_columns_of(text_column), all_text)
    base: Policy | None = None
    if spec.policy:
        base = policy_from_dict(spec.policy, f"{spec.path}: policy")
    policy = policy_options.policy(base)  # --policy FILE replaces [policy]; flags go on top
    outputs = {"json": json_path, "markdown": markdown_path, "junit": junit_path, "html": html_path}
    protected = run_protected(spec.path, spec.inputs, run_dir, policy_options.policy_file)
    check_report_paths(outputs, protected)
    check_suggest_path(suggest_policy, spec.baseline, outputs, protected)
    with sigterm_as_interrupt(), run_display(not quiet) as display:
        report = api.run(
            spec,
            run_dir=str(run_dir) if run_dir is not None else None,
            engine=engine,
            engine_config=engine_config(
                memory_limit, temp_dir, spark_master, spark_conf, spark_start_timeout
            ),
            policy=policy,
            on_tick=display.tick if display else None,
            progress=display.progress if display else None,
        )
    write_suggestion(suggest_policy, report, policy)
    write_outputs(report, outputs)
    terminal.render(report, stdout_console(), quiet=quiet)
    if report.verdict.status == "ERROR":  # the report is written; the headline is the error
        error(report.verdict.reasons[0].message)
    raise typer.Exit(exit_code(report, fail_on_warn=policy.fail_on == "warn"))


@app.command()
def init(
    path: Annotated[
        Path,
        typer.Argument(metavar="PATH", help="Where to write the starter spec."),
    ] = Path(specs.DEFAULT_SPEC),
) -> None:
    """Write a commented starter spec for `dataops-diff run` (never over an existing file)."""
    try:
        with path.open("x", encoding="utf-8") as fh:
            fh.write(specs.STARTER_SPEC)
    except FileExistsError:
        raise UsageError(
            f"{path} already exists; edit it, or write the starter elsewhere: dataops-diff init PATH"
        ) from None
    except OSError as exc:
        raise UsageError(f"cannot write {path} ({exc.strerror}); pick a writable path") from exc
    sys.stdout.write(
        f"wrote {path}; set the command, inputs and datasets, then run: dataops-diff run\n"
    )
