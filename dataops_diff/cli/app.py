"""The typer app and the one place that turns exceptions into stderr lines and exit codes."""

from __future__ import annotations

import sys
import traceback
import warnings

import typer

from ..errors import EXIT_ERROR, EXIT_INTERRUPTED, DataopsDiffError, DataopsDiffWarning
from ..humanize import visible

app = typer.Typer(
    name="dataops-diff",
    help="Shadow-run a pipeline upgrade, diff every output dataset, and decide whether to promote.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def error(message: str) -> None:
    """One line on stderr (names from data shown with their escapes); the exit code is the caller's."""
    sys.stderr.write(f"dataops-diff: error: {visible(message)}\n")


def _warning(message: object, category: type[Warning], *args: object, **kwargs: object) -> None:
    """The library's warnings as one stderr line; any other warning as Python shows it."""
    if issubclass(category, DataopsDiffWarning):
        sys.stderr.write(f"dataops-diff: warning: {visible(str(message))}\n")
    else:
        _show_warning(message, category, *args, **kwargs)  # type: ignore[arg-type]


_show_warning = warnings.showwarning


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script: the exit-code contract lives here.

    0 no differences (or PASS), 1 differences (FAIL), 2 could not compare, 130 interrupted.
    """
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    warnings.showwarning = _warning
    command = typer.main.get_command(app)
    try:
        result = command.main(args=args, prog_name="dataops-diff", standalone_mode=False)
    except DataopsDiffError as exc:
        if debug:
            traceback.print_exc()
        error(exc.message)
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        sys.stderr.write("dataops-diff: interrupted\n")
        return EXIT_INTERRUPTED
    except typer.TyperException as exc:  # typer's usage errors (bad flag, missing argument)
        ctx = getattr(exc, "ctx", None)
        if type(exc).__name__ == "NoArgsIsHelpError" and ctx is not None:
            sys.stdout.write(ctx.get_help() + "\n")
            return 0
        hint = f"; see '{ctx.command_path} --help'" if ctx is not None else ""
        error(" ".join(exc.format_message().split()) + hint)
        return EXIT_ERROR
    except Exception as exc:  # a bug: still one line, the traceback with --debug
        if debug:
            traceback.print_exc()
        error(f"unexpected {type(exc).__name__}: {exc}; rerun with --debug and report it")
        return EXIT_ERROR
    code = result if isinstance(result, int) else 0
    if code == EXIT_INTERRUPTED:  # typer turns Ctrl-C inside a command into Exit(130)
        sys.stderr.write("dataops-diff: interrupted\n")
    return code


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        sys.stdout.write(f"dataops-diff {__version__}\n")
        raise typer.Exit(0)


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Shadow-run a pipeline upgrade, diff every output dataset, and decide whether to promote."""
