"""The noise-floor options of ``compare`` (``--baseline``) and ``compare``/``run``
(``--suggest-policy``): their checks before any work, and writing the suggested policy.

A baseline is an input like production and the candidate: no report may replace it or go inside
it. A suggested policy never replaces anything, not even a previous suggestion: it is meant to be
reviewed, and a review is lost when a later run writes over it. See docs/noise.md.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated

import typer

from ..errors import UsageError
from ..model import Report
from ..policy import Policy
from .outputs import Protected, check_report_paths, same_path, write_text

SuggestPolicyOpt = Annotated[
    Path | None,
    typer.Option(
        "--suggest-policy",
        metavar="PATH.toml",
        help="With a baseline: write the learnt noise floor as a commented TOML policy to "
        "review and commit (never over an existing file).",
        rich_help_panel="Policy",
    ),
]


def baseline_protected(baseline: str | None) -> list[Protected]:
    """The ``--baseline`` path, when given: an input like any other."""
    return [] if baseline is None else [("the baseline input (--baseline)", baseline)]


def check_baseline(baseline: str, production: str, candidate: str) -> None:
    """Refuse a baseline that is the candidate (every change would be learnt as noise, a gate
    that passes anything) or production itself (it would learn nothing)."""
    for what, other in (("the candidate", candidate), ("production", production)):
        if same_path(baseline, other):
            raise UsageError(
                f"--baseline {baseline} is {what} input ({other}); pass production written "
                "again (same code, same inputs) in another place"
            )


def check_suggest_path(
    path: Path | None,
    has_baseline: bool,
    outputs: Mapping[str, Path | None],
    protected: Iterable[Protected],
) -> None:
    """Before any work: a baseline is needed, and the path is new, and no input or report."""
    if path is None:
        return
    if not has_baseline:
        raise UsageError(
            f"--suggest-policy {path} needs a baseline to learn from; pass --baseline "
            "PRODUCTION_AGAIN (compare) or set pipeline.baseline = true (run)"
        )
    if os.path.lexists(path):
        raise UsageError(
            f"--suggest-policy {path} already exists; a suggested policy never replaces a file, "
            "pass a new path"
        )
    check_report_paths({**outputs, "suggest-policy": path}, protected)


def write_suggestion(path: Path | None, report: Report, policy: Policy) -> None:
    """Write the suggested policy (after the comparison), when asked and a floor was learnt."""
    if path is None or report.baseline is None:
        return
    from ..policy.suggest import suggest

    if os.path.lexists(path):  # created while the comparison ran: still never replaced
        raise UsageError(f"--suggest-policy {path} appeared meanwhile; pass a new path")
    write_text(path, suggest(report.floor, policy), "--suggest-policy")
