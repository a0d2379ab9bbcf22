"""Check out a version: a git ref into a temporary detached worktree, or the working tree as it is.

The repository is the one holding the spec file. A ref is resolved to its commit SHA first (the
SHA is what gets recorded and checked out), then ``git worktree add --detach`` puts it in a fresh
temporary folder, removed again by ``release``. Git runs through ``runner.git``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from dataclasses import dataclass

from ..errors import RunError
from ..model import RunSide
from .processes import git


@dataclass(frozen=True)
class Checkout:
    side: RunSide
    root: str  # the spec's folder inside this checkout: where {root} and pipeline.cwd start
    ref: str | None  # None: the working tree
    sha: str | None  # the commit; for the working tree, HEAD (uncommitted changes not included)
    worktree: str | None = None  # the temporary worktree folder to remove afterwards
    repo: str | None = None  # the repository's top-level folder


def _toplevel(path: str) -> str | None:
    try:
        return git(["rev-parse", "--show-toplevel"], path, "")
    except RunError:
        return None


def checkout(side: RunSide, ref: str | None, spec_dir: str, sha: str | None = None) -> Checkout:
    """Prepare one version. ``spec_dir`` is the absolute folder of the spec file.

    The baseline is production's ref again, in a worktree of its own: ``sha`` is the commit
    production's checkout resolved, so both run the very same code.
    """
    top = _toplevel(spec_dir)
    if ref is None:
        sha = None
        if top is not None:
            try:
                sha = git(["rev-parse", "--verify", "--quiet", "HEAD"], spec_dir, "")
            except RunError:
                sha = None  # a repository without commits yet
        return Checkout(side, spec_dir, None, sha, repo=top)
    owner = "production" if side == "baseline" else side  # whose ref it is
    if top is None:
        raise RunError(
            f"{side} ref '{ref}' needs a git repository, but '{spec_dir}' is not in one; "
            f"run from the repository or drop {owner}.ref / --{owner}-ref"
        )
    sha = sha or git(
        ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"],
        top,
        f"'{ref}' is not a commit, branch or tag here; fix {owner}.ref or --{owner}-ref",
    )
    folder = tempfile.mkdtemp(prefix=f"dataops-diff-{side}-")
    try:
        git(
            ["worktree", "add", "--detach", folder, sha],
            top,
            "check the repository (git worktree list; git worktree prune)",
        )
    except BaseException:  # a git error, Ctrl-C or SIGTERM (raised as KeyboardInterrupt)
        _discard(folder, top)
        raise
    root = os.path.normpath(os.path.join(folder, os.path.relpath(spec_dir, top)))
    return Checkout(side, root, ref, sha, folder, top)


def _discard(folder: str, repo: str) -> None:
    """Undo a ``git worktree add`` that may have stopped halfway (registered, maybe locked)."""
    with contextlib.suppress(RunError):  # not registered yet: nothing to remove
        git(["worktree", "remove", "--force", "--force", folder], repo, "")
    shutil.rmtree(folder, ignore_errors=True)
    with contextlib.suppress(RunError):
        git(["worktree", "prune"], repo, "")


def release(co: Checkout) -> None:
    """Remove a temporary worktree (never the working tree). Safe to call twice."""
    if co.worktree is None or co.repo is None:
        return
    if os.path.exists(co.worktree):
        try:
            git(["worktree", "remove", "--force", co.worktree], co.repo, "")
        except RunError:
            shutil.rmtree(co.worktree, ignore_errors=True)
    with contextlib.suppress(RunError):  # a stale entry only; a later prune removes it
        git(["worktree", "prune"], co.repo, "")
