"""Report files: where they may go (checked before any work starts) and how they are written.

A report path is the one thing a command writes that the user names, so it is the one place a
typo can destroy data: ``--html victim.csv`` must never replace the file being compared. Paths are
compared resolved (symlinks, ``..``) and, where both exist, by identity (``os.path.samefile``, which
also sees hard links and case-insensitive file systems); otherwise by ``os.path.normcase``.
"""

from __future__ import annotations

import importlib
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from ..errors import UsageError
from ..model import Report
from ..reports import RENDERERS

Protected = tuple[
    str, str | os.PathLike[str]
]  # (what it is, path), e.g. ("the production input", p)
RUNS_FOLDER = (".dataops-diff", "runs")  # every run folder lives below one of these
_SUFFIX = {
    "json": "json",
    "markdown": "md",
    "junit": "xml",
    "html": "html",
    "suggest-policy": "toml",
}


def check_report_paths(
    outputs: Mapping[str, Path | None], protected: Iterable[Protected] = ()
) -> None:
    """Refuse, before any work, a report path that would destroy data or another report.

    ``outputs`` maps a format (``json``, ``html``, ...) to its path or None; ``protected`` lists
    what must never be written over or into: inputs, compared folders, run folders, a saved report.
    The Markdown appended to ``$GITHUB_STEP_SUMMARY`` obeys the same rules.
    """
    guarded = [(what, os.fspath(path)) for what, path in protected if os.fspath(path)]
    seen: list[tuple[str, Path]] = []
    for fmt, path in outputs.items():
        if path is None:
            continue
        flag = f"--{fmt}"
        for other_flag, other in seen:
            if _same(path, other):
                raise UsageError(
                    f"{flag} {path} is also the path of {other_flag}; give each report its own path"
                )
        seen.append((flag, path))
        _check_destination(flag, path, guarded)
        _check_writable(flag, path, f"report.{_SUFFIX.get(fmt, fmt)}")
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        _check_destination("GITHUB_STEP_SUMMARY", Path(summary), guarded)


def _check_destination(flag: str, path: Path, guarded: list[tuple[str, str]]) -> None:
    for what, target in guarded:
        if _same(path, target):
            raise UsageError(
                f"{flag} {path} is {what} ({target}); writing the report would replace it, "
                "write it elsewhere"
            )
        if _inside(path, target):
            raise UsageError(
                f"{flag} {path} is inside {what} ({target}); write the report outside it"
            )
    run_folder = _run_folder(path)
    if run_folder:
        raise UsageError(
            f"{flag} {path} is inside the run folder '{run_folder}' (runs are never written "
            "over); write the report outside it"
        )


def _check_writable(flag: str, path: Path, example: str) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise UsageError(f"{flag} {path} is a folder; give a file path, e.g. {path / example}")
    if not folder.is_dir():
        raise UsageError(f"{flag} {path}: folder '{folder}' does not exist; create it first")
    if (not _is_stream(path) and not os.access(folder, os.W_OK | os.X_OK)) or (
        path.exists() and not os.access(path, os.W_OK)
    ):
        raise UsageError(f"{flag} {path}: not writable; pick a writable path")


def _real(path: str | os.PathLike[str]) -> str:
    return os.path.normcase(os.path.realpath(os.path.abspath(path)))


def _same(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    if os.path.exists(a) and os.path.exists(b):
        return os.path.samefile(a, b)
    return _real(a) == _real(b)


same_path = _same  # for the checks of other options (cli/noise_options.py)


def _inside(path: str | os.PathLike[str], folder: str) -> bool:
    """Whether ``path`` lies strictly below ``folder`` (which need not exist)."""
    if os.path.exists(folder) and not os.path.isdir(folder):
        return False
    parent = Path(_real(path)).parent
    return any(_same(ancestor, folder) for ancestor in (parent, *parent.parents))


def _run_folder(path: Path) -> str | None:
    """The run folder the path lies in, if any: below ``.dataops-diff/runs``, or any folder laid
    out as a run (``production/output`` and ``candidate/output``, e.g. an earlier ``--run-dir``)."""
    real = Path(os.path.realpath(os.path.abspath(path)))
    parts = real.parts
    for i in range(len(parts) - 2):
        if tuple(p.casefold() for p in parts[i : i + 2]) == RUNS_FOLDER:  # any case: refuse
            return str(Path(*parts[: i + 2]))
    for folder in real.parents:
        if all((folder / side / "output").is_dir() for side in ("production", "candidate")):
            return str(folder)
    return None


def policy_protected(policy_file: Path | None) -> list[Protected]:
    """The ``--policy FILE`` of a command, when given: an input like any other."""
    return [] if policy_file is None else [("the policy file (--policy)", policy_file)]


def run_protected(
    spec_path: str,
    inputs: Mapping[str, str],
    run_dir: str | os.PathLike[str] | None,
    policy_file: Path | None = None,
) -> list[Protected]:
    """What a shadow run's reports must never touch: the spec, its inputs, the run's folder."""
    protected: list[Protected] = [("the spec file", spec_path), *policy_protected(policy_file)]
    protected += [(f"input '{name}'", path) for name, path in inputs.items()]
    if run_dir is not None:
        protected.append(("the run folder (--run-dir)", run_dir))
    return protected


def saved_protected(report: Report) -> list[Protected]:
    """What a re-rendered report must never touch: what the saved report compared or ran on.

    Its paths are as the report recorded them (relative to where it was made); where they do not
    resolve here, they protect nothing, and nothing else is refused.
    """
    if report.run is None:
        return [("the production input of the saved report", report.production),
                ("the candidate input of the saved report", report.candidate)]  # fmt: skip
    protected: list[Protected] = [("an input of the saved run", i.path) for i in report.run.inputs]
    if report.run.run_dir:
        protected.append(("the run folder of the saved report", report.run.run_dir))
    return protected


# ------------------------------------------------------------------------------------ writing
def write_outputs(report: Report, outputs: Mapping[str, Path | None]) -> None:
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
    """Write via a temporary file in the same folder, so a reader never sees half a report.

    A symlink is written through (its target is replaced, not the link). A stream is written in
    place: ``/dev/stdout``, ``/dev/null`` or a named pipe must never be replaced by a file.
    """
    if _is_stream(path):
        _write_stream(path, text, flag)
        return
    path = Path(os.path.realpath(path))
    folder = path.parent
    if not folder.is_dir():
        raise UsageError(f"{flag} {path}: folder '{folder}' does not exist; create it first")
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # a report is an ordinary file, not mkstemp's private 0600
        os.replace(tmp, path)
    except BaseException as exc:  # Ctrl-C or a full disk: no half-written file stays behind
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise UsageError(
                f"{flag} {path}: cannot write ({exc.strerror}); pick a writable path"
            ) from exc
        raise


def _is_stream(path: Path) -> bool:
    system = os.path.abspath(path).startswith(("/dev/", "/proc/"))
    return system or (path.exists() and not path.is_file())


def _write_stream(path: Path, text: str, flag: str) -> None:
    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise UsageError(
            f"{flag} {path}: cannot write ({exc.strerror}); pick a writable path"
        ) from exc
