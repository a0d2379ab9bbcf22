"""``dataops-diff report RUN.json --markdown P --junit P --html P``: re-render a saved report.

Nothing is re-run or re-read but the JSON. With policy flags (``--policy``, ``--expect-change``,
...) the verdict is decided again from the saved differences; without them the saved verdict stands.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from .. import api
from ..errors import UsageError
from ..reports import RENDERERS, terminal
from .app import app, error
from .common import (
    DebugOpt,
    HtmlOpt,
    JsonOpt,
    JunitOpt,
    MarkdownOpt,
    QuietOpt,
    check_report_paths,
    exit_code,
    stdout_console,
    write_outputs,
)
from .outputs import policy_protected, saved_protected
from .policy_options import NO_POLICY_OPTIONS, PolicyOptions, with_policy_options


@app.command("report", no_args_is_help=True)
@with_policy_options
def report_command(
    saved: Annotated[
        Path,
        typer.Argument(
            metavar="RUN.json",
            help="A report written by --json (compare or run).",
        ),
    ],
    json_path: JsonOpt = None,
    markdown_path: MarkdownOpt = None,
    junit_path: JunitOpt = None,
    html_path: HtmlOpt = None,
    quiet: QuietOpt = False,
    debug: DebugOpt = False,
    policy_options: PolicyOptions = NO_POLICY_OPTIONS,
) -> None:
    """Re-render a saved JSON report as Markdown, JUnit, HTML or JSON, without re-running.

    Exit code: 0 PASS or WARN (1 with --fail-on warn), 1 FAIL, 2 error.
    """
    del debug  # read by main() before parsing
    if html_path is not None and "html" not in RENDERERS:
        raise UsageError("--html: this build has no HTML renderer; use --markdown or --json")
    outputs = {"json": json_path, "markdown": markdown_path, "junit": junit_path}
    if "html" in RENDERERS:
        outputs["html"] = html_path
    check_report_paths(
        outputs, [("the saved report", saved), *policy_protected(policy_options.policy_file)]
    )
    fail_on = "fail"
    policy = None
    if replace(policy_options, fail_on=None).given():
        policy = policy_options.policy()
        fail_on = policy.fail_on
    elif policy_options.fail_on is not None:
        fail_on = policy_options.policy().fail_on  # validates the value
    report = api.report(str(saved), policy)
    check_report_paths(outputs, saved_protected(report))
    write_outputs(report, outputs)
    terminal.render(report, stdout_console(), quiet=quiet)
    if report.verdict.status == "ERROR":  # a saved run whose production failed stays an error
        error(report.verdict.reasons[0].message if report.verdict.reasons else "nothing compared")
    raise typer.Exit(exit_code(report, fail_on_warn=fail_on == "warn"))
