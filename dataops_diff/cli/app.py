"""The typer app and the one place that turns exceptions into stderr lines and exit codes."""

from __future__ import annotations

import sys
import traceback
import warnings
from typing import Any

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

from ..errors import (
    DATASET_SETTINGS,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    DataopsDiffError,
    DataopsDiffWarning,
    Setting,
)
from ..humanize import visible

# The panels of --help: every option of every command names one (tests/test_help.py), and
# options are listed panel by panel in the order of ORDER (run's own options first).
PANELS = ("Inputs", "Matching", "Tolerances", "Policy", "Reports", "Engine", "Run")
ORDER = ("Run", "Inputs", "Matching", "Tolerances", "Policy", "Reports", "Engine")


class _Argument(TyperArgument):
    """An argument shown in --help by its metavar (PRODUCTION) alone: typer would add the Python
    type (``<str>``), which says nothing to a user."""

    def display_type_rich(self, ctx: Any) -> str | None:  # noqa: ARG002
        return None


class _Command(TyperCommand):
    """A command whose --help shows no ``<bool>`` beside --help itself."""

    def get_help_option(self, ctx: Any) -> TyperOption | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option


class _Group(TyperGroup):
    """The app: each command's options are sorted into PANELS order (arguments keep their
    order), and neither arguments nor --help show typer's type hints."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for command in self.commands.values():
            _in_panels(command)

    def get_help_option(self, ctx: Any) -> TyperOption | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option


def _in_panels(command: object) -> None:
    if type(command) is TyperCommand:
        command.__class__ = _Command
    params = getattr(command, "params", [])
    for param in params:
        if type(param) is TyperArgument:
            param.__class__ = _Argument
    rank = {name: i for i, name in enumerate(ORDER)}
    params.sort(
        key=lambda p: (
            -1
            if isinstance(p, TyperArgument)
            else rank.get(getattr(p, "rich_help_panel", None) or "", len(ORDER))
        )
    )


app = typer.Typer(
    cls=_Group,
    name="dataops-diff",
    help="Shadow-run a pipeline upgrade, diff every output dataset, and decide whether to promote.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


# The flag of each setting an error can name (errors.SETTINGS): the CLI's words for them.
FLAGS = {
    "key": "--key",
    "renames": "--rename",
    "ignore_columns": "--ignore-column",
    "abs_tol": "--abs-tol",
    "rel_tol": "--rel-tol",
    "samples": "--samples",
    "format": "--format",
    "text_columns": "--text-column",
    "all_text": "--all-text",
    "tables": "--table",
    "schemas": "--schema",
    "engine": "--engine",
    "memory_limit": "--memory-limit",
    "temp_dir": "--temp-dir",
    "master": "--spark-master",
    "options": "--spark-conf",
    "start_timeout": "--spark-start-timeout",
    "spec": "--spec",
    "timeout": "--timeout",
    "run_dir": "--run-dir",
    "baseline": "--baseline",
    "production_ref": "--production-ref",
}
_SPEC_KEYS = {s.name for s in DATASET_SETTINGS}


def worded(exc: DataopsDiffError, args: list[str]) -> str:
    """The error's message in the words of the command that was run.

    A setting a spec file set is named by its key there (``defaults.key in dataops-diff.toml``,
    recorded by the library); otherwise by its flag, except that ``run`` has no flags for a
    dataset's settings: there it is the spec's key.
    """
    command = next((a for a in args if not a.startswith("-")), "")
    spec = _spec_path(args) if command == "run" else None

    def name(setting: Setting) -> str:
        if setting.origin:
            return setting.origin
        if spec is not None and setting.name in _SPEC_KEYS:
            return f"{setting.name} in {spec}"
        return FLAGS.get(setting.name, setting.api)

    return exc.worded(name)


def _spec_path(args: list[str]) -> str:
    for i, arg in enumerate(args):
        if arg == "--spec" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--spec="):
            return arg.removeprefix("--spec=")
    from ..spec import DEFAULT_SPEC

    return DEFAULT_SPEC


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
        error(worded(exc, args))
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
        False,
        "--version",
        callback=_version,
        is_eager=True,
        metavar="",
        help="Print the version and exit.",
    ),
) -> None:
    """Shadow-run a pipeline upgrade, diff every output dataset, and decide whether to promote."""
