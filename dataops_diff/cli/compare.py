"""``dataops-diff compare PRODUCTION CANDIDATE --key COL``."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

import typer

from .. import api
from ..datasets import FORMATS
from ..engines.read_checks import valid_encoding
from ..errors import UsageError
from ..reports import terminal
from ..spec import DEFAULT_SAMPLES, DatasetSpec
from .app import app
from .common import (
    MAX_SAMPLES,
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
    check_samples,
    engine_config,
    exit_code,
    parse_keys,
    parse_renames,
    parse_tolerances,
    progress_display,
    sigterm_as_interrupt,
    stdout_console,
    write_outputs,
)
from .noise_options import (
    SuggestPolicyOpt,
    baseline_protected,
    check_baseline,
    check_suggest_path,
    write_suggestion,
)
from .outputs import policy_protected
from .policy_options import NO_POLICY_OPTIONS, PolicyOptions, with_policy_options
from .text_options import AllTextOpt, TextColumnOpt, text_columns_of


@app.command(no_args_is_help=True)
@with_policy_options
def compare(
    production: Annotated[
        str,
        typer.Argument(
            metavar="PRODUCTION",
            help="Production data file, dataset folder or output folder.",
        ),
    ],
    candidate: Annotated[
        str,
        typer.Argument(
            metavar="CANDIDATE",
            help="Candidate data file, dataset folder or output folder.",
        ),
    ],
    key: Annotated[
        list[str],
        typer.Option(
            "--key",
            "-k",
            metavar="COL[,COL...]",
            rich_help_panel="Matching",
            help="Key columns, COL[,COL...]; or DATASET=COL[,COL...] for one dataset of a folder; 'auto' finds the narrowest unique, non-null column set on both sides. Repeatable.",
        ),
    ] = [],  # noqa: B006
    abs_tol: Annotated[
        list[str],
        typer.Option(
            "--abs-tol",
            metavar="[COL=]N",
            rich_help_panel="Tolerances",
            help="Absolute tolerance for numbers: N, or COL=N for one column. Repeatable.",
        ),
    ] = [],  # noqa: B006
    rel_tol: Annotated[
        list[str],
        typer.Option(
            "--rel-tol",
            metavar="[COL=]N",
            rich_help_panel="Tolerances",
            help="Relative tolerance, symmetric: |p-c| <= abs + rel*max(|p|,|c|). N or COL=N. Repeatable.",
        ),
    ] = [],  # noqa: B006
    ignore_column: Annotated[
        list[str],
        typer.Option(
            "--ignore-column",
            metavar="COL",
            rich_help_panel="Matching",
            help="Leave this column out of the comparison (either side). Repeatable.",
        ),
    ] = [],  # noqa: B006
    ignore_case: Annotated[
        bool,
        typer.Option(
            "--ignore-case",
            metavar="",
            rich_help_panel="Matching",
            help="Compare strings, string keys included, case-insensitively.",
        ),
    ] = False,
    ignore_spaces: Annotated[
        bool,
        typer.Option(
            "--ignore-spaces",
            metavar="",
            rich_help_panel="Matching",
            help="Ignore leading/trailing whitespace of strings, string keys included.",
        ),
    ] = False,
    rename: Annotated[
        list[str],
        typer.Option(
            "--rename",
            metavar="OLD=NEW",
            rich_help_panel="Matching",
            help="OLD=NEW: production column OLD is candidate column NEW. Repeatable.",
        ),
    ] = [],  # noqa: B006
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            metavar="N",
            rich_help_panel="Reports",
            min=0,
            help=f"Mismatching rows kept per column, and rows kept per side (at most {MAX_SAMPLES}).",
        ),
    ] = DEFAULT_SAMPLES,
    no_profiles: Annotated[
        bool,
        typer.Option(
            "--no-profiles",
            metavar="",
            rich_help_panel="Reports",
            help="Skip the distribution profiles (histograms, top values, PSI, KS): a faster diff.",
        ),
    ] = False,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            metavar="FORMAT",
            rich_help_panel="Inputs",
            help=f"Read every file as this format: {', '.join(FORMATS)} (default: from the extension).",
        ),
    ] = None,
    encoding: Annotated[
        str | None,
        typer.Option(
            "--encoding",
            metavar="ENCODING",
            rich_help_panel="Inputs",
            help="Text encoding of CSV and JSON files, e.g. latin-1, cp1252, utf-16 "
            "(default: UTF-8).",
        ),
    ] = None,
    text_column: TextColumnOpt = [],  # noqa: B006
    all_text: AllTextOpt = False,
    table: Annotated[
        list[str],
        typer.Option(
            "--table",
            metavar="TABLE",
            rich_help_panel="Inputs",
            help="Of database files (.duckdb): compare only this table, TABLE or SCHEMA.TABLE. Repeatable.",
        ),
    ] = [],  # noqa: B006
    schema: Annotated[
        list[str],
        typer.Option(
            "--schema",
            metavar="SCHEMA",
            rich_help_panel="Inputs",
            help="Of database files: compare only the tables of this schema. Repeatable.",
        ),
    ] = [],  # noqa: B006
    baseline: Annotated[
        str | None,
        typer.Option(
            "--baseline",
            metavar="PRODUCTION_AGAIN",
            help="Production written again (same code, same inputs): the noise floor learnt "
            "from it is what the candidate is judged above (docs/noise.md).",
            rich_help_panel="Inputs",
        ),
    ] = None,
    suggest_policy: SuggestPolicyOpt = None,
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
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
    policy_options: PolicyOptions = NO_POLICY_OPTIONS,
) -> None:
    """Compare two versions of a pipeline's output, column by column, matching rows by key.

    Exit code: 0 PASS or WARN (1 with --fail-on warn), 1 FAIL, 2 could not compare,
    130 interrupted.
    """
    del debug  # read by main() before parsing
    outputs = {"json": json_path, "markdown": markdown_path, "junit": junit_path, "html": html_path}
    protected = [
        ("the production input", production),
        ("the candidate input", candidate),
        *baseline_protected(baseline),
        *policy_protected(policy_options.policy_file),
    ]
    check_report_paths(outputs, protected)
    check_suggest_path(suggest_policy, baseline is not None, outputs, protected)
    if baseline is not None:
        check_baseline(baseline, production, candidate)
    policy = policy_options.policy()
    default_key, dataset_keys = parse_keys(key)
    check_samples(samples)
    if not default_key and not dataset_keys:
        raise UsageError(
            "no key given; pass --key COL[,COL...] naming the columns that identify a row"
        )
    if encoding is not None and valid_encoding(encoding) is None:
        raise UsageError(
            f"--encoding '{encoding}' is not a known text encoding; "
            "use a Python codec name such as utf-8, latin-1, cp1252 or utf-16"
        )
    abs_default, abs_columns = parse_tolerances(abs_tol, "--abs-tol")
    rel_default, rel_columns = parse_tolerances(rel_tol, "--rel-tol")
    base = DatasetSpec(
        key=() if default_key == ("auto",) else default_key,
        abs_tol=abs_default,
        rel_tol=rel_default,
        column_abs_tol=abs_columns,
        column_rel_tol=rel_columns,
        ignore_columns=tuple(ignore_column),
        ignore_case=ignore_case,
        ignore_spaces=ignore_spaces,
        renames=parse_renames(rename),
        samples=samples,
        profiles=not no_profiles,
        format=fmt,
        encoding=encoding,
        text_columns=text_columns_of(text_column),
        all_text=all_text,
    )

    if default_key == ("auto",) or "auto" in {k for ks in dataset_keys.values() for k in ks}:
        from ..engines.duckdb_keys import auto_keys  # DuckDB finds the keys; imported on use

        dataset_keys = auto_keys(
            production, candidate, default_key, dataset_keys, fmt, table, schema
        )
        default_key = () if default_key == ("auto",) else default_key

    def spec_for(name: str) -> DatasetSpec:
        if name in dataset_keys:
            return replace(base, key=dataset_keys[name])
        if not default_key:
            raise UsageError(
                f"no key for dataset '{name}'; pass --key {name}=COL or a default --key COL"
            )
        return base

    with sigterm_as_interrupt(), progress_display(not quiet) as progress:
        report = api.compare(
            production,
            candidate,
            spec_for,
            fmt=fmt,
            engine=engine,
            engine_config=engine_config(
                memory_limit, temp_dir, spark_master, spark_conf, spark_start_timeout
            ),
            policy=policy,
            progress=progress,
            configured=tuple(dataset_keys),
            tables=tuple(table),
            schemas=tuple(schema),
            baseline=baseline,
        )
    write_suggestion(suggest_policy, report, policy)
    write_outputs(report, outputs)
    terminal.render(report, stdout_console(), quiet=quiet)
    raise typer.Exit(exit_code(report, fail_on_warn=policy.fail_on == "warn"))
