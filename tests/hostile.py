"""Helpers for the hostile-input corpus (tests/test_hostile_*.py).

Every hostile case asserts the same contract: the exit code, exactly one line on stderr naming the
culprit (no traceback), and that no input file changed, byte for byte.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from dataops_diff.cli import main


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str


def invoke(capsys: pytest.CaptureFixture[str], *args: str | os.PathLike[str]) -> Outcome:
    """Run the CLI in-process, as the console script does, and capture what it printed."""
    capsys.readouterr()  # drop anything printed before
    code = main([os.fspath(a) for a in args])
    out = capsys.readouterr()
    return Outcome(code, out.out, out.err)


def snapshot(*roots: str | os.PathLike[str]) -> dict[str, str]:
    """sha256 of every file under the roots (files or folders), symlinks followed."""
    digests: dict[str, str] = {}
    for root in map(Path, roots):
        files: Iterable[Path] = [root] if root.is_file() else sorted(root.rglob("*"))
        for path in files:
            if path.is_file():
                digests[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def assert_error(outcome: Outcome, code: int, *fragments: str) -> str:
    """Exactly one stderr line, `dataops-diff: error: ...`, holding every fragment; no traceback."""
    lines = [line for line in outcome.stderr.splitlines() if line.strip()]
    assert outcome.code == code, (outcome.code, outcome.stderr)
    assert len(lines) == 1, outcome.stderr
    assert lines[0].startswith("dataops-diff: error: "), lines[0]
    assert "Traceback" not in outcome.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]
